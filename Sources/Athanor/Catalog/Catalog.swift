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
        fileprivate var identity: FileIdentity
        /// For a live (plain) journal, the bytes folded so far.
        fileprivate var readBytes: Int64

        /// The journal's file as it is now (see ``JournalFile/currentPath``).
        public var currentFilePath: String { JournalFile(journalPath).currentPath }
    }

    private struct State {
        var instances: [String: InstanceState] = [:]
        var instanceIdentities: [String: FileIdentity] = [:]
        var runs: [String: RunEntry] = [:]
        var cache: SummaryCache
        var problems: [String] = []
    }

    public let data: DataDirectory
    private let state: Mutex<State>

    /// A catalog of `data`; call ``refresh()`` (or ``open(_:)``) to read it.
    public init(data: DataDirectory) {
        self.data = data
        var cache = SummaryCache(directory: data.path + "/.cache")
        cache.load()
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
        state.withLock { state in
            let live = state.runs.values.filter { !$0.summary.status.isFinished }
            for entry in live where instance == nil || entry.summary.instanceID == instance {
                bringUpToDate(entry, in: &state)
            }
            return state.runs.values.filter { entry in
                (instance == nil || entry.summary.instanceID == instance)
                    && (status == nil || entry.summary.status == status)
            }.sorted { $0.summary.runID < $1.summary.runID }
        }
    }

    /// The instance whose ID is `prefix` or starts with it.
    public func instance(_ prefix: String) throws(HarnessError) -> InstanceState {
        try state.withLock { (state) throws(HarnessError) -> InstanceState in
            let id = try IDResolution.resolve(prefix, kind: "instance", among: state.instances.keys)
            return state.instances[id]!
        }
    }

    /// The run whose ID is `prefix` or starts with it, as its journal is now (see
    /// ``runs(instance:status:)``); a run created since the last refresh is found too.
    public func run(_ prefix: String) throws(HarnessError) -> RunEntry {
        do {
            return try currentRun(prefix)
        } catch .unknownID {
            try? refresh()
            return try currentRun(prefix)
        }
    }

    private func currentRun(_ prefix: String) throws(HarnessError) -> RunEntry {
        try state.withLock { (state) throws(HarnessError) -> RunEntry in
            let id = try IDResolution.resolve(prefix, kind: "run", among: state.runs.keys)
            guard let entry = state.runs[id] else { throw .unknownID(kind: "run", prefix: prefix) }
            return entry.summary.status.isFinished ? entry : bringUpToDate(entry, in: &state)
        }
    }

    /// Re-reads what changed in the journal of a run not known to have ended.
    @discardableResult
    private func bringUpToDate(_ entry: RunEntry, in state: inout State) -> RunEntry {
        let plain = entry.journalPath
        let current = JournalFile(plain).currentPath
        guard let fresh = refreshedRun(plainPath: plain, file: current, in: &state) else { return entry }
        state.runs[fresh.summary.runID] = fresh
        return fresh
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
            for file in try journalFiles(in: data.runsPath + "/" + instance, plainOnly: false) {
                // Both forms exist together only mid-close, when the compressed one is complete.
                let plain = JournalFile(file).plainPath
                if runFiles[plain].map(JournalFile.isCompressedName) != true { runFiles[plain] = file }
            }
        }
        state.withLock { state in
            state.problems = []
            refreshInstances(instanceFiles, in: &state)
            refreshRuns(runFiles, in: &state)
        }
        state.withLock { state in state.cache.save() }
    }

    private func refreshInstances(_ files: [String], in state: inout State) {
        for path in files {
            guard let identity = FileIdentity(path: path) else { continue }
            let id = JournalFile(path).id
            if state.instanceIdentities[id] == identity { continue }
            do {
                state.instances[id] = InstanceState(events: try JournalReader<InstanceEvent>.readAll(path: path))
                state.instanceIdentities[id] = identity
            } catch {
                state.problems.append(error.description)
            }
        }
    }

    private func refreshRuns(_ files: [String: String], in state: inout State) {
        var present: [String: RunEntry] = [:]
        for (plainPath, path) in files {
            if let entry = refreshedRun(plainPath: plainPath, file: path, in: &state) {
                present[Self.runID(of: plainPath)] = entry
            }
        }
        state.runs = present
        state.cache.keepOnly(Set(files.values))
    }

    /// The entry of the run whose current file is `path`: unchanged, from the cache, grown
    /// (only the new lines read), or read whole.
    private func refreshedRun(plainPath: String, file path: String, in state: inout State) -> RunEntry? {
        guard let identity = FileIdentity(path: path) else { return nil }
        let runID = Self.runID(of: plainPath)
        if let known = state.runs[runID], known.identity == identity { return known }
        let isClosed = JournalFile.isCompressedName(path)
        if isClosed, let cached = state.cache.summary(for: path, identity: identity) {
            return RunEntry(summary: cached, journalPath: plainPath, identity: identity, readBytes: 0)
        }
        var entry: RunEntry
        do throws(JournalError) {
            if !isClosed, let known = state.runs[runID], known.identity.isGrowth(to: identity), known.readBytes > 0 {
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
                    summary: summary, journalPath: plainPath, identity: identity, readBytes: isClosed ? 0 : read)
            }
        } catch .notFound {
            // Closed (or removed) between listing and reading; the next refresh finds its new form.
            return nil
        } catch {
            // Unreadable from its first byte: still a run, listed with the reason.
            var summary = RunSummary()
            summary.noteProblem(error.description)
            entry = RunEntry(summary: summary, journalPath: plainPath, identity: identity, readBytes: 0)
        }
        Self.identify(&entry.summary, plainPath: plainPath, file: path, isClosed: isClosed)
        if isClosed, entry.summary.lastSeq > 0, !entry.summary.status.isFinished {
            entry.summary.noteProblem(
                "\(path): closed without a terminal event: the run's end is missing, and its status is the last one recorded"
            )
        }
        if isClosed { state.cache.store(entry.summary, for: path, identity: identity) }
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
        state.withLock { state in
            for path in paths {
                let directory = (path as NSString).deletingLastPathComponent
                let name = (path as NSString).lastPathComponent
                if directory == data.instancesPath, JournalFile.isPlainName(name) {
                    refreshInstances([path], in: &state)
                } else if (directory as NSString).deletingLastPathComponent == data.runsPath,
                    JournalFile.isJournalName(name)
                {
                    let plain = JournalFile(path).plainPath
                    let runID = Self.runID(of: plain)
                    let current = JournalFile(plain).currentPath
                    if let entry = refreshedRun(plainPath: plain, file: current, in: &state) {
                        state.runs[runID] = entry
                    } else if !FileManager.default.fileExists(atPath: current) {
                        state.runs[runID] = nil
                    }
                }
            }
        }
        state.withLock { state in state.cache.save() }
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

    private func subdirectories(of directory: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { Identifier.isValidPrefix($0) }
    }
}
