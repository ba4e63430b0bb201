import Foundation

/// The Slurm job a worker runs in, on a compute node (`athanor worker JOURNAL --scheduled`),
/// as its environment tells it.
public struct ScheduledJob: Sendable, Equatable {
    /// The job's ID (`SLURM_JOB_ID`).
    public let id: String
    /// How many times the job was requeued before this start (`SLURM_RESTART_COUNT`).
    public let restartCount: Int

    public init(id: String, restartCount: Int) {
        self.id = id
        self.restartCount = restartCount
    }

    /// The job of this process, or `nil` outside one.
    public static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ScheduledJob? {
        guard let id = environment["SLURM_JOB_ID"], !id.isEmpty else { return nil }
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
}
