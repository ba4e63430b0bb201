import AthanorJournal

/// Executes runs. An executor is handed a run whose journal already holds `run_created`,
/// executes it to its end (the journal then holds exactly one terminal event and is closed),
/// and can be asked to cancel a run it is executing.
public protocol Executor: Sendable {
    /// The name recorded in `run_created.executor` (`inline`, `process`, …).
    var name: String { get }

    /// Executes the run to its end and returns the terminal event recorded.
    func execute(_ assignment: RunAssignment) async throws -> RunEvent

    /// Asks a run this executor is executing to stop; `false` when it is not executing it.
    @discardableResult
    func cancel(runID: String, reason: String) -> Bool
}
