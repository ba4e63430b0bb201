import AthanorJournal
import Foundation
import Synchronization

/// The projections of every instance and run in a data directory, kept current from the
/// journals alone, whichever process wrote them.
///
/// ``refresh()`` re-reads only what changed: new journals, live runs that grew, runs that
/// closed. Summaries of closed runs are cached in `data/.cache` keyed by file identity, so a
/// start-up with thousands of runs reads the cache instead of every journal.
public final class Catalog: Sendable {
    /// One run: its summary and where its journal is.
    public struct RunEntry: Sendable, Hashable {
        public var summary: RunSummary
        /// The journal's plain path (`…/<run>.jsonl`; the file may be the `.zst` form).
        public var journalPath: String
        /// What identifies the file read (a changed file is read again).
        fileprivate(set) var identity: FileIdentity
        /// Whether this was read from the compressed (closed) form.
        fileprivate(set) var isClosed: Bool
        /// For a live (plain) journal, the bytes folded so far.
        fileprivate var readBytes: Int64

        /// The journal's file as it is now (see ``JournalFile/currentPath``).
        public var currentFilePath: String { JournalFile(journalPath).currentPath }

        /// Whether this reading of the run is later than `other` (read from the same run, each
        /// outside the catalog's lock, so possibly finished in either order).
        fileprivate func isLater(than other: RunEntry) -> Bool {
            if isClosed != other.isClosed { return isClosed }
            return summary.lastSeq > other.summary.lastSeq || readBytes > other.readBytes
        }
    }

    private struct State {
        var instances: [String: InstanceState] = [:]
        var instanceIdentities: [String: FileIdentity] = [:]
        var runs: [String: RunEntry] = [:]
        var cache: SummaryCache
        var problems: [String] = []
        /// Whether a full ``refresh()`` has finished.
        var hasRead = false
    }

    public let data: DataDirectory
    /// Memory only: every file is read, and every fold done, outside it, so that a query never
    /// waits on another's disk reads.
    private let state: Mutex<State>
    /// Held while the cache file is written, so that two writes never finish out of order.
    private let cacheWriting = Mutex(())
    private let cachePath: String

    /// A catalog of `data`; call ``refresh()`` (or ``open(_:)``) to read it.
    public init(data: DataDirectory) {
        self.data = data
        var cache = SummaryCache(directory: data.path + "/.cache")
        cache.load()
        cachePath = cache.path
        state = Mutex(State(cache: cache))
    }

    /// Opens a catalog: recovers runs whose writer died (unless `recoveringDeadRuns` is false:
    /// a server recovers them in the background), then reads everything.
    public static func open(_ data: DataDirectory, recoveringDeadRuns: Bool = true) throws -> Catalog {
        try data.prepare()
        let catalog = Catalog(data: data)
        if recoveringDeadRuns { _ = try JournalRecovery.recoverRuns(under: data.runsPath) }
        try catalog.refresh()
        return catalog
    }

    // MARK: Queries

    /// Instances, oldest first; deleted ones only when asked.
    public func instances(includingDeleted: Bool = false) -> [InstanceState] {
        state.withLock { state in
            state.instances.values.filter { includingDeleted || !$0.isDeleted }.sorted { $0.instanceID < $1.instanceID }
        }
    }

    /// Runs, oldest first, optionally of one instance and one status. Runs not yet ended are
    /// brought up to date from their journals first, so that the answer is never older than
    /// what a follower of those journals has already delivered.
    public func runs(instance: String? = nil, status: RunStatus? = nil) -> [RunEntry] {
        let live = state.withLock { state in
            state.runs.values.filter { entry in
                !entry.summary.status.isFinished && (instance == nil || entry.summary.instanceID == instance)
            }
        }
        for entry in live { bringUpToDate(entry) }
        return state.withLock { state in
            state.runs.values.filter { entry in
                (instance == nil || entry.summary.instanceID == instance)
                    && (status == nil || entry.summary.status == status)
            }.sorted { $0.summary.runID < $1.summary.runID }
        }
    }

