import AthanorJournal
import Foundation
import Synchronization

/// Hands each run to Slurm as a batch job (`sbatch`), which runs `athanor worker <journal>
/// --scheduled` on whichever node Slurm picks; the journals are on a data directory the nodes
/// share. The run is `queued` (`run_queued`) until its worker starts.
///
/// The executor follows each run through its journal: while a worker holds the journal's lock
/// nothing is asked of Slurm; while none does (the job waits, or is between two starts after a
/// requeue), Slurm is asked (one `squeue` for all runs, less often for runs queued long). A job
/// gone without ending its run is closed as `run_failed` with Slurm's state and reason. Cancel
/// asks gracefully (`scancel --signal=TERM --full`), then removes the job after the grace period.
public final class SlurmExecutor: Executor {
    public var name: String { "slurm" }

    /// How runs are submitted.
    public struct Options: Sendable {
        /// What each job asks for.
        public var resources: SlurmResources
        /// The `athanor` binary as the nodes see it (by default this program's own path).
        public var athanorOnNodes: String
        /// The data directory as the nodes see it, when they mount it elsewhere (`nil`: the same path).
        public var dataOnNodes: String?
        /// How long a run may take to stop once asked, before its job is removed.
        public var gracePeriod: Duration

        public init(
            resources: SlurmResources = SlurmResources(), athanorOnNodes: String = ProcessExecutor.currentExecutable,
            dataOnNodes: String? = nil, gracePeriod: Duration = .seconds(5)
        ) {
            self.resources = resources
            self.athanorOnNodes = athanorOnNodes
            self.dataOnNodes = dataOnNodes
            self.gracePeriod = gracePeriod
        }
    }

    private struct Job: Sendable {
        let id: String
        let journal: String
    }

    private let options: Options
    private let data: DataDirectory
    let jobs: SlurmJobs
    private let running = Mutex<[String: Job]>([:])

    /// An executor for the runs of `data`.
    public init(data: DataDirectory, options: Options = Options(), pollInterval: Duration = .seconds(1)) {
        self.data = data
        self.options = options
        jobs = SlurmJobs(interval: pollInterval)
    }

    /// Scheduler calls in the last minute, for the load figures.
    public var schedulerCallsPerMinute: Int { jobs.callsPerMinute }

    public func execute(_ assignment: RunAssignment) async throws -> RunEvent {
        let journal = assignment.journalPath
        let jobID: String
        do {
            let lease = try assignment.lease ?? JournalLease.acquire(journal)
            defer { lease.release() }
            if let ending = try ProcessExecutor.recordStopRequested(in: lease) { return ending }
            let resources = assignment.resources?.merged(over: options.resources) ?? options.resources
            let script = JournalFile(journal).companionPath(suffix: "sbatch")
            try BatchScript(
                assignment: assignment, resources: resources, athanor: options.athanorOnNodes,
                journalOnNodes: onNodes(journal), grace: options.gracePeriod
            ).text.write(toFile: script, atomically: true, encoding: .utf8)
            do {
                jobID = try SlurmCommands.submit(script)
            } catch {
                return try ProcessExecutor.record(.failed(error: "could not submit the run to Slurm: \(error)"), in: lease)
            }
            try Self.recordQueued(job: jobID, resources: resources, in: lease)
        }
        return try await follow(runID: assignment.runID, job: jobID, journal: journal)
    }

    /// How a run handed over in a job array fared: queued as one of its tasks (`JOB_TASK`), or
    /// ended (it was asked to stop first, or the array could not be submitted). A run with
    /// neither is another process's to follow (its journal was locked, or unwritable).
    public enum ArraySubmission: Sendable {
        case queued(job: String)
        case ended(RunEvent)
    }

    /// The most tasks one array is given (Slurm's default `MaxArraySize` is 1001).
    public static let maxArrayTasks = 1000

    /// Submits `assignments` (runs of one experiment, just created, their leases held) as one job
    /// array of which at most `limit` tasks run at once: one `sbatch` for them all. Each run's
    /// `run_queued` names its task (`JOB_TASK`); every lease is let go. How each run fared, by
    /// run ID; follow the queued ones with ``follow(runID:job:journal:)``.
    public func submitArray(_ assignments: [RunAssignment], limit: Int) -> [String: ArraySubmission] {
        var fared: [String: ArraySubmission] = [:]
        var submitted: [(assignment: RunAssignment, lease: JournalLease)] = []
        for assignment in assignments {
            // A run whose lock another process holds is left to it (it has no entry).
            guard let lease = assignment.lease ?? (try? JournalLease.acquire(assignment.journalPath)) else { continue }
            switch Result(catching: { try ProcessExecutor.recordStopRequested(in: lease) }) {
            case .success(nil):
                submitted.append((assignment, lease))
            case .success(let ending?):
                fared[assignment.runID] = .ended(ending)
                lease.release()
            case .failure:
                lease.release()
            }
        }
        defer { for run in submitted { run.lease.release() } }
        guard let first = submitted.first?.assignment else { return fared }
        let resources = first.resources?.merged(over: options.resources) ?? options.resources
        let arrayJob: String
        do {
            let script = JournalFile(first.journalPath).companionPath(suffix: "array.sbatch")
            try BatchScript(
                job: .array(
                    submitted.map { BatchScript.Run(runID: $0.assignment.runID, journalOnNodes: onNodes($0.assignment.journalPath)) },
                    limit: max(1, limit)),
                program: first.program, resources: resources, athanor: options.athanorOnNodes, grace: options.gracePeriod
            ).text.write(toFile: script, atomically: true, encoding: .utf8)
            arrayJob = try SlurmCommands.submit(script)
        } catch {
            for run in submitted {
                let ending = RunEvent.failed(error: "could not submit the run to Slurm: \(error)")
                if (try? ProcessExecutor.record(ending, in: run.lease)) != nil { fared[run.assignment.runID] = .ended(ending) }
            }
            return fared
        }
        for (task, run) in submitted.enumerated() {
            let job = "\(arrayJob)_\(task)"
            // A run whose queueing could not be recorded (the disk failing) has no entry.
            if (try? Self.recordQueued(job: job, resources: resources, in: run.lease)) != nil {
                fared[run.assignment.runID] = .queued(job: job)
            }
            // Let go at once: the task's worker may already be waiting for it.
            run.lease.release()
        }
        return fared
    }

