import AthanorJournal
import Foundation

/// Stopping a run from any process: the CLI in another shell, the server, an agent.
public enum RunControl {
    /// What a stop request did.
    public enum StopOutcome: Sendable, Equatable {
        /// The run's worker was asked to stop; it ends as cancelled shortly.
        case requested
        /// Nobody was executing the run (still pending, or its supervisor is gone): it was
        /// recorded as cancelled at once.
        case cancelledNow
        /// The run had already ended; nothing changed.
        case alreadyEnded
    }

    /// Leaves the run's stop marker, which the run's worker and its supervisor both watch; a
    /// run nobody is executing (its journal's lock is free) is ended as cancelled right away.
    ///
    /// It signals no process: a pid recorded in a journal may have been reused by another
    /// program since. Only the supervisor, which has not yet reaped its worker and so knows the
    /// pid is still that worker's, passes the request on as SIGTERM.
    @discardableResult
    public static func requestStop(journal: String, reason: String) throws -> StopOutcome {
        let summary = try Catalog.summarize(journal)
        guard !summary.status.isFinished else { return .alreadyEnded }
        try StopRequest(kind: .cancel, reason: reason).post(forJournal: journal)
        if summary.executor == "slurm", let job = summary.jobID { SlurmExecutor.cancel(jobs: [(job, journal)]) }
        // A run whose journal no one holds has no worker to see the request.
        guard let writer = try? JournalWriter<RunEvent>(appendingTo: journal) else { return .requested }
        defer { StopRequest.clear(forJournal: journal) }
        if writer.terminalSeq != nil {
            try writer.close()
            return .alreadyEnded
        }
        try writer.append(.cancelled(reason: reason, forced: false))
        try writer.close()
        return .cancelledNow
    }
}
