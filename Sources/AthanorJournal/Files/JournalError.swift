#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What went wrong with a journal file, naming the file and what would fix it.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (`operation` is what was being done, `code` the errno).
    case io(operation: String, path: String, code: Int32)
    /// No journal at this path, plain or compressed.
    case notFound(path: String)
    /// A directory to search for journals does not exist.
    case directoryNotFound(path: String)
    /// A new journal was to be created where one exists already.
    case alreadyExists(path: String)
    /// Another writer holds the journal's lock.
    case locked(path: String)
    /// An append or close on a writer that is already closed.
    case writerClosed(path: String)
    /// An append after the terminal event.
    case appendAfterTerminal(path: String, terminalSeq: Int)
    /// A value that JSON cannot hold; nothing was written.
    case unrepresentable(path: String, reason: JSONEncodingError)
    /// One event larger than the writer accepts.
    case eventTooLarge(path: String, bytes: Int, limit: Int)
    /// An earlier write failed; the writer accepts nothing more.
    case writerFailed(path: String, reason: String)
    /// zstd refused to compress or decompress.
    case zstd(path: String, reason: String)
    /// A compressed journal ends before its zstd frame does.
    case truncatedCompressedJournal(path: String)
    /// A line is not a valid event (reported when reading strictly).
    case invalidLine(path: String, line: Int, lastGoodSeq: Int?, reason: String)

    public var description: String {
        switch self {
        case .io(let operation, let path, let code):
            return "\(path): could not \(operation): \(String(cString: strerror(code)))"
        case .notFound(let path):
            return "\(path): no such journal (looked for the plain .jsonl and the compressed .jsonl.zst)"
        case .directoryNotFound(let path):
            return "\(path): no such directory"
        case .alreadyExists(let path):
            return "\(path): a journal already exists here; journals are append-only and never overwritten"
        case .locked(let path):
            return
                "\(path): another process is writing this journal (its lock is held); wait for it to finish or stop it"
        case .writerClosed(let path):
            return "\(path): the writer is closed; open the journal again to append"
        case .appendAfterTerminal(let path, let terminalSeq):
            return "\(path): the run already ended at seq \(terminalSeq); nothing may follow the terminal event"
        case .unrepresentable(let path, let reason):
            return "\(path): nothing written: \(reason)"
        case .eventTooLarge(let path, let bytes, let limit):
            return
                "\(path): an event of \(bytes) bytes exceeds the limit of \(limit) bytes; record large artefacts as files and log their paths"
        case .writerFailed(let path, let reason):
            return "\(path): the writer stopped after a failed write (\(reason)); everything before it is readable"
        case .zstd(let path, let reason):
            return "\(path): zstd: \(reason)"
        case .truncatedCompressedJournal(let path):
            return "\(path): the compressed journal is truncated (its zstd frame is incomplete)"
        case .invalidLine(let path, let line, let lastGoodSeq, let reason):
            let after = lastGoodSeq.map { "after seq \($0)" } ?? "before any valid event"
            return "\(path):\(line): invalid event line (\(after)): \(reason)"
        }
    }

    /// The error for a failed system call, from the current `errno`.
    static func fromErrno(_ operation: String, _ path: String) -> JournalError {
        let code = errno
        if code == ENOENT { return .notFound(path: path) }
        return .io(operation: operation, path: path, code: code)
    }
}