    /// The instance whose ID is `prefix` or starts with it; one created by another process since
    /// the catalog last looked is found too when asked for by its full ID.
    public func instance(_ prefix: String) throws(HarnessError) -> InstanceState {
        do {
            return try knownInstance(prefix)
        } catch .unknownID where prefix.count == Identifier.length {
            _ = readInstance(data.instanceJournal(prefix.lowercased()))
            return try knownInstance(prefix)
        }
    }

    private func knownInstance(_ prefix: String) throws(HarnessError) -> InstanceState {
        try state.withLock { (state) throws(HarnessError) -> InstanceState in
            let id = try IDResolution.resolve(prefix, kind: "instance", among: state.instances.keys)
            guard let instance = state.instances[id] else { throw .unknownID(kind: "instance", prefix: prefix) }
            return instance
        }
    }

    /// The run whose ID is `prefix` or starts with it, as its journal is now (see
    /// ``runs(instance:status:)``). A run created by another process since the catalog last
    /// looked is found too when asked for by its full ID.
    public func run(_ prefix: String) throws(HarnessError) -> RunEntry {
        let entry: RunEntry
        do {
            entry = try knownRun(prefix)
        } catch .unknownID where prefix.count == Identifier.length {
            // Only the journal of that ID is looked for: an unknown ID costs a `stat`, not a
            // read of the directory.
            let instances = (try? subdirectories(of: data.runsPath)) ?? []
            try? refresh(
                changedPaths: Set(instances.map { JournalFile.plainPath(in: $0, id: prefix.lowercased()) }))
            entry = try knownRun(prefix)
        }
        return entry.summary.status.isFinished ? entry : bringUpToDate(entry)
    }

    private func knownRun(_ prefix: String) throws(HarnessError) -> RunEntry {
        try state.withLock { (state) throws(HarnessError) -> RunEntry in
            let id = try IDResolution.resolve(prefix, kind: "run", among: state.runs.keys)
            guard let entry = state.runs[id] else { throw .unknownID(kind: "run", prefix: prefix) }
            return entry
        }
    }

    /// Re-reads what changed in the journal of a run not known to have ended.
    @discardableResult
    private func bringUpToDate(_ entry: RunEntry) -> RunEntry {
        let plain = entry.journalPath
        guard let fresh = readRun(plainPath: plain, file: JournalFile(plain).currentPath) else { return entry }
        return state.withLock { state in keep(fresh, in: &state) }
    }

    /// Every instance (deleted ones included) and every run's summary (oldest first), as the
    /// catalog holds them now: read from memory only, in one step, so that the two agree.
    public func snapshot() -> (instances: [InstanceState], runs: [RunSummary]) {
        state.withLock { state in
            (
                state.instances.values.sorted { $0.instanceID < $1.instanceID },
                state.runs.values.map(\.summary).sorted { $0.runID < $1.runID }
            )
        }
    }

    /// Journals that could not be read at the last refresh, each with the reason.
    public var problems: [String] { state.withLock { $0.problems } }

    // MARK: Reading the directory

    /// Brings every projection up to date with the journals on disk.
    public func refresh() throws {
        let instanceFiles = try journalFiles(in: data.instancesPath, plainOnly: true)
        var runFiles: [String: String] = [:]
        for instance in try subdirectories(of: data.runsPath) {
            for file in try journalFiles(in: instance, plainOnly: false) {
                // Both forms exist together only mid-close, when the compressed one is complete.
                let plain = JournalFile(file).plainPath
                if runFiles[plain].map(JournalFile.isCompressedName) != true { runFiles[plain] = file }
            }
        }
        var problems: [String] = []
        for path in instanceFiles {
            if let problem = readInstance(path) { problems.append(problem) }
        }
        var present: Set<String> = []
        for (plainPath, path) in runFiles {
            present.insert(JournalFile(plainPath).id)
            guard let entry = readRun(plainPath: plainPath, file: path) else { continue }
            state.withLock { state in _ = keep(entry, in: &state) }
        }
        let absent = state.withLock { state in state.runs.values.filter { !present.contains($0.summary.runID) } }
        let gone = absent.filter { !FileManager.default.fileExists(atPath: $0.currentFilePath) }
        state.withLock { state in
            for entry in gone { state.runs[entry.summary.runID] = nil }
            state.cache.keepOnly(Set(runFiles.values))
            state.problems = problems
            state.hasRead = true
        }
        saveCache()
    }

