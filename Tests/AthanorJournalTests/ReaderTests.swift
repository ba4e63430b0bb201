import AthanorJournal
import Foundation
import Testing

@Suite struct ReaderTests {
    private func line(_ seq: Int, _ rest: String = #""type":"log","level":"info","message":"m""#) -> String {
        #"{"seq":\#(seq),"ts":"2026-11-26T17:36:43.000001Z",\#(rest)}"# + "\n"
    }

    private func created() -> String {
        line(
            1,
            #""type":"run_created","format":1,"run":"r","instance":"i","instance_name":"n","experiment":"e","config":{},"executor":"inline""#
        )
    }

    @Test func tornLastLineIsNotAnEvent() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        // The torn tail happens to parse as JSON (a truncated number): still not an event.
        let torn = #"{"seq":3,"ts":"2026-11-26T17:36:43.000001Z","type":"progress","current":1,"total":10"#
        try TestFiles.write(created() + line(2) + torn, to: path)
        let records = try JournalReader<RunEvent>.records(path)
        #expect(records.compactMap(\.event).map(\.seq) == [1, 2])
        let problem = try #require(records.last?.problem)
        #expect(problem.kind == .tornLastLine(byteCount: torn.utf8.count))
        #expect(problem.line == 3)
        #expect(problem.lastGoodSeq == 2)
    }

    @Test func corruptMiddleLineIsReportedAndReadingContinues() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try TestFiles.write(
            created() + line(2) + "{\"seq\":3,\"ts\":broken}\n" + line(4) + line(5, #""type":"run_completed""#),
            to: path)
        let records = try JournalReader<RunEvent>.records(path)
        #expect(records.compactMap(\.event).map(\.seq) == [1, 2, 4, 5])
        let problems = records.compactMap(\.problem)
        #expect(problems.count == 1, "the seq the invalid line held is not reported again as a gap")
        #expect(problems[0].line == 3)
        #expect(problems[0].lastGoodSeq == 2)
        #expect(problems[0].description.hasPrefix(path + ":3: invalid event line"))
        #expect(throws: JournalError.self) { try JournalReader<RunEvent>.readAll(path: path) }
    }

    @Test func aGapWiderThanTheInvalidLinesIsStillReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try TestFiles.write(created() + "garbage\n" + line(5), to: path)
        let problems = try JournalReader<RunEvent>.records(path).compactMap(\.problem).map(\.kind)
        #expect(problems.count == 2)
        #expect(problems.last == .seqGap(expected: 2, found: 5))
    }

    @Test func seqGapsRepeatsAndEventsAfterTheEndAreReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try TestFiles.write(
            created() + line(2) + line(2) + line(5) + line(6, #""type":"run_failed","error":"e""#) + line(7), to: path)
        let problems = try JournalReader<RunEvent>.records(path).compactMap(\.problem).map(\.kind)
        #expect(
            problems == [
                .seqNotIncreasing(previous: 2, found: 2),
                .seqGap(expected: 3, found: 5),
                .eventAfterTerminal(terminalSeq: 6),
            ])
    }

    @Test func unknownEventTypesKeepTheirPlaceInTheSeq() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try TestFiles.write(created() + line(2, #""type":"checkpoint","path":"x""#) + line(3), to: path)
        let records = try JournalReader<RunEvent>.records(path)
        #expect(records.compactMap(\.problem).isEmpty)
        #expect(records.compactMap(\.event).map(\.seq) == [1, 3])
    }

    @Test func aMillionEventCompressedJournalStreamsInBoundedMemory() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("big.jsonl")
        let writer = try JournalWriter<RunEvent>(creating: path, options: .init(durability: .relaxed))
        try writer.append(SyntheticWorkload().createdEvent(run: "big"))
        let batch = (0..<1000).map { RunEvent.log(LogRecord(.info, "line \($0) of a long run")) }
        for _ in 0..<1000 { try writer.append(contentsOf: batch) }
        try writer.append(.completed)
        try writer.close()

        let reader = try JournalReader<RunEvent>(path: path)
        #expect(reader.isCompressed)
        var count = 0
        var lastSeq = 0
        while let record = try reader.next() {
            guard case .event(let event) = record else {
                Issue.record("unexpected \(record)")
                break
            }
            #expect(event.seq == lastSeq + 1)
            lastSeq = event.seq
            count += 1
        }
        #expect(count == 1_000_002)
        #expect(reader.completeByteCount > 40_000_000)
        #expect(reader.bufferCapacity <= 1 << 18, "the line buffer never grew past its initial 256 KiB")
    }

    @Test func aTruncatedCompressedJournalIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try writeRun(at: path, logs: 20_000).close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path + ".zst"))
        let cut = directory.file("cut.jsonl.zst")
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: cut))
        let reader = try JournalReader<RunEvent>(path: cut)
        #expect(throws: JournalError.truncatedCompressedJournal(path: cut)) {
            while try reader.next() != nil {}
        }
    }

    @Test func aCorruptedCompressedJournalFailsItsChecksum() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try writeRun(at: path, logs: 2000).close()
        var data = try Data(contentsOf: URL(fileURLWithPath: path + ".zst"))
        data[data.count - 2] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: path + ".zst"))
        let reader = try JournalReader<RunEvent>(path: path)
        #expect(throws: JournalError.self) {
            while try reader.next() != nil {}
        }
    }

    @Test func aMissingJournalIsNamed() {
        #expect(throws: JournalError.notFound(path: "/nonexistent/run.jsonl")) {
            try JournalReader<RunEvent>(path: "/nonexistent/run.jsonl.zst")
        }
    }
}
