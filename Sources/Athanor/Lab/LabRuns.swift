import AthanorJournal
import Foundation

extension Lab {
    // MARK: Runs

    /// Runs, oldest first, optionally of one instance (ID or unique prefix) and one status; live
    /// ones as their journals are now.
    public func runs(instance prefix: String? = nil, status: RunStatus? = nil) throws(HarnessError)
        -> [Catalog.RunEntry]
    {
        let catalog = current
        let instanceID = try prefix.map { (prefix) throws(HarnessError) in try catalog.instance(prefix).instanceID }
        return catalog.runs(instance: instanceID, status: status)
    }

    /// The run whose ID is `prefix` or starts with it, as its journal is now. With `readingAhead`
    /// (a run page, which asks for the logs next), a large run's logs start loading at once.
    public func run(_ prefix: String, readingAhead: Bool = false) throws(HarnessError) -> Catalog.RunEntry {
        let entry = try current.run(prefix)
        if readingAhead, entry.summary.logCounts.total >= RunDataCache.prefetchThreshold {
            Task { [runData] in _ = try? await runData.data(for: entry) }
        }
        return entry
    }

    /// The runs of `id`: the run with that ID, or every run of the instance with it.
    public func runs(ofRunOrInstance id: String) throws(HarnessError) -> [Catalog.RunEntry] {
        if let run = try? run(id) { return [run] }
        if let instance = try? current.instance(id) { return catalog.runs(instance: instance.instanceID) }
        throw .unknownID(kind: "run or instance", prefix: id)
    }

    /// Creates a run of the instance `prefix` and starts executing it, with an optional time
    /// limit; returns at once, the run `pending`. Only the instance journals are read on the way:
    /// starting costs the same however many runs exist or are live.
    public func startRun(of prefix: String, timeout: Duration? = nil) throws(HarnessError) -> StartedRun {
        let assignment = try supervisor.start(try store.resolve(prefix), timeout: timeout)
        return started(assignment)
    }

    /// Creates a run of the instance `prefix` without executing it: for a process of its own
    /// (`athanor run --detach`) to supervise.
    public func createRun(of prefix: String, executor: String) throws(HarnessError) -> StartedRun {
        let instance = try store.resolve(prefix)
        guard !instance.isDeleted else { throw .instanceDeleted(id: instance.instanceID) }
        let resources = try instance.slurmResources()
        var assignment = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name,
            experiment: try registry.experiment(named: instance.experiment), config: instance.config,
            executor: executor)
        assignment.resources = resources
        return started(assignment)
    }

    private func started(_ assignment: RunAssignment) -> StartedRun {
        noteChanged(assignment.journalPath)
        return StartedRun(
            assignment: assignment, summary: (try? Catalog.summarize(assignment.journalPath)) ?? RunSummary())
    }

    /// A run started here as its journal has it now, read from that journal alone.
    public func summary(of run: StartedRun) throws(HarnessError) -> RunSummary {
        do {
            return try Catalog.summarize(run.assignment.journalPath)
        } catch {
            throw .journal(error)
        }
    }

    /// Returns once a run started here has left `pending`: queued by its scheduler, running,
    /// or ended (a submission that failed). For `athanor run --detach` with a scheduler.
    public func queued(_ run: StartedRun) async throws -> RunSummary {
        while true {
            let summary = try summary(of: run)
            if summary.status != .pending { return summary }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The terminal event of a run started here, once it has ended.
    public func ending(of run: StartedRun) async throws -> RunEvent? {
        try await supervisor.wait(for: run.assignment)
    }

    /// Asks a run started here to stop (Ctrl-C in `athanor run`).
    public func cancel(_ run: StartedRun, reason: String) throws {
        try supervisor.cancel(runID: run.assignment.runID, journal: run.assignment.journalPath, reason: reason)
    }

    /// Asks the run `prefix` to stop, wherever it executes: it ends `run_cancelled` gracefully,
    /// or forced after its grace period. A run that has already ended is an error.
    public func cancelRun(_ prefix: String, reason: String) throws(HarnessError) -> (
        run: Catalog.RunEntry, outcome: CancelOutcome
    ) {
        let entry = try run(prefix)
        let outcome: RunControl.StopOutcome
        do {
            outcome = try RunControl.requestStop(journal: entry.journalPath, reason: reason)
        } catch {
            throw .storage(path: entry.journalPath, reason: "\(error)")
        }
        switch outcome {
        case .alreadyEnded: throw .runEnded(run: entry.summary.runID, status: entry.summary.status)
        case .requested: return (entry, .requested)
        case .cancelledNow:
            noteChanged(entry.journalPath)
            return (try run(entry.summary.runID), .cancelled)
        }
    }

    /// Waits until the run `prefix` ends, or `timeout` passes.
    public func waitForRun(_ prefix: String, timeout: Duration) async throws(HarnessError) -> RunWait {
        let journal = try run(prefix).journalPath
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    for try await event in TailFollower<RunEventLine>(path: journal) where event.payload.isTerminal {
                        return true
                    }
                } catch {}
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        // Read back at once, so that the next question about the run sees its end too.
        let file = JournalFile(journal)
        noteChanged(file.plainPath, file.compressedPath)
        return RunWait(summary: try run(prefix).summary, timedOut: !ended)
    }
}