    /// Whether the whole directory has been read (by a ``refresh()``).
    public var hasRead: Bool { state.withLock { $0.hasRead } }

    /// Reads the whole directory unless it has been: the first use of a catalog opened lazily.
    public func readIfNeeded() {
        if !hasRead { try? refresh() }
    }

    /// Reads the instance journal at `path` if it changed; the problem, if it cannot be read.
    private func readInstance(_ path: String) -> String? {
        guard let identity = FileIdentity(path: path) else { return nil }
        let id = JournalFile(path).id
        if state.withLock({ $0.instanceIdentities[id] == identity }) { return nil }
        do {
            let instance = InstanceState(events: try JournalReader<InstanceEvent>.readAll(path: path))
            state.withLock { state in
                state.instances[id] = instance
                state.instanceIdentities[id] = identity
            }
            return nil
        } catch {
            return error.description
        }
    }

    /// Stores `entry` unless the catalog holds a later reading of its run; returns what it holds.
    private func keep(_ entry: RunEntry, in state: inout State) -> RunEntry {
        let runID = entry.summary.runID
        if let held = state.runs[runID], held.identity == entry.identity || held.isLater(than: entry) { return held }
        state.runs[runID] = entry
        if entry.isClosed, state.cache.summary(for: entry.currentFilePath, identity: entry.identity) == nil {
            state.cache.store(entry.summary, for: entry.currentFilePath, identity: entry.identity)
        }
        return entry
    }

    /// Writes the summary cache if it changed, outside the catalog's lock.
    private func saveCache() {
        cacheWriting.withLock { _ in
            guard let entries = state.withLock({ $0.cache.takeChanges() }) else { return }
            if !SummaryCache.write(entries, to: cachePath) { state.withLock { $0.cache.markUnsaved() } }
        }
    }

    /// The entry of the run whose current file is `path`: unchanged, from the cache, grown
    /// (only the new lines read), or read whole. Reads outside the lock.
    private func readRun(plainPath: String, file path: String) -> RunEntry? {
        guard let identity = FileIdentity(path: path) else { return nil }
        let runID = Self.runID(of: plainPath)
        let isClosed = JournalFile.isCompressedName(path)
        let (known, cached) = state.withLock { state in
            (state.runs[runID], isClosed ? state.cache.summary(for: path, identity: identity) : nil)
        }
        if let known, known.identity == identity { return known }
        if let cached {
            return RunEntry(summary: cached, journalPath: plainPath, identity: identity, isClosed: true, readBytes: 0)
        }
        var entry: RunEntry
        do throws(JournalError) {
            if !isClosed, let known, !known.isClosed, known.identity.isGrowth(to: identity), known.readBytes > 0 {
                // A live run that grew: fold in only the new lines.
                entry = known
                let reader = try JournalReader<RunEventOutline>(
                    plainPath: path, offset: known.readBytes, after: known.summary.lastSeq)
                entry.readBytes = Self.fold(reader, into: &entry.summary)
                entry.identity = identity
            } else {
                var summary = RunSummary()
                let read = Self.fold(try JournalReader<RunEventOutline>(path: path), into: &summary)
                entry = RunEntry(
                    summary: summary, journalPath: plainPath, identity: identity, isClosed: isClosed,
                    readBytes: isClosed ? 0 : read)
            }
        } catch .notFound {
            // Closed (or removed) between listing and reading; the next refresh finds its new form.
            return nil
        } catch {
            // Unreadable from its first byte: still a run, listed with the reason.
            var summary = RunSummary()
            summary.noteProblem(error.description)
            entry = RunEntry(summary: summary, journalPath: plainPath, identity: identity, isClosed: isClosed, readBytes: 0)
        }
        Self.identify(&entry.summary, plainPath: plainPath, file: path, isClosed: isClosed)
        if isClosed, entry.summary.lastSeq > 0, !entry.summary.status.isFinished {
            entry.summary.noteProblem(
                "\(path): closed without a terminal event: the run's end is missing, and its status is the last one recorded"
            )
        }
        return entry
    }

