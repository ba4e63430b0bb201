import AthanorJournal
import Foundation
import Synchronization

/// Starts runs and sees them to their end through an ``Executor``, with a cap on how many
/// execute at once (the rest stay `pending` until a slot frees).
///
/// The supervisor learns nothing through side channels: what a run did is in its journal, for
/// this process and every other to follow.
public final class Supervisor: Sendable {
    public let data: DataDirectory
    public let registry: ExperimentRegistry
    public let executor: any Executor
    private let slots: RunSlots
    private let runs = Mutex<[String: Task<RunEvent, any Error>]>([:])

    /// A supervisor executing at most `maxConcurrentRuns` runs at once.
    public init(
        data: DataDirectory, registry: ExperimentRegistry, executor: any Executor,
        maxConcurrentRuns: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.data = data
        self.registry = registry
        self.executor = executor
        slots = RunSlots(limit: maxConcurrentRuns)
    }

    /// Creates a run of `instance` (its configuration, or `config` when given, validated and
    /// recorded in `run_created`, with the sweep `trial` it is) and starts executing it, with
    /// an optional time limit; returns at once.
    public func start(
        _ instance: InstanceState, config: JSONValue? = nil, trial: SweepTrial? = nil, timeout: Duration? = nil
    ) throws(HarnessError) -> RunAssignment {
        let assignment = try create(instance, config: config, trial: trial, timeout: timeout)
        execute(assignment) { [executor] in try await executor.execute(assignment) }
        return assignment
    }

    /// Whether ``startArray(_:trials:limit:)`` can start runs together (the executor is Slurm's).
    public var startsArrays: Bool { executor is SlurmExecutor }

    /// Creates a run of `instance` for each of `trials` (a configuration and the sweep trial it
    /// is) and hands them to Slurm as one job array that runs at most `limit` at once: one
    /// `sbatch` for them all. Returns at once; `nil` (nothing created) when the executor is not
    /// Slurm's (see ``startsArrays``).
    public func startArray(_ instance: InstanceState, trials: [(config: JSONValue, trial: SweepTrial)], limit: Int)
        throws(HarnessError) -> [RunAssignment]?
    {
        guard let slurm = executor as? SlurmExecutor else { return nil }
        var assignments: [RunAssignment] = []
        do {
            for trial in trials { assignments.append(try create(instance, config: trial.config, trial: trial.trial)) }
        } catch {
            // Nothing of a half-created array is handed over: the runs created fail, saying why.
            for assignment in assignments {
                if let lease = assignment.lease {
                    _ = try? ProcessExecutor.record(.failed(error: "not submitted: creating another run of its array failed: \(error)"), in: lease)
                    lease.release()
                }
            }
            throw error
        }
        let submission = Task { slurm.submitArray(assignments, limit: limit) }
        for assignment in assignments {
            execute(assignment) {
                switch await submission.value[assignment.runID] {
                case .queued(let job)?:
                    return try await slurm.follow(runID: assignment.runID, job: job, journal: assignment.journalPath)
                case .ended(let ending)?:
                    return ending
                case nil:
                    throw JournalError.locked(path: assignment.journalPath)
                }
            }
        }
        return assignments
    }

    /// Validates and records a new run of `instance` (see ``RunAssignment/create(in:instanceID:instanceName:experiment:config:executor:trial:)``).
    private func create(_ instance: InstanceState, config: JSONValue?, trial: SweepTrial?, timeout: Duration? = nil)
        throws(HarnessError) -> RunAssignment
    {
        guard !instance.isDeleted else { throw .instanceDeleted(id: instance.instanceID) }
        let experiment = try registry.experiment(named: instance.experiment)
        let resources = try instance.slurmResources()
        var created = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: experiment,
            config: config ?? instance.config, executor: executor.name, trial: trial)
        created.timeout = timeout
        created.resources = resources
        return created
    }

    /// Runs `execution` of `assignment` in a slot, as one of this supervisor's runs.
    private func execute(_ assignment: RunAssignment, _ execution: @escaping @Sendable () async throws -> RunEvent) {
        // Registered before the task can end (and forget it) under the same lock.
        runs.withLock { runs in
            runs[assignment.runID] = Task { [self] () async throws -> RunEvent in
                defer { self.runs.withLock { $0[assignment.runID] = nil } }
                await slots.acquire()
                do {
                    let ending = try await execution()
                    await slots.release()
                    return ending
                } catch {
                    await slots.release()
                    throw error
                }
            }
        }
    }

    /// Takes up runs an earlier process handed to Slurm (found by recovery): a Slurm executor
    /// follows them to their end as if it had submitted them; any other closes those whose
    /// jobs are gone and leaves the rest.
    func resumeScheduled(_ runs: [(journal: String, job: String)]) {
        guard let slurm = executor as? SlurmExecutor else {
            ScheduledRuns.closeGone(runs)
            return
        }
        for run in runs {
            let runID = JournalFile(run.journal).id
            self.runs.withLock { active in
                guard active[runID] == nil else { return }
                active[runID] = Task { [self] () async throws -> RunEvent in
                    defer { self.runs.withLock { $0[runID] = nil } }
                    return try await slurm.follow(runID: runID, job: run.job, journal: run.journal)
                }
            }
        }
    }

    /// The terminal event of a run started by this supervisor, once it has ended; `nil` for a
    /// run it is not executing that has not ended either.
    ///
    /// The supervisor forgets runs as they end (a server starts runs for months), so a run
    /// that has already ended is answered from its journal.
    public func wait(for run: RunAssignment) async throws -> RunEvent? {
        if let task = runs.withLock({ $0[run.runID] }) {
            return try await task.value
        }
        return try Self.ending(ofJournal: run.journalPath)
    }

    /// The terminal event of the journal at `path`, or `nil` when it has none (yet).
    private static func ending(ofJournal path: String) throws(JournalError) -> RunEvent? {
        do {
            return try RunExecution.terminalEvent(ofEnded: path)
        } catch .invalidLine {
            return nil
        }
    }

    /// How many runs this supervisor is executing or holding until a slot frees.
    public var supervisedRunCount: Int { runs.withLock { $0.count } }

    /// Asks a run to stop, wherever it executes (see ``RunControl/requestStop(journal:reason:)``).
    public func cancel(runID: String, journal: String, reason: String) throws {
        if !executor.cancel(runID: runID, reason: reason) {
            try RunControl.requestStop(journal: journal, reason: reason)
        }
    }

    /// Asks several runs (run ID → journal) to stop, as ``cancel(runID:journal:reason:)`` does
    /// each, but with one call to Slurm for all the jobs it follows (a sweep's array).
    public func cancel(_ runs: [String: String], reason: String) {
        let others =
            if let slurm = executor as? SlurmExecutor {
                slurm.cancel(runIDs: Array(runs.keys), reason: reason)
            } else {
                Array(runs.keys)
            }
        for runID in others {
            if let journal = runs[runID] { try? cancel(runID: runID, journal: journal, reason: reason) }
        }
    }
}
