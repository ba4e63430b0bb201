/// Where a run is in its life.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Created; no worker has started it yet.
    case pending
    /// Handed to a scheduler (a Slurm job), waiting for it to start (again, after a requeue).
    case queued
    /// A worker is executing it.
    case running
    case completed
    case failed
    case cancelled

    /// Whether the run has ended.
    public var isFinished: Bool {
        switch self {
        case .pending, .queued, .running: false
        case .completed, .failed, .cancelled: true
        }
    }
}
