import AthanorJournal
import Foundation

/// The Slurm job a worker runs in, on a compute node (`athanor worker JOURNAL --scheduled`),
/// as its environment tells it.
public struct ScheduledJob: Sendable, Equatable {
    /// The job's ID (`SLURM_JOB_ID`), or for a task of a job array `ARRAY_TASK`
    /// (`SLURM_ARRAY_JOB_ID`, `SLURM_ARRAY_TASK_ID`), as its run's `run_queued` names it.
    public let id: String
    /// How many times the job was requeued before this start (`SLURM_RESTART_COUNT`).
    public let restartCount: Int

    public init(id: String, restartCount: Int) {
        self.id = id
        self.restartCount = restartCount
    }

    /// The job of this process, or `nil` outside one.
    public static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ScheduledJob? {
        guard var id = environment["SLURM_JOB_ID"], !id.isEmpty else { return nil }
        if let array = environment["SLURM_ARRAY_JOB_ID"], let task = environment["SLURM_ARRAY_TASK_ID"], !array.isEmpty,
            !task.isEmpty
        {
            id = "\(array)_\(task)"
        }
        return ScheduledJob(id: id, restartCount: Int(environment["SLURM_RESTART_COUNT"] ?? "") ?? 0)
    }

    /// How much earlier than asked Slurm may send `--signal` (its event timer ticks once a
    /// minute), with a margin.
    static let signalSlack = 70

    /// What `run_requeued` says when the job starts again.
    var requeueReason: String {
        "requeued by Slurm (job \(id), start \(restartCount + 1)): preemption, a node failure or scontrol requeue"
    }

    /// What a SIGTERM with no stop request means in this job: its time limit coming (Slurm
    /// signals `--signal=B:TERM@grace` seconds before, give or take its 60 s timer
    /// resolution), or the job stopped to be requeued or preempted, which does not end the run.
    func stopRequest(grace: Duration) -> StopRequest {
        if let left = SlurmCommands.secondsLeft(ofJob: id), left <= Int(grace.components.seconds) + Self.signalSlack {
            return StopRequest(kind: .timeout, reason: "time limit: the Slurm job's --time ran out")
        }
        return StopRequest(kind: .rescheduled, reason: "stopped by Slurm (requeue or preemption)")
    }

    /// The journal's lock, for the worker of a job. The process that submitted the job holds it
    /// until it has recorded `run_queued` and let it go, and Slurm may start the job before
    /// that: while no attempt has recorded `run_started` since the run was queued, the worker
    /// waits for the lock (up to `submitterWait`). A lock held by an attempt that has started
    /// is another attempt of the run writing, and this one must not.
    /// - Throws: ``JournalError/locked(path:)`` when another attempt holds the lock.
    static func takeLock(of journal: String, submitterWait: Duration = .seconds(300)) async throws -> JournalLease {
        let deadline = ContinuousClock.now + submitterWait
        while true {
            switch Result(catching: { () throws(JournalError) in try JournalLease.acquire(journal) }) {
            case .success(let lease):
                return lease
            case .failure(.locked) where ContinuousClock.now < deadline && !hasStartedSinceQueued(journal):
                try await Task.sleep(for: .milliseconds(10))
            case .failure(let error):
                throw error
            }
        }
    }

    /// Whether an attempt has recorded `run_started` since the run's latest `run_queued` (a line
    /// still being written reads as not yet).
    static func hasStartedSinceQueued(_ journal: String) -> Bool {
        guard let reader = try? JournalReader<RunEvent>(path: journal) else { return false }
        var started = false
        while case .event(let event)? = try? reader.next() {
            switch event.payload {
            case .queued: started = false
            case .started: started = true
            default: break
            }
        }
        return started
    }
}
