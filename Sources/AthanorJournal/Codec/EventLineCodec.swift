/// Writes and reads whole event lines: `{"seq":…,"ts":"…","type":"…",…}\n`.
public struct EventLineEncoder {
    private var timestamps = TimestampFormatter()

    public init() {}

    /// Appends one complete line to `bytes`; on failure `bytes` is left as it was.
    public mutating func append<Payload: JournalPayload>(
        seq: Int, timestamp: Timestamp, payload: Payload, to bytes: inout [UInt8]
    ) throws(JSONEncodingError) {
        let start = bytes.count
        var encoder = JSONLineEncoder(bytes: [])
        swap(&encoder.bytes, &bytes)
        defer { swap(&encoder.bytes, &bytes) }
        encoder.appendRaw(#"{"seq":"#)
        encoder.appendInteger(Int64(seq))
        encoder.appendRaw(#","ts":""#)
        timestamps.append(timestamp, to: &encoder.bytes)
        encoder.bytes.append(UInt8(ascii: "\""))
        do {
            try payload.encodeFields(into: &encoder)
        } catch {
            encoder.bytes.removeSubrange(start...)
            throw error
        }
        encoder.appendRaw("}\n")
    }

    /// One line as a string (with its newline): convenient for tests, docs and tools.
    public mutating func line<Payload: JournalPayload>(_ event: JournalEvent<Payload>) throws(JSONEncodingError)
        -> String
    {
        var bytes: [UInt8] = []
        try append(seq: event.seq, timestamp: event.timestamp, payload: event.payload, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What one line of a journal turned out to be.
public enum DecodedLine<Payload: JournalDecodable>: Sendable {
    /// A valid event.
    case event(JournalEvent<Payload>)
    /// A valid line of a type this reader does not know; it still takes its place in `seq`.
    case unknownType(seq: Int, typeName: String)
    /// Not a valid event; `seq` is set when it could be read.
    case invalid(seq: Int?, reason: String)
}

/// Reads event lines, reusing its scratch space from line to line.
public struct EventLineDecoder<Payload: JournalDecodable> {
    private var spans: [EventFields.Span] = []

    public init() {}

    /// Decodes one line, given without its terminating newline.
    public mutating func decode(_ line: UnsafeBufferPointer<UInt8>) -> DecodedLine<Payload> {
        do {
            try EventFields.scan(line, into: &spans)
        } catch {
            return .invalid(seq: nil, reason: "not a JSON object: \(error)")
        }
        let fields = EventFields(bytes: line, spans: spans)
        var seq: Int?
        do throws(EventDecodingError) {
            let parsedSeq = try fields.integer("seq")
            guard parsedSeq >= 1 else { throw EventDecodingError("field `seq` must be 1 or more") }
            seq = parsedSeq
            let timestamp = try fields.timestamp("ts")
            let typeName = try fields.string("type")
            guard let payload = try Payload.decode(typeName: typeName, fields: fields) else {
                return .unknownType(seq: parsedSeq, typeName: typeName)
            }
            return .event(JournalEvent(seq: parsedSeq, timestamp: timestamp, payload: payload))
        } catch {
            return .invalid(seq: seq, reason: error.description)
        }
    }

    /// Decodes one line given as text (with or without its newline).
    public mutating func decode(_ line: String) -> DecodedLine<Payload> {
        var bytes = Array(line.utf8)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return bytes.withUnsafeBufferPointer { decode($0) }
    }
}
