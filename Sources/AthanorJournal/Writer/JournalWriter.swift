import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The single writer of one journal: appends typed events as JSON lines, with group commit.
///
/// `append` encodes the event into an in-memory buffer under a short lock and returns; a
/// dedicated flusher thread writes whatever is buffered as soon as it is free, so at a trickle
/// each event reaches the file within a millisecond and under load writes batch themselves.
/// The buffer is bounded: when it is full, `append` waits for the flusher (back-pressure).
/// ``Durability`` decides which appends also wait for fsync.
///
/// The writer keeps space reserved ahead of the journal's end (`fallocate` beyond the end of
/// the file) so that a full disk cannot take the run's last word: when the reserve can no
/// longer be renewed, the batch that did not fit is dropped, further events are refused with
/// ``JournalError/writerFailed(path:reason:)`` saying so, and the terminal event still goes
/// into the reserve.
///
/// While open, the writer holds an exclusive `flock` on the plain journal; no other writer can
/// open it. ``close()`` flushes, fsyncs and, once the terminal event is written, replaces the
/// journal by its zstd-compressed form (`<name>.jsonl.zst`). That form is built while the
/// journal is written (the flusher compresses what it writes into `<name>.jsonl.zst.tmp`), and
/// it is what makes the terminal event durable: the frame is ended, fsynced and renamed into
/// place, so the plain journal (18 MB for workload W, against 2 MB) is never fsynced at the end
/// and close only removes it. Appending after the terminal
/// event, or after close, throws. Always close a writer: its flusher thread runs until then.
public final class JournalWriter<Payload: JournalPayload>: @unchecked Sendable {
    /// How a writer behaves.
    public struct Options: Sendable {
        /// Which appends wait for fsync.
        public var durability: Durability
        /// Whether ``close()`` compresses a journal whose terminal event is written.
        public var compressOnClose: Bool
        /// zstd level used when compressing. The default, 1, is the fastest level and, on
        /// journals, also compresses better than 3 (see BENCHMARKS.md).
        public var compressionLevel: Int32
        /// Buffered bytes at which `append` waits for the flusher.
        public var bufferLimit: Int
        /// The largest single event accepted, in bytes.
        public var maximumEventBytes: Int

        public init(
            durability: Durability = .lifecycle, compressOnClose: Bool = true,
            compressionLevel: Int32 = 1, bufferLimit: Int = 8 << 20,
            maximumEventBytes: Int = 64 << 20
        ) {
            self.durability = durability
            self.compressOnClose = compressOnClose
            self.compressionLevel = compressionLevel
            self.bufferLimit = bufferLimit
            self.maximumEventBytes = maximumEventBytes
        }
    }

    private enum Phase {
        case open
        /// The disk is full: only the terminal event is still accepted, into the reserve.
        case outOfSpace(reason: String)
        case ended(terminalSeq: Int)
        case failed(reason: String)
        case closed
    }

    private enum FlusherState {
        case busy
        case idle
        case exited
    }

    /// The journal's plain path (`<name>.jsonl`).
    public let path: String
    /// Bytes of an incomplete last line that ``init(lease:options:)`` found and removed
    /// (they were never an event).
    public let discardedTornBytes: Int

    private let file: JournalFile
    private let fd: Int32
    private let options: Options
    private let monitor = Monitor()

    // Guarded by `monitor`.
    private var buffer: [UInt8] = []
    private var encoder = EventLineEncoder()
    private var lastSeqValue: Int
    private var writtenSeq: Int
    private var durableSeqValue: Int
    private var syncRequestedThrough = 0
    private var phase: Phase
    private var flusher = FlusherState.busy
    private var closing = false
    /// `lastSeqValue`, readable without the lock: the flusher watches it for a moment before
    /// going idle, so that at full speed appenders rarely have to wake it.
    private let appendedSeq = Atomic<Int>(0)

    // Owned by the flusher thread (and by `close` once the flusher has exited).
    private var fileSize: Int
    private var reserve: SpaceReserve
    /// The compressed form being built; nil when compression waits for close (it could not
    /// be started, or failed on the way).
    private var compressedForm: ZstdFileStream?
    /// The compressed form is complete and in place (the run has ended); the plain journal
    /// only waits for close to remove it.
    private var published = false

    /// Creates a new journal at `path` (which must not exist) and locks it.
    public convenience init(creating path: String, options: Options = Options()) throws(JournalError) {
        let lease = try JournalLease.create(path)
        defer { lease.release() }
        try self.init(lease: lease, options: options)
    }

