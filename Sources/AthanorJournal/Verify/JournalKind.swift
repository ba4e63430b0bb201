/// Which kind of journal a file is, told by the `type` of its first event.
public enum JournalKind: String, Sendable {
    case run
    case instance

    /// Reads the first line of the journal at `path` (plain or compressed); `nil` when it is
    /// empty or its first line names neither kind.
    public static func detect(path: String) throws(JournalError) -> JournalKind? {
        let reader = try JournalReader<RunEvent>(path: path)
        guard let record = try reader.next() else { return nil }
        if case .event = record { return .run }
        let instanceReader = try JournalReader<InstanceEvent>(path: reader.path)
        if case .event = try instanceReader.next() { return .instance }
        return nil
    }
}
