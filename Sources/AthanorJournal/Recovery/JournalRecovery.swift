#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Closes run journals whose writer died: the crash-recovery step of DESIGN.md section 5.
///
/// A plain run journal whose writer lock is free belongs to a writer that is gone. Recovery
/// takes the lock, drops an incomplete last line (never an event), appends
/// `run_failed` ("interrupted: …") unless the run had already ended, and closes the journal,
/// which compresses it. Every complete line stays. Journals whose writer is alive are left
/// alone, and so are journals of other processes' live writers. A file named like a journal
/// that holds no run event and is not the beginning of one (notes, another program's file)
/// is never changed.
public enum JournalRecovery {
    /// What recovery did with one journal.
    public enum Action: Sendable, Equatable {
        /// `run_failed` was appended at `seq` and the journal closed.
        case closedAsInterrupted(seq: Int, discardedTornBytes: Int)
        /// The run had ended but the journal was not yet compressed; it is now.
        case compressedEndedRun
        /// The compressed form was already complete and in place (a writer that stopped
        /// between making it durable and removing the plain file, or a power loss that cost the
        /// plain file its last lines): the redundant plain file was removed.
        case removedRedundantPlainForm
        /// A live writer holds the journal, or an empty one was created moments ago (its writer
        /// may be about to lock it); untouched.
        case skippedLiveWriter
        /// The run was handed to a scheduler (`run_queued`) and has not ended: between its jobs'
        /// workers no process writes it, so a free lock says nothing. Left for whoever can ask
        /// the scheduler (see `ScheduledRuns` in the Athanor module).
        case skippedScheduled(executor: String, jobID: String)
        /// A leftover temporary file of an interrupted compression was removed.
        case removedTemporaryFile
        /// A journal whose writer died before its first event was complete held no event; it
        /// was removed (with the incomplete bytes it had, if any).
        case removedEmptyJournal(discardedTornBytes: Int)
        /// The file has complete lines but no run event, or bytes that do not begin one: it is
        /// not a run journal, and was left exactly as it was.
        case skippedNotARunJournal
        /// Recovery could not finish (a full disk, a read-only directory): the journal is as
        /// it was, or closed but left uncompressed; the next recovery tries again.
        case failed(reason: String)
    }

    /// One journal and what was done with it.
    public struct Outcome: Sendable, Equatable {
        public var path: String
        public var action: Action
    }

