import AthanorJournal

/// Which of a run's log lines a reader wants: at or above a level, containing some text (under
/// the one ``TextSearch`` rule), within a range of `seq`. The API, MCP and the CLI all filter
/// logs with it.
public struct LogFilter: Sendable, Hashable {
    /// Lines below this level are left out.
    public var minimumLevel: LogLevel
    /// Only lines whose message contains it are kept.
    public var text: TextSearch
    /// Only lines after this `seq`, when set.
    public var afterSeq: Int?
    /// Only lines up to this `seq`, when set.
    public var throughSeq: Int?

    public init(minimumLevel: LogLevel = .debug, text: String = "", afterSeq: Int? = nil, throughSeq: Int? = nil) {
        self.minimumLevel = minimumLevel
        self.text = TextSearch(text)
        self.afterSeq = afterSeq
        self.throughSeq = throughSeq
    }

    /// Whether the log line `record`, recorded at `seq`, passes.
    public func accepts(seq: Int, _ record: LogRecord) -> Bool {
        if let afterSeq, seq <= afterSeq { return false }
        if let throughSeq, seq > throughSeq { return false }
        return record.level >= minimumLevel && text.matches(record.message)
    }
}