    /// Takes over an existing plain journal whose previous writer is gone: locks it, reads it to
    /// find the last `seq`, and removes an incomplete last line. Appends continue the `seq`.
    /// - Throws: ``JournalError/locked(path:)`` while another writer is alive.
    public convenience init(appendingTo path: String, options: Options = Options()) throws(JournalError) {
        let lease = try JournalLease.acquire(path)
        defer { lease.release() }
        try self.init(lease: lease, options: options)
    }

    /// A writer under a lock already held (see ``JournalLease``): reads the journal to find the
    /// last `seq` and removes an incomplete last line. The writer shares the lease's lock; the
    /// journal stays locked until both are closed.
    public convenience init(lease: JournalLease, options: Options = Options()) throws(JournalError) {
        let fd = try lease.duplicate()
        do throws(JournalError) {
            let reader = try JournalReader<Payload>(path: lease.path)
            var tornBytes = 0
            while let record = try reader.next() {
                if case .problem(let problem) = record, case .tornLastLine(let count) = problem.kind {
                    tornBytes = count
                }
            }
            if tornBytes > 0 {
                guard ftruncate(fd, off_t(reader.completeByteCount)) == 0 else {
                    throw JournalError.fromErrno("remove the incomplete last line of", lease.path)
                }
                try POSIX.fsync(fd, path: lease.path)
            }
            self.init(
                fd: fd, path: lease.path, options: options, lastSeq: reader.lastGoodSeq ?? 0,
                terminalSeq: reader.terminalSeq, discardedTornBytes: tornBytes)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    private init(fd: Int32, path: String, options: Options, lastSeq: Int, terminalSeq: Int?, discardedTornBytes: Int) {
        self.fd = fd
        self.path = path
        self.file = JournalFile(path)
        self.options = options
        self.discardedTornBytes = discardedTornBytes
        fileSize = Int(lseek(fd, 0, SEEK_END))
        reserve = SpaceReserve(fileSize: fileSize)
        // With what the journal already holds (`run_created`, when a worker takes over from its
        // supervisor). Without it (no space, say) close compresses the whole journal instead.
        if options.compressOnClose { compressedForm = try? file.startCompressedForm(level: options.compressionLevel) }
        lastSeqValue = lastSeq
        writtenSeq = lastSeq
        durableSeqValue = lastSeq
        phase = terminalSeq.map { .ended(terminalSeq: $0) } ?? .open
        buffer.reserveCapacity(min(options.bufferLimit, 1 << 20))
        let thread = Thread { [self] in runFlusher() }
        thread.name = "athanor-journal-flusher"
        thread.start()
    }

    /// The `seq` of the last event appended (0 before the first).
    public var lastSeq: Int {
        monitor.lock()
        defer { monitor.unlock() }
        return lastSeqValue
    }

    /// Every event up to this `seq` is on stable storage (fsync'ed).
    public var durableSeq: Int {
        monitor.lock()
        defer { monitor.unlock() }
        return durableSeqValue
    }

    /// The `seq` of the terminal event, once appended.
    public var terminalSeq: Int? {
        monitor.lock()
        defer { monitor.unlock() }
        if case .ended(let seq) = phase { return seq }
        return nil
    }

    /// Appends one event and returns its `seq`.
    ///
    /// Returns once the event is buffered (or, for events the durability mode covers, on disk).
    /// - Throws: ``JournalError/unrepresentable(path:reason:)`` for a value JSON cannot hold (nothing
    ///   is written and no `seq` used), ``JournalError/appendAfterTerminal(path:terminalSeq:)``,
    ///   ``JournalError/writerClosed(path:)``, ``JournalError/writerFailed(path:reason:)``.
    @discardableResult
    public func append(_ payload: Payload) throws(JournalError) -> Int {
        monitor.lock()
        defer { monitor.unlock() }
        let seq = try appendLocked(payload)
        try finishAppendLocked(through: seq, needsSync: needsSync(payload))
        return seq
    }

    /// Appends several events under one lock; returns the `seq` of the last (nil when empty).
    /// Stops at the first event that cannot be written, keeping those before it.
    @discardableResult
    public func append(contentsOf payloads: some Sequence<Payload>) throws(JournalError) -> Int? {
        monitor.lock()
        defer { monitor.unlock() }
        var last: Int?
        var sync = false
        do throws(JournalError) {
            for payload in payloads {
                last = try appendLocked(payload)
                sync = sync || needsSync(payload)
            }
        } catch {
            if let last { try finishAppendLocked(through: last, needsSync: sync) }
            throw error
        }
        if let last { try finishAppendLocked(through: last, needsSync: sync) }
        return last
    }

    /// Waits until every appended event has been written to the file.
    public func flush() throws(JournalError) {
        monitor.lock()
        defer { monitor.unlock() }
        try waitLocked { $0.writtenSeq >= $0.lastSeqValue }
    }

    /// Waits until every appended event is on stable storage.
    public func sync() throws(JournalError) {
        monitor.lock()
        defer { monitor.unlock() }
        syncRequestedThrough = lastSeqValue
        wakeFlusherLocked()
        try waitLocked { $0.durableSeqValue >= $0.lastSeqValue }
    }

    /// Flushes and fsyncs everything, compresses the journal if its terminal event is written
    /// (and ``Options/compressOnClose`` is on), and releases the lock.
    public func close() throws(JournalError) {
        monitor.lock()
        if case .closed = phase {
            monitor.unlock()
            throw .writerClosed(path: path)
        }
        closing = true
        wakeFlusherLocked()
        while flusher != .exited { monitor.waitForProgress() }
        let previous = phase
        phase = .closed
        monitor.unlock()

        defer { Glibc.close(fd) }
        switch previous {
        case .failed(let reason):
            throw .writerFailed(path: path, reason: reason)
        case .ended where options.compressOnClose:
            if published {
                try file.removePlainForm()
            } else if let compressedForm {
                // The compressed form holds every byte written: fsyncing it is enough.
                do throws(JournalError) {
                    try file.installCompressedForm(compressedForm)
                } catch {
                    try POSIX.fsync(fd, path: path)
                    throw error
                }
            } else {
                try POSIX.fsync(fd, path: path)
                try file.compressPlainForm(level: options.compressionLevel)
            }
        default:
            compressedForm?.abandon()
            reserve.release(fd: fd, fileSize: fileSize)
            try POSIX.fsync(fd, path: path)
        }
    }

    // MARK: - Appending (lock held)

    private func needsSync(_ payload: Payload) -> Bool {
        switch options.durability {
        case .strict: true
        case .lifecycle: payload.isLifecycle
        case .relaxed: false
        }
    }

    private func appendLocked(_ payload: Payload) throws(JournalError) -> Int {
        try checkAppendableLocked(terminal: payload.isTerminal)
        while buffer.count >= options.bufferLimit {
            wakeFlusherLocked()
            monitor.waitForProgress()
            try checkAppendableLocked(terminal: payload.isTerminal)
        }
        let seq = lastSeqValue + 1
        let start = buffer.count
        do {
            try encoder.append(seq: seq, timestamp: .now(), payload: payload, to: &buffer)
        } catch {
            throw .unrepresentable(path: path, reason: error)
        }
        let size = buffer.count - start
        guard size <= options.maximumEventBytes else {
            buffer.removeSubrange(start...)
            throw .eventTooLarge(path: path, bytes: size, limit: options.maximumEventBytes)
        }
        lastSeqValue = seq
        appendedSeq.store(seq, ordering: .relaxed)
        if payload.isTerminal { phase = .ended(terminalSeq: seq) }
        return seq
    }

    private func finishAppendLocked(through seq: Int, needsSync: Bool) throws(JournalError) {
        if needsSync { syncRequestedThrough = seq }
        wakeFlusherLocked()
        if needsSync { try waitLocked { $0.durableSeqValue >= seq } }
    }

    private func checkAppendableLocked(terminal: Bool) throws(JournalError) {
        switch phase {
        case .open: return
        case .outOfSpace(let reason):
            if !terminal { throw .writerFailed(path: path, reason: reason) }
        case .ended(let terminalSeq): throw .appendAfterTerminal(path: path, terminalSeq: terminalSeq)
        case .failed(let reason): throw .writerFailed(path: path, reason: reason)
        case .closed: throw .writerClosed(path: path)
        }
    }

    private func waitLocked(until condition: (JournalWriter) -> Bool) throws(JournalError) {
        while !condition(self) {
            switch phase {
            case .failed(let reason), .outOfSpace(let reason): throw .writerFailed(path: path, reason: reason)
            case .closed: throw .writerClosed(path: path)
            case .open, .ended: break
            }
            monitor.waitForProgress()
        }
    }

    private func wakeFlusherLocked() {
        if flusher == .idle {
            flusher = .busy
            monitor.wakeFlusher()
        }
    }

    // MARK: - Flusher thread

    private func runFlusher() {
        var writing: [UInt8] = []
        writing.reserveCapacity(buffer.capacity)
        monitor.lock()
        while true {
            var lingered = false
            while buffer.isEmpty && syncRequestedThrough <= durableSeqValue && !closing {
                if !lingered {
                    // Appends arriving within a few microseconds find the flusher busy and
                    // need no wake-up (a futex call and a context switch each).
                    lingered = true
                    let seen = lastSeqValue
                    monitor.unlock()
                    lingerForAppends(after: seen)
                    monitor.lock()
                    continue
                }
                flusher = .idle
                monitor.waitForWork()
            }
            flusher = .busy
            if buffer.isEmpty && syncRequestedThrough <= durableSeqValue { break }
            swap(&buffer, &writing)
            let through = lastSeqValue
            let mustSync = syncRequestedThrough > durableSeqValue
            // Once the run has ended (or the disk is full) the reserve is there to be spent.
            let mayUseReserve: Bool
            var endsHere = false
            switch phase {
            case .open: mayUseReserve = false
            case .ended(let terminalSeq):
                mayUseReserve = true
                endsHere = terminalSeq <= through && options.compressOnClose
            default: mayUseReserve = true
            }
            monitor.unlock()

            if !mayUseReserve, let shortage = reserve.extend(fd: fd, fileSize: fileSize, toWrite: writing.count) {
                monitor.lock()
                dropUnwrittenLocked(because: shortage)
                writing.removeAll(keepingCapacity: true)
                continue
            }
            // The batch holding the terminal event is made durable by the compressed form.
            let publishing = endsHere && mustSync && compressedForm != nil
            var failure = write(writing, sync: mustSync && !publishing)
            fileSize += writing.count
            if failure == nil { compressWritten(writing) }
            if failure == nil && publishing { failure = publishCompressedForm() }
            writing.removeAll(keepingCapacity: true)

            monitor.lock()
            if let failure {
                phase = .failed(reason: failure.description)
                break
            }
            writtenSeq = through
            if mustSync { durableSeqValue = through }
            monitor.announceProgress()
        }
        flusher = .exited
        monitor.announceProgress()
        monitor.unlock()
    }

    /// Puts the finished compressed form in place (see the type's description); if that
    /// fails, the plain journal is fsynced instead and close compresses it whole.
    private func publishCompressedForm() -> JournalError? {
        if let stream = compressedForm {
            compressedForm = nil
            do throws(JournalError) {
                try file.publishCompressedForm(stream)
                published = true
                return nil
            } catch {}
        }
        return write([], sync: true)
    }

    /// Adds bytes just written to the compressed form; if that fails, close compresses the
    /// whole journal instead.
    private func compressWritten(_ bytes: [UInt8]) {
        guard let stream = compressedForm else { return }
        do {
            try bytes.withUnsafeBytes { try stream.write($0) }
        } catch {
            stream.abandon()
            compressedForm = nil
        }
    }

    /// Waits up to ``lingerNanoseconds`` for an append after `seq`, without the lock.
    private func lingerForAppends(after seq: Int) {
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var now = start
        while appendedSeq.load(ordering: .relaxed) == seq {
            clock_gettime(CLOCK_MONOTONIC, &now)
            let elapsed = (now.tv_sec - start.tv_sec) * 1_000_000_000 + (now.tv_nsec - start.tv_nsec)
            if elapsed >= Self.lingerNanoseconds { return }
        }
    }

    /// How long the flusher looks for more appends before it sleeps.
    private static var lingerNanoseconds: Int { 20_000 }

    /// The disk is full: forgets every event not yet written (they were never durable, and
    /// strict appenders waiting for them are told), and refuses all but the terminal event.
    private func dropUnwrittenLocked(because shortage: String) {
        let dropped = lastSeqValue - writtenSeq
        buffer.removeAll(keepingCapacity: true)
        lastSeqValue = writtenSeq
        appendedSeq.store(writtenSeq, ordering: .relaxed)
        syncRequestedThrough = min(syncRequestedThrough, writtenSeq)
        phase = .outOfSpace(
            reason:
                "\(shortage); \(dropped) event\(dropped == 1 ? "" : "s") after seq \(writtenSeq) could not be written")
        monitor.announceProgress()
    }

    private func write(_ bytes: [UInt8], sync: Bool) -> JournalError? {
        do {
            if !bytes.isEmpty {
                try bytes.withUnsafeBytes { raw in try POSIX.writeAll(fd, raw, path: path) }
            }
            if sync { try POSIX.fsync(fd, path: path) }
            return nil
        } catch let error as JournalError {
            return error
        } catch {
            return .writerFailed(path: path, reason: "\(error)")
        }
    }
}