    /// Recovers every run journal under `directory` (searched recursively), in path order;
    /// throws only when the directory cannot be listed.
    public static func recoverRuns(
        under directory: String, reason: String = "writer exited without closing the run"
    ) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for path in try journalCandidates(under: directory) {
            do {
                if path.hasSuffix(".zst.tmp") {
                    if let outcome = try removeStaleTemporary(path) { outcomes.append(outcome) }
                } else {
                    outcomes.append(Outcome(path: path, action: try recoverRun(path, reason: reason)))
                }
            } catch {
                // One journal that cannot be recovered now does not hold up the others.
                outcomes.append(Outcome(path: path, action: .failed(reason: "\(error)")))
            }
        }
        return outcomes
    }

    /// Recovers one plain run journal (see the type's description).
    public static func recoverRun(
        _ path: String, reason: String = "writer exited without closing the run"
    ) throws(JournalError) -> Action {
        // A journal is created, then locked: an empty file a few seconds old may be a run being
        // created right now, which recovery must neither lock nor remove.
        if isJustCreated(path) { return .skippedLiveWriter }
        guard try mayBeRunJournal(path) else { return .skippedNotARunJournal }
        let writer: JournalWriter<RunEvent>
        do {
            writer = try JournalWriter<RunEvent>(appendingTo: path)
        } catch .locked {
            return .skippedLiveWriter
        }
        if try hasCompleteCompressedForm(path) {
            try writer.close()
            try JournalFile(path).removePlainForm()
            return .removedRedundantPlainForm
        }
        if writer.terminalSeq != nil {
            try writer.close()
            return .compressedEndedRun
        }
        if writer.lastSeq == 0 {
            try writer.close()
            try POSIX.unlink(writer.path)
            return .removedEmptyJournal(discardedTornBytes: writer.discardedTornBytes)
        }
        if let queued = try queuedEvent(of: path) {
            try writer.close()  // without a terminal event: left plain, as it was
            return .skippedScheduled(executor: queued.executor, jobID: queued.jobID)
        }
        var message = "interrupted: \(reason)"
        if writer.discardedTornBytes > 0 {
            message += " (an incomplete last line of \(writer.discardedTornBytes) bytes was discarded)"
        }
        do {
            let seq = try writer.append(.failed(error: message))
            try writer.close()
            return .closedAsInterrupted(seq: seq, discardedTornBytes: writer.discardedTornBytes)
        } catch {
            try? writer.close()
            throw error
        }
    }

    /// The latest `run_queued` of a journal, if it has one.
    public static func queuedEvent(of path: String) throws(JournalError) -> RunQueued? {
        var queued: RunQueued?
        try JournalReader<RunEvent>(path: path).forEachEvent { event in
            if case .queued(let event) = event.payload { queued = event }
        }
        return queued
    }

    /// Whether the journal's compressed form exists and reads through to a terminal event with
    /// no problem: then it is the journal, whatever the plain file beside it holds.
    private static func hasCompleteCompressedForm(_ path: String) throws(JournalError) -> Bool {
        guard let reader = try JournalReader<RunEvent>.compressedForm(of: path) else { return false }
        do throws(JournalError) {
            while let record = try reader.next() {
                if case .problem = record { return false }
            }
        } catch {
            return false
        }
        return reader.terminalSeq != nil
    }

    /// Whether the plain file at `path` can be a run journal a writer left: one with a run
    /// event, an empty one, or one holding only the incomplete first line a writer begins every
    /// journal with (`{"seq":1,`). Recovery changes nothing else, since truncating a torn last
    /// line or removing an empty journal would destroy another program's file.
    static func mayBeRunJournal(_ path: String) throws(JournalError) -> Bool {
        let reader = try JournalReader<RunEvent>(path: path)
        while let record = try reader.next() {
            if case .event = record { return true }
        }
        guard reader.lineCount == 0 else { return false }
        let head = try firstBytes(of: path, count: firstLinePrefix.count)
        return head.starts(with: firstLinePrefix) || firstLinePrefix.starts(with: head)
    }

    private static let firstLinePrefix = Array(#"{"seq":1,"#.utf8)

    private static func firstBytes(of path: String, count: Int) throws(JournalError) -> [UInt8] {
        let fd = try POSIX.open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(JournalError) in
                try POSIX.read(fd, into: buffer, path: path)
            }
        }
        return Array(bytes.prefix(try read.get()))
    }

    /// A `.zst.tmp` file is stale unless a live writer is building its journal's compressed
    /// form right now (writers do so while they write).
    private static func removeStaleTemporary(_ path: String) throws -> Outcome? {
        let plain = String(path.dropLast(".zst.tmp".count))
        guard !JournalLock.isHeld(plain) else { return nil }
        do {
            try POSIX.unlink(path)
        } catch .notFound {
            return nil  // its writer finished in the meantime
        }
        return Outcome(path: path, action: .removedTemporaryFile)
    }

    /// Plain journals and temporaries; temporaries first, since recovering a journal
    /// recompresses it anyway.
    private static func journalCandidates(under directory: String) throws(JournalError) -> [String] {
        let paths = try JournalFile.paths(
            under: directory, endingWith: [JournalFile.plainSuffix, JournalFile.compressedSuffix + ".tmp"])
        return paths.filter { $0.hasSuffix(".tmp") } + paths.filter { !$0.hasSuffix(".tmp") }
    }

    /// How long an empty journal is taken for one being created.
    static let creationGrace: Int64 = 10

    /// Whether the file at `path` is empty and was modified less than ``creationGrace`` seconds ago.
    private static func isJustCreated(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, status.st_size == 0 else { return false }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) - Int64(status.st_mtim.tv_sec) < creationGrace
    }
}