    /// Records `run_queued` under the lock held since the run's creation (then let go for the
    /// node's worker).
    private static func recordQueued(job: String, resources: SlurmResources, in lease: JournalLease) throws {
        let writer = try JournalWriter<RunEvent>(lease: lease, options: .init(compressOnClose: false))
        try writer.append(.queued(RunQueued(executor: "slurm", jobID: job, resources: resources.json)))
        try writer.close()
    }

    /// Follows a queued run (started here, or by an earlier process: see ``ScheduledRuns``) to
    /// its end; its terminal event.
    public func follow(runID: String, job jobID: String, journal: String) async throws -> RunEvent {
        running.withLock { $0[runID] = Job(id: jobID, journal: journal) }
        defer { running.withLock { $0[runID] = nil } }
        var quietSince = ContinuousClock.now
        var nextAsk = ContinuousClock.now
        var stopAskedAt: ContinuousClock.Instant?
        var forced = false
        while true {
            if let ending = try Self.ending(of: journal) { return ending }
            // A stop request (from any process) the worker has not honoured within the grace
            // period: the job is removed, and the run recorded as cancelled, forced.
            if stopAskedAt == nil, StopRequest.pending(forJournal: journal) != nil { stopAskedAt = .now }
            if let asked = stopAskedAt, !forced, ContinuousClock.now - asked >= options.gracePeriod {
                forced = true
                try? SlurmCommands.run("scancel", [jobID])
            }
            if JournalLock.isHeld(journal) {
                // A worker writes the run: nothing to ask Slurm.
                quietSince = .now
                nextAsk = .now
            } else if ContinuousClock.now >= nextAsk {
                switch jobs.state(of: jobID) {
                case .active, .unknown:
                    // Runs queued a long time are asked about less often (up to every 30 s).
                    let waited = ContinuousClock.now - quietSince
                    nextAsk = .now + min(.seconds(30), max(jobs.interval, waited / 10))
                case .gone(let why):
                    if let ending = try close(journal: journal, jobGone: why, forced: forced) { return ending }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Records how a run whose job is gone ended, unless its worker did meanwhile (or a new
    /// worker holds it: `nil`, keep following).
    private func close(journal: String, jobGone why: String, forced: Bool) throws -> RunEvent? {
        guard let lease = try? JournalLease.acquire(journal) else { return nil }
        defer { lease.release() }
        if let ending = try Self.ending(of: journal) { return ending }
        return try ScheduledRuns.close(journal, jobGone: why, forced: forced, lease: lease)
    }

    @discardableResult
    public func cancel(runID: String, reason: String) -> Bool {
        cancel(runIDs: [runID], reason: reason).isEmpty
    }

    /// Asks the runs of `runIDs` to stop, with at most two `scancel` calls for them all (the
    /// tasks of a sweep's array, say); returns those this executor is not following.
    public func cancel(runIDs: [String], reason: String) -> [String] {
        let known = running.withLock { running in runIDs.compactMap { id in running[id].map { (runID: id, job: $0) } } }
        for run in known { try? StopRequest(kind: .cancel, reason: reason).post(forJournal: run.job.journal) }
        Self.cancel(jobs: known.map { ($0.job.id, $0.job.journal) })
        let followed = Set(known.map(\.runID))
        return runIDs.filter { !followed.contains($0) }
    }

    /// Asks Slurm to stop `jobs`, once a stop request is beside each one's journal: a job whose
    /// worker runs gets SIGTERM (the worker sees the request and ends the run as cancelled); a
    /// job still waiting is removed (its run is then closed as cancelled, by whoever follows
    /// it). Whoever follows a run removes its job if its worker outlasts the grace period.
    static func cancel(jobs: [(id: String, journal: String)]) {
        var running: [String] = []
        var waiting: [String] = []
        for job in jobs {
            if JournalLock.isHeld(job.journal) { running.append(job.id) } else { waiting.append(job.id) }
        }
        if !running.isEmpty { _ = try? SlurmCommands.run("scancel", ["--signal=TERM", "--full"] + running) }
        if !waiting.isEmpty { _ = try? SlurmCommands.run("scancel", waiting) }
    }

    /// The journal's path as the nodes see it.
    private func onNodes(_ journal: String) -> String {
        let absolute = URL(fileURLWithPath: journal).standardizedFileURL.path
        guard let dataOnNodes = options.dataOnNodes else { return absolute }
        let base = URL(fileURLWithPath: data.path).standardizedFileURL.path
        guard absolute.hasPrefix(base) else { return absolute }
        return dataOnNodes + absolute.dropFirst(base.count)
    }

    /// The terminal event of a closed (compressed) journal, or `nil` while it is open.
    static func ending(of journal: String) throws -> RunEvent? {
        guard FileManager.default.fileExists(atPath: JournalFile(journal).compressedPath) else { return nil }
        return try RunExecution.terminalEvent(ofEnded: journal)
    }
}
