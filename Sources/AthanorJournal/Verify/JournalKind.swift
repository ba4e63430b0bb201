#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which kind of journal a file is, told by the `type` of its first event.
public enum JournalKind: String, Sendable {
    case run
    case instance

    /// Reads the first line of the journal at `path` (plain or compressed); `nil` when it has no
    /// complete line or its first line is neither a run nor an instance event.
    public static func detect(path: String) throws(JournalError) -> JournalKind? {
        let opened = try JournalFile(path).openForReading()
        defer { close(opened.fd) }
        let lines = LineReader(source: try JournalByteSource(opened), initialCapacity: 1 << 12)
        guard let first = try lines.nextLine() else { return nil }
        var runDecoder = EventLineDecoder<RunEvent>()
        if case .event = runDecoder.decode(first) { return .run }
        var instanceDecoder = EventLineDecoder<InstanceEvent>()
        if case .event = instanceDecoder.decode(first) { return .instance }
        return nil
    }
}