    /// A journal without `run_created` still names its run and instance (by its path), and one
    /// that no writer holds says what it lacks, so that it can be listed, shown and found by ID.
    private static func identify(_ summary: inout RunSummary, plainPath: String, file path: String, isClosed: Bool) {
        guard summary.runID.isEmpty else { return }
        summary.runID = runID(of: plainPath)
        summary.instanceID = ((plainPath as NSString).deletingLastPathComponent as NSString).lastPathComponent
        // A live journal may be empty for the moment between its creation and its first event.
        guard summary.problems.isEmpty, isClosed || !JournalLock.isHeld(plainPath) else { return }
        summary.noteProblem(
            summary.lastSeq == 0
                ? "\(path): holds no events (an empty file, or not a run journal)"
                : "\(path): has no run_created event; it is not a complete run journal")
    }

    /// Brings up to date only what changed at `paths` (files in `instances/` or
    /// `runs/<instance>/`, as a ``DirectoryWatcher`` reports them): for a server watching
    /// thousands of runs, a change costs what it touches.
    public func refresh(changedPaths paths: Set<String>) throws {
        for path in paths {
            let directory = (path as NSString).deletingLastPathComponent
            let name = (path as NSString).lastPathComponent
            if directory == data.instancesPath, JournalFile.isPlainName(name) {
                _ = readInstance(path)
            } else if (directory as NSString).deletingLastPathComponent == data.runsPath,
                JournalFile.isJournalName(name)
            {
                let plain = JournalFile(path).plainPath
                let current = JournalFile(plain).currentPath
                if let entry = readRun(plainPath: plain, file: current) {
                    state.withLock { state in _ = keep(entry, in: &state) }
                } else if !FileManager.default.fileExists(atPath: current) {
                    let runID = Self.runID(of: plain)
                    state.withLock { state in
                        if state.runs[runID]?.journalPath == plain { state.runs[runID] = nil }
                    }
                }
            }
        }
        saveCache()
    }

    private static func runID(of plainPath: String) -> String {
        JournalFile(plainPath).id
    }

    /// The summary of one run journal, read from disk; problems inside it are skipped and
    /// listed in its ``RunSummary/problems``.
    public static func summarize(_ path: String) throws(JournalError) -> RunSummary {
        var summary = RunSummary()
        _ = fold(try JournalReader<RunEventOutline>(path: path), into: &summary)
        return summary
    }

    /// Folds every event `reader` has into `summary` and notes every problem it reports, a
    /// read error that ends the journal early included; returns the bytes read up to the last
    /// complete line.
    private static func fold(_ reader: JournalReader<RunEventOutline>, into summary: inout RunSummary) -> Int64 {
        do {
            while let record = try reader.next() {
                switch record {
                case .event(let event):
                    summary.apply(event.outlined)
                case .problem(let problem):
                    // A plain journal's incomplete last line is a write in progress, or one that
                    // recovery discards; only a closed journal can be torn for good.
                    if case .tornLastLine = problem.kind, !reader.isCompressed { continue }
                    summary.noteProblem(problem.description)
                }
            }
        } catch {
            let lastGood = reader.lastGoodSeq.map { "last good seq \($0)" } ?? "no valid event before it"
            summary.noteProblem("\(error) (reading stopped after line \(reader.lineCount); \(lastGood))")
        }
        return reader.completeByteCount
    }

    /// The journals in `directory` (only plain ones when `plainOnly`: instance journals).
    private func journalFiles(in directory: String, plainOnly: Bool) throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { name in plainOnly ? JournalFile.isPlainName(name) : JournalFile.isJournalName(name) }
            .map { directory + "/" + $0 }
    }

    /// The instance folders in `directory` (`runs/`), as paths.
    private func subdirectories(of directory: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { Identifier.isValidPrefix($0) }
            .map { directory + "/" + $0 }
    }
}
