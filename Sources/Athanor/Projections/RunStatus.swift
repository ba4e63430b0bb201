/// Where a run is in its life.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Created; no worker has started it yet.
    case pending
    /// A worker is executing it.
    case running
    case completed
    case failed
    case cancelled

    /// Whether the run has ended.
    public var isFinished: Bool {
        switch self {
        case .pending, .running: false
        case .completed, .failed, .cancelled: true
        }
    }
}
