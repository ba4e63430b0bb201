/// A run journal's line as it is, with its type: for readers that forward lines (the API's
/// event stream) rather than interpret them. Every type reads as one, those this build does not
/// know included, and the line keeps every field, unknown ones included; the journal's own bytes
/// go out, never a re-encoding.
public struct RunEventLine: JournalDecodable {
    /// The line's `type`.
    public let typeName: String
    /// The line, without its newline.
    public let bytes: [UInt8]

    public var isTerminal: Bool { RunEvent.isTerminal(typeName: typeName) }

    public static func decode(typeName: String, fields: EventFields) throws(EventDecodingError) -> RunEventLine? {
        RunEventLine(typeName: typeName, bytes: fields.line)
    }
}
