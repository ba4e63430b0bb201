#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The events of a journal as they are written: an `AsyncSequence` that reads what is there,
/// then waits for more (woken by inotify, with a periodic re-check as a fallback), and
/// finishes after the terminal event.
///
/// It survives the journal's close: a follower reading the plain file keeps its descriptor,
/// which still holds every line after the plain file is replaced by `<name>.jsonl.zst`; a
/// follower that starts after the close reads the compressed form. Any number of followers
/// can follow one journal. Invalid lines are skipped and passed to `onProblem`.
///
/// ```swift
/// for try await event in TailFollower<RunEvent>(path: journal, from: 1) { … }
/// ```
public struct TailFollower<Payload: JournalDecodable>: AsyncSequence, Sendable {
    public typealias Element = JournalEvent<Payload>

    /// The journal followed.
    public let file: JournalFile
    /// The first `seq` delivered.
    public let startSeq: Int
    private let onProblem: (@Sendable (JournalProblem) -> Void)?

    /// Follows the journal at `path` (either of its names), delivering events from `seq` on.
    public init(path: String, from seq: Int = 1, onProblem: (@Sendable (JournalProblem) -> Void)? = nil) {
        file = JournalFile(path)
        startSeq = seq
        self.onProblem = onProblem
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(state: FollowState(file: file, startSeq: startSeq, onProblem: onProblem))
    }

    /// Iterates a ``TailFollower``.
    public struct Iterator: AsyncIteratorProtocol {
        fileprivate let state: FollowState<Payload>

        public mutating func next() async throws -> JournalEvent<Payload>? {
            try await state.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> JournalEvent<Payload>? {
            try await state.next()
        }

        /// Every event decoded and not yet delivered (at least one), waiting for more when there
        /// are none; nil after the terminal event. A consumer that forwards events (a network
        /// stream) handles a burst in one go this way, rather than event by event.
        public mutating func nextBatch(
            isolation actor: isolated (any Actor)? = #isolation
        ) async throws -> [JournalEvent<Payload>]? {
            try await state.nextBatch()
        }
    }
}

/// What a follower reads from, as it moves through the journal's life, and the events it has
/// decoded but not yet delivered: lines are decoded in synchronous batches of everything
/// available, which keeps a follower ahead of a writer logging at a million events a second.
private final class FollowState<Payload: JournalDecodable> {
    private enum Source {
        case notOpened
        case plain(fd: Int32, lines: LineReader<FileByteSource>, watch: FileWatch)
        case compressed(JournalReader<Payload>)
        case finished
    }

    private static var batchLimit: Int { 4096 }

    private let file: JournalFile
    private let onProblem: (@Sendable (JournalProblem) -> Void)?
    private var source = Source.notOpened
    private var decoder = EventLineDecoder<Payload>()
    /// The last `seq` decoded (delivered, buffered or skipped).
    private var lastSeq: Int
    private var batch: [JournalEvent<Payload>] = []
    private var batchIndex = 0

    init(file: JournalFile, startSeq: Int, onProblem: (@Sendable (JournalProblem) -> Void)?) {
        self.file = file
        self.onProblem = onProblem
        lastSeq = startSeq - 1
    }

    deinit {
        if case .plain(let fd, _, _) = source { close(fd) }
    }

    @_specialize(where Payload == RunEvent)
    @_specialize(where Payload == RunEventOutline)
    @_specialize(where Payload == RunEventLine)
    @_specialize(where Payload == InstanceEvent)
    func next(isolation actor: isolated (any Actor)? = #isolation) async throws -> JournalEvent<Payload>? {
        while true {
            if batchIndex < batch.count {
                batchIndex += 1
                return batch[batchIndex - 1]
            }
            try Task.checkCancellation()
            batch.removeAll(keepingCapacity: true)
            batchIndex = 0
            switch source {
            case .finished:
                return nil
            case .notOpened:
                try open()
            case .plain(let fd, let lines, let watch):
                try decodeAvailableLines(from: lines)
                guard batch.isEmpty, case .plain = source else { continue }
                if try plainFileWasRemoved(fd) {
                    close(fd)
                    source = .compressed(try JournalReader(path: file.compressedPath))
                } else {
                    await watch.signal.wait()
                }
            case .compressed(let reader):
                try decodeRecords(from: reader)
            }
        }
    }

    @_specialize(where Payload == RunEvent)
    @_specialize(where Payload == RunEventOutline)
    @_specialize(where Payload == RunEventLine)
    func nextBatch(isolation actor: isolated (any Actor)? = #isolation) async throws -> [JournalEvent<Payload>]? {
        guard let first = try await next() else { return nil }
        var events = [first]
        events.append(contentsOf: batch[batchIndex...])
        batchIndex = batch.count
        return events
    }

    /// Watches before opening, so no change between the two is missed.
    private func open() throws {
        let watch = FileWatchHub.shared.watch(file.plainPath)
        let opened = try file.openForReading()
        // The compressed name is only ever written whole, by a close: whatever its content (an
        // empty or damaged file), it will not grow, so it is read to its end and not waited on.
        if opened.isCompressed || opened.path == file.compressedPath {
            close(opened.fd)
            source = .compressed(try JournalReader(path: opened.path))
        } else {
            let reader = LineReader(source: FileByteSource(fd: opened.fd, path: opened.path), initialCapacity: 1 << 16)
            source = .plain(fd: opened.fd, lines: reader, watch: watch)
        }
    }

    private func decodeAvailableLines(from lines: LineReader<FileByteSource>) throws {
        while batch.count < Self.batchLimit, case .plain = source, let line = try lines.nextLine() {
            accept(decoder.decode(line), path: file.plainPath, line: lines.lineNumber)
        }
    }

    private func decodeRecords(from reader: JournalReader<Payload>) throws {
        while batch.count < Self.batchLimit, case .compressed = source {
            guard let record = try reader.next() else {
                source = .finished
                return
            }
            switch record {
            case .event(let event):
                accept(.event(event), path: reader.path, line: reader.lineCount)
            case .problem(let problem):
                // A compressed journal is complete: an incomplete last line in it is damage.
                onProblem?(problem)
            }
        }
    }

    /// Buffers the event of a decoded line, if it is one to deliver; finishes after the terminal event.
    private func accept(_ decoded: DecodedLine<Payload>, path: String, line: Int) {
        switch decoded {
        case .event(let event):
            guard event.seq > lastSeq else { return }
            lastSeq = event.seq
            batch.append(event)
            if event.payload.isTerminal { finish() }
        case .unknownType(let seq, _):
            lastSeq = max(lastSeq, seq)
        case .invalid(_, let reason):
            onProblem?(JournalProblem(path: path, line: line, lastGoodSeq: lastSeq, kind: .invalidLine(reason: reason)))
        }
    }

    private func finish() {
        if case .plain(let fd, _, _) = source { close(fd) }
        source = .finished
    }

    /// Whether the plain file we read was unlinked without a terminal event reaching us
    /// (only possible if the journal was closed by something other than a writer that ended
    /// it); the compressed form, if any, then has the rest.
    private func plainFileWasRemoved(_ fd: Int32) throws -> Bool {
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_nlink == 0 else { return false }
        guard POSIX.exists(file.compressedPath) else { throw JournalError.notFound(path: file.plainPath) }
        return true
    }
}
