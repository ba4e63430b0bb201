import AthanorJournal
import Foundation
import Testing

@Suite struct CodecTests {
    private let time = Timestamp(rfc3339: "2026-11-26T17:36:43.123456Z")!

    private func roundTrip<P: JournalPayload>(_ payload: P) throws -> P {
        var encoder = EventLineEncoder()
        let line = try encoder.line(JournalEvent(seq: 7, timestamp: time, payload: payload))
        var decoder = EventLineDecoder<P>()
        guard case .event(let event) = decoder.decode(line) else {
            Issue.record("did not decode: \(line)")
            return payload
        }
        #expect(event.seq == 7)
        #expect(event.timestamp == time)
        return event.payload
    }

    @Test func logLineHasTheDocumentedFormat() throws {
        var encoder = EventLineEncoder()
        let line = try encoder.line(
            JournalEvent(seq: 3, timestamp: time, payload: RunEvent.log(LogRecord(.warn, "hi", metadata: ["a": 1]))))
        #expect(
            line
                == #"{"seq":3,"ts":"2026-11-26T17:36:43.123456Z","type":"log","level":"warn","message":"hi","metadata":{"a":1}}"#
                + "\n")
    }

    @Test(arguments: [
        RunEvent.created(
            RunCreated(
                run: "r1", instance: "i1", instanceName: "Name", experiment: "demo",
                config: ["n": 3, "models": ["a", "b"], "nested": ["x": 1.5]], executor: "process")),
        .started(pid: 42, host: "box"),
        .log(LogRecord(.debug, "d")),
        .log(LogRecord(.error, "e", metadata: ["k": [1, 2, nil, true]])),
        .progress(ProgressUpdate(current: 5, total: 100)),
        .progress(ProgressUpdate(current: 5, total: 100, message: "half")),
        .result(key: "accuracy", value: 0.875),
        .result(key: "table", value: ["rows": [["a": 1], ["a": 2]]]),
        .completed,
        .failed(error: "boom\nwith trace"),
        .cancelled(reason: "user", forced: true),
    ])
    func everyRunEventRoundTrips(_ event: RunEvent) throws {
        #expect(try roundTrip(event) == event)
    }

    @Test(arguments: [
        InstanceEvent.created(
            InstanceCreated(instance: "i", name: "n", description: "d", experiment: "e", config: ["a": 1])),
        .updated(InstanceUpdate(name: "new")),
        .updated(InstanceUpdate(description: "only this", config: ["b": false])),
        .deleted,
    ])
    func everyInstanceEventRoundTrips(_ event: InstanceEvent) throws {
        #expect(try roundTrip(event) == event)
    }

    @Test func stringsAreEscapedAndRoundTrip() throws {
        let tricky =
            "quote \" backslash \\ slash / newline \n tab \t cr \r bell \u{07} nul \u{00} unit \u{1F} del \u{7F} é 日本 🧪 \u{2028}"
        var encoder = JSONLineEncoder()
        encoder.appendString(tricky)
        let text = String(decoding: encoder.bytes, as: UTF8.self)
        #expect(text.contains(#"\""#))
        #expect(text.contains(#"\\"#))
        #expect(text.contains(#"\n"#))
        #expect(text.contains(#"\u0007"#))
        #expect(text.contains(#"\u0000"#))
        #expect(text.contains(#"\u001f"#))
        #expect(!encoder.bytes.contains { $0 < 0x20 })
        #expect(try JSONValue(parsing: text) == .string(tricky))
        #expect(try roundTrip(RunEvent.log(LogRecord(.info, tricky))) == .log(LogRecord(.info, tricky)))
    }

    @Test func invalidUTF8BecomesReplacementCharacters() throws {
        let broken = String(decoding: [0x61, 0xFF, 0xC3, 0x62] as [UInt8], as: UTF8.self)
        let decoded = try roundTrip(RunEvent.log(LogRecord(.info, broken)))
        #expect(decoded == .log(LogRecord(.info, "a\u{FFFD}\u{FFFD}b")))
        var decoder = EventLineDecoder<RunEvent>()
        var bytes = Array(#"{"seq":1,"ts":"2026-11-26T17:36:43.123456Z","type":"run_failed","error":"x"#.utf8)
        bytes += [0xFF, 0x22, 0x7D]
        let outcome = bytes.withUnsafeBufferPointer { decoder.decode($0) }
        guard case .event(let event) = outcome else {
            Issue.record("invalid UTF-8 in a journal should read as U+FFFD")
            return
        }
        #expect(event.payload == .failed(error: "x\u{FFFD}"))
    }

    @Test func nonFiniteNumbersAreRejectedWithTheirPath() throws {
        var encoder = EventLineEncoder()
        var bytes: [UInt8] = Array("kept\n".utf8)
        let payload = RunEvent.result(key: "loss", value: ["history": [1.0, .double(.nan)]])
        do {
            try encoder.append(seq: 1, timestamp: time, payload: payload, to: &bytes)
            Issue.record("NaN was accepted")
        } catch {
            #expect(error.description.hasPrefix("value.history[1] is nan: JSON cannot hold NaN"), "\(error)")
        }
        #expect(bytes == Array("kept\n".utf8))
        do {
            try encoder.append(
                seq: 1, timestamp: time,
                payload: RunEvent.log(LogRecord(.info, "x", metadata: ["lr": .double(-.infinity)])), to: &bytes)
            Issue.record("infinity was accepted")
        } catch {
            #expect(error.description.hasPrefix("metadata.lr is -inf"))
        }
    }

    @Test func numbersKeepTheirKind() throws {
        let values: [JSONValue] = [
            0, -1, 3, .integer(.max), .integer(.min), 3.0, 0.1, -0.0, 1e300, .double(.leastNonzeroMagnitude), 1.5e-7,
        ]
        for value in values {
            let text = try value.jsonText()
            #expect(try JSONValue(parsing: text) == value, "\(text)")
        }
        #expect(try JSONValue(parsing: "3") == .integer(3))
        #expect(try JSONValue(parsing: "3.0") == .double(3))
        #expect(try JSONValue(parsing: "99999999999999999999") == .double(1e20))
    }

    /// Doubles are read exactly (the fast path and `strtod` agree with Swift's own parser), for
    /// every double's shortest form and for decimal text of any shape.
    @Test func everyDoubleReadsBackExactly() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            let text = "\(value)"
            #expect(try JSONValue(parsing: text).doubleValue == value, "\(text)")
        }
        for _ in 0..<100_000 {
            let digits = String((0..<Int.random(in: 1...20)).map { _ in "0123456789".randomElement()! })
            let point = Int.random(in: 0...digits.count)
            // JSON allows no leading zeros in the integer part.
            let whole = digits.prefix(point).drop { $0 == "0" }
            var text = whole.isEmpty ? "0" : String(whole)
            if point < digits.count { text += "." + digits.dropFirst(point) }
            if Bool.random() { text += "e\(Int.random(in: -30...30))" }
            if Bool.random() { text = "-" + text }
            let parsed = try JSONValue(parsing: text)
            #expect((parsed.doubleValue ?? .nan) == Double(text), "\(text)")
        }
    }

    @Test func objectsKeepMemberOrder() throws {
        let value: JSONValue = ["z": 1, "a": 2, "m": 3]
        #expect(try value.jsonText() == #"{"z":1,"a":2,"m":3}"#)
        #expect(try JSONValue(parsing: #"{"z":1,"a":2}"#).objectValue?.keys == ["z", "a"])
    }

    @Test func unknownTypesAndFieldsAreIgnored() {
        var decoder = EventLineDecoder<RunEvent>()
        let unknown = decoder.decode(#"{"seq":4,"ts":"2026-11-26T17:36:43.123456Z","type":"checkpoint","path":"x"}"#)
        guard case .unknownType(let seq, let typeName) = unknown else {
            Issue.record("expected an unknown type")
            return
        }
        #expect(seq == 4 && typeName == "checkpoint")
        let extra = decoder.decode(
            #"{"seq":5,"ts":"2026-11-26T17:36:43.123456Z","type":"log","gpu":{"id":[0,1]},"level":"info","message":"m","future":null}"#
        )
        guard case .event(let event) = extra else {
            Issue.record("unknown fields should be skipped")
            return
        }
        #expect(event.payload == .log(LogRecord(.info, "m")))
    }

    @Test func fieldsInAnotherOrderAreAccepted() {
        var decoder = EventLineDecoder<RunEvent>()
        let line = #"{"type":"progress","total":10,"current":2,"ts":"2026-11-26T18:36:43.5+01:00","seq":9}"#
        guard case .event(let event) = decoder.decode(line) else {
            Issue.record("reordered fields should decode")
            return
        }
        #expect(event.seq == 9)
        #expect(event.timestamp == Timestamp(rfc3339: "2026-11-26T17:36:43.500000Z"))
        #expect(event.payload == .progress(ProgressUpdate(current: 2, total: 10)))
    }

    @Test(arguments: [
        (#"{"seq":1,"ts":"2026-11-26T17:36:43.123456Z","type":"log","level":"info","message":"#, "end of line"),
        (#"{"seq":"1","ts":"2026-11-26T17:36:43.123456Z","type":"run_completed"}"#, "`seq` must be an integer"),
        (#"{"seq":1,"ts":"yesterday","type":"run_completed"}"#, "RFC 3339"),
        (
            #"{"seq":1,"ts":"2026-11-26T17:36:43.123456Z","type":"log","level":"loud","message":"m"}"#,
            "debug, info, warn or error"
        ),
        (#"{"seq":1,"ts":"2026-11-26T17:36:43.123456Z","type":"result","key":"k"}"#, "missing field `value`"),
        (#"{"seq":1,"ts":"2026-11-26T17:36:43.123456Z","type":"run_completed"} trailing"#, "unexpected text"),
        ("12", "'{'"),
    ])
    func invalidLinesSayWhatIsWrong(_ line: String, _ reason: String) {
        var decoder = EventLineDecoder<RunEvent>()
        guard case .invalid(_, let message) = decoder.decode(line) else {
            Issue.record("accepted an invalid line: \(line)")
            return
        }
        #expect(message.contains(reason), "\(message)")
    }

    @Test func deepNestingIsRejectedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
    }

    @Test func timestampsFormatAndParse() {
        #expect(Timestamp(microsecondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp(rfc3339: "2000-02-29T23:59:59.999999Z")?.rfc3339 == "2000-02-29T23:59:59.999999Z")
        #expect(Timestamp(microsecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(rfc3339: "2026-13-01T00:00:00Z") == nil)
        let now = Timestamp.now()
        #expect(Timestamp(rfc3339: now.rfc3339) == now)
    }
}
