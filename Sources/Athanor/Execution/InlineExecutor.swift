import AthanorJournal
import Synchronization

/// Executes each run as a Swift task in this process: for tests and for embedding Athanor in
/// another program. A crash in experiment code takes the process with it; the default
/// process executor isolates runs instead.
public final class InlineExecutor: Executor {
    public var name: String { "inline" }

    private struct Active {
        let flag: CancellationFlag
        let cancelTask: @Sendable () -> Void
    }

    private let registry: ExperimentRegistry
    private let active = Mutex<[String: Active]>([:])

    /// An executor for the experiments of `registry`.
    public init(registry: ExperimentRegistry) {
        self.registry = registry
    }

    public func execute(_ assignment: RunAssignment) async throws -> RunEvent {
        defer { assignment.lease?.release() }
        let experiment = try registry.experiment(named: assignment.experiment)
        let flag = CancellationFlag()
        let task = Task { () async throws(JournalError) -> RunEvent in
            // No scheduler stops an inline run, so it always ends.
            try await RunExecution.perform(assignment, experiment: experiment, cancellation: flag)
                ?? .failed(error: "stopped without an ending")
        }
        active.withLock { $0[assignment.runID] = Active(flag: flag, cancelTask: { task.cancel() }) }
        defer { active.withLock { $0[assignment.runID] = nil } }
        return try await task.value
    }

    @discardableResult
    public func cancel(runID: String, reason: String) -> Bool {
        guard let run = active.withLock({ $0[runID] }) else { return false }
        run.flag.set(StopRequest(kind: .cancel, reason: reason))
        run.cancelTask()
        return true
    }
}
