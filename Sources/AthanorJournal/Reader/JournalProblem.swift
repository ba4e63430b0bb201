/// Something wrong inside a journal, located by file and line.
public struct JournalProblem: Sendable, Equatable, CustomStringConvertible {
    /// The kinds of problem a reader reports.
    public enum Kind: Sendable, Equatable {
        /// The line is not a valid event.
        case invalidLine(reason: String)
        /// `seq` skipped from `expected` to `found`.
        case seqGap(expected: Int, found: Int)
        /// `seq` repeated or went backwards.
        case seqNotIncreasing(previous: Int, found: Int)
        /// An event follows the terminal event.
        case eventAfterTerminal(terminalSeq: Int)
        /// The last line has no newline: a write in progress, or one torn by a crash.
        case tornLastLine(byteCount: Int)
    }

    /// The file read.
    public var path: String
    /// 1-based line number (for a torn last line, the line it would have been).
    public var line: Int
    /// The last valid event's `seq` before this line.
    public var lastGoodSeq: Int?
    public var kind: Kind

    public init(path: String, line: Int, lastGoodSeq: Int?, kind: Kind) {
        self.path = path
        self.line = line
        self.lastGoodSeq = lastGoodSeq
        self.kind = kind
    }

    public var description: String {
        let after = lastGoodSeq.map { "last good seq \($0)" } ?? "no valid event before it"
        let what: String
        switch kind {
        case .invalidLine(let reason): what = "invalid event line: \(reason)"
        case .seqGap(let expected, let found): what = "seq gap: expected \(expected), found \(found)"
        case .seqNotIncreasing(let previous, let found): what = "seq \(found) does not follow \(previous)"
        case .eventAfterTerminal(let terminalSeq): what = "event after the terminal event (seq \(terminalSeq))"
        case .tornLastLine(let byteCount): what = "last line is incomplete (\(byteCount) bytes without a newline)"
        }
        return "\(path):\(line): \(what) (\(after))"
    }
}

/// One item read from a journal: an event, or a problem found at that point.
public enum JournalRecord<Payload: JournalDecodable>: Sendable {
    case event(JournalEvent<Payload>)
    case problem(JournalProblem)
}
