/// Checks the `seq` order of a journal's lines: 1, 2, 3… with no gaps, nothing after the
/// terminal event.
struct SequenceChecker {
    private(set) var lastSeq: Int?
    private(set) var terminalSeq: Int?
    /// Invalid lines since the last valid one: each may have held the `seq`s a gap skips.
    private var invalidLines = 0

    /// Continues a check that an earlier reader began, after `seq`.
    mutating func resume(after seq: Int) {
        lastSeq = seq > 0 ? seq : nil
    }

    /// Notes a line that is not a valid event, so the gap it leaves is not reported again.
    mutating func skipInvalidLine() {
        invalidLines += 1
    }

    /// The problem with a line of `seq` arriving now, if any, and records it as seen.
    mutating func check(seq: Int, isTerminal: Bool) -> JournalProblem.Kind? {
        var problem: JournalProblem.Kind?
        if let terminalSeq {
            problem = .eventAfterTerminal(terminalSeq: terminalSeq)
        } else if let lastSeq, seq <= lastSeq {
            problem = .seqNotIncreasing(previous: lastSeq, found: seq)
        } else if seq > (lastSeq ?? 0) + 1 + invalidLines {
            problem = .seqGap(expected: (lastSeq ?? 0) + 1, found: seq)
        }
        invalidLines = 0
        if case .seqNotIncreasing = problem { return problem }
        lastSeq = seq
        if isTerminal && terminalSeq == nil { terminalSeq = seq }
        return problem
    }
}
