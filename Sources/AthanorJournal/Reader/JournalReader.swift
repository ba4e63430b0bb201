#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a journal, plain or compressed, as typed events, streaming in bounded memory.
///
/// ``next()`` returns events in order and reports what is wrong as problems in between:
/// an invalid line (with its line number and the last good `seq`), a gap or repeat in `seq`,
/// an event after the terminal one, and an incomplete last line. Reading continues past every
/// problem. A line counts only once its newline is on disk, so a torn write is never an event.
/// Lines of types the payload does not know are skipped (they still count in `seq`).
///
/// ```swift
/// let reader = try JournalReader<RunEvent>(path: "data/runs/…/….jsonl.zst")
/// while let record = try reader.next() { … }
/// ```
public final class JournalReader<Payload: JournalDecodable> {
    /// The file actually read (the plain or the compressed form).
    public let path: String
    /// Whether the file is zstd-compressed.
    public let isCompressed: Bool

    private let fd: Int32
    private let lines: LineReader<JournalByteSource>
    private var decoder = EventLineDecoder<Payload>()
    private var checker = SequenceChecker()
    private var pending: JournalEvent<Payload>?
    private var finished = false

    /// Opens a journal by either of its names (`x.jsonl` or `x.jsonl.zst`): the plain form if it
    /// exists, else the compressed one. Compression is recognised by content.
    public convenience init(path: String) throws(JournalError) {
        try self.init(opened: try JournalFile(path).openForReading())
    }

    /// Reads only the compressed form of the journal at `path`, even while the plain one
    /// exists; nil when there is no compressed form.
    public static func compressedForm(of path: String) throws(JournalError) -> JournalReader? {
        guard let opened = try JournalFile(path).openCompressedForReading() else { return nil }
        return try JournalReader(opened: opened)
    }

    private init(opened: JournalFile.Opened) throws(JournalError) {
        self.path = opened.path
        isCompressed = opened.isCompressed
        fd = opened.fd
        do {
            lines = LineReader(source: try JournalByteSource(opened))
        } catch {
            close(opened.fd)
            throw error
        }
    }

    /// Reads a plain journal from byte `offset` on, which must be the start of a line (a
    /// ``completeByteCount`` from an earlier read), continuing after `lastSeq`: for following
    /// a growing journal without reading it again from the start.
    /// - Throws: ``JournalError/notFound(path:)`` once the journal is no longer plain.
    public init(plainPath path: String, offset: Int64, after lastSeq: Int) throws(JournalError) {
        let plain = JournalFile(path).plainPath
        let descriptor = Glibc.open(plain, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fromErrno("open", plain) }
        guard lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
            let error = JournalError.fromErrno("seek in", plain)
            close(descriptor)
            throw error
        }
        self.path = plain
        isCompressed = false
        fd = descriptor
        lines = LineReader(source: .plain(FileByteSource(fd: descriptor, path: plain)), startingAt: offset)
        checker.resume(after: lastSeq)
    }

    deinit {
        close(fd)
    }

    /// The `seq` of the last valid event read.
    public var lastGoodSeq: Int? { checker.lastSeq }
    /// The `seq` of the terminal event, once read.
    public var terminalSeq: Int? { checker.terminalSeq }
    /// Lines read so far.
    public var lineCount: Int { lines.lineNumber }
    /// Bytes up to the end of the last complete line.
    public var completeByteCount: Int64 { lines.completeByteCount }
    /// The size of the line buffer: stays small unless a single line is larger.
    public var bufferCapacity: Int { lines.capacity }

    /// The next event or problem; `nil` at the end of the journal.
    // Clients in other modules call the generic entry point; these make it dispatch to code
    // specialized for the two payloads (about 40% faster on the read benchmark).
    @_specialize(where Payload == RunEvent)
    @_specialize(where Payload == RunEventOutline)
    @_specialize(where Payload == RunMetricLine)
    @_specialize(where Payload == InstanceEvent)
    public func next() throws(JournalError) -> JournalRecord<Payload>? {
        if let event = pending {
            pending = nil
            return .event(event)
        }
        while !finished {
            guard let line = try lines.nextLine() else {
                finished = true
                guard lines.pendingByteCount == 0 else {
                    return .problem(
                        problem(
                            .tornLastLine(byteCount: lines.pendingByteCount), lastGood: checker.lastSeq,
                            line: lines.lineNumber + 1))
                }
                return nil
            }
            let lastGood = checker.lastSeq
            switch decoder.decode(line) {
            case .event(let event):
                if let kind = checker.check(seq: event.seq, isTerminal: event.payload.isTerminal) {
                    if case .seqNotIncreasing = kind {} else { pending = event }
                    return .problem(problem(kind, lastGood: lastGood))
                }
                return .event(event)
            case .unknownType(let seq, _):
                if let kind = checker.check(seq: seq, isTerminal: false) {
                    return .problem(problem(kind, lastGood: lastGood))
                }
            case .invalid(_, let reason):
                checker.skipInvalidLine()
                return .problem(problem(.invalidLine(reason: reason), lastGood: lastGood))
            }
        }
        return nil
    }

    private func problem(_ kind: JournalProblem.Kind, lastGood: Int?, line: Int? = nil) -> JournalProblem {
        JournalProblem(path: path, line: line ?? lines.lineNumber, lastGoodSeq: lastGood, kind: kind)
    }

    /// Calls `body` with every remaining event, in order, skipping the lines the reader reports
    /// as problems (for folds that want the events and no report; ``next()`` has both).
    public func forEachEvent(_ body: (JournalEvent<Payload>) -> Void) throws(JournalError) {
        while let record = try next() {
            if case .event(let event) = record { body(event) }
        }
    }

    /// The event on the journal's last complete line, or nil if that line is not a valid
    /// event. Reads every line but decodes only the last (how a run ended, cheaply); the
    /// reader is at the end afterwards.
    public func lastLineEvent() throws(JournalError) -> JournalEvent<Payload>? {
        var last: [UInt8] = []
        while let line = try lines.nextLine() {
            last.removeAll(keepingCapacity: true)
            last.append(contentsOf: line)
        }
        finished = true
        return last.withUnsafeBufferPointer { line in
            if case .event(let event) = decoder.decode(line) { return event }
            return nil
        }
    }

    /// Every event of the journal; throws on the first problem.
    public static func readAll(path: String) throws(JournalError) -> [JournalEvent<Payload>] {
        let reader = try JournalReader(path: path)
        var events: [JournalEvent<Payload>] = []
        while let record = try reader.next() {
            switch record {
            case .event(let event): events.append(event)
            case .problem(let problem):
                throw .invalidLine(
                    path: problem.path, line: problem.line, lastGoodSeq: problem.lastGoodSeq,
                    reason: problem.description)
            }
        }
        return events
    }
}
