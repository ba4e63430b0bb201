import AthanorJournal
import Foundation

/// Runs handed to Slurm by an earlier process (a server restarted, `athanor run --detach`),
/// found by recovery (``JournalRecovery/Action/skippedScheduled(executor:jobID:)``): with no
/// worker writing them, only Slurm knows whether their jobs still wait or run.
enum ScheduledRuns {
    /// The queued runs among recovery's outcomes: journal and job.
    static func found(in outcomes: [JournalRecovery.Outcome]) -> [(journal: String, job: String)] {
        outcomes.compactMap { outcome in
            guard case .skippedScheduled(let executor, let job) = outcome.action, executor == "slurm" else { return nil }
            return (outcome.path, job)
        }
    }

    /// Closes, with Slurm's state and reason, each of `runs` whose job is gone (one `squeue`
    /// for them all); the others are left to their jobs.
    static func closeGone(_ runs: [(journal: String, job: String)]) {
        guard !runs.isEmpty else { return }
        let jobs = SlurmJobs()
        for run in runs where !JournalLock.isHeld(run.journal) {
            guard case .gone(let why) = jobs.state(of: run.job),
                let lease = try? JournalLease.acquire(run.journal)
            else { continue }
            defer { lease.release() }
            _ = try? close(run.journal, jobGone: why, forced: false, lease: lease)
        }
    }

    /// Records how a run whose job is gone ended, under `lease`: cancelled if it was asked to
    /// stop, else failed with Slurm's state and reason; or the ending it already has.
    static func close(_ journal: String, jobGone why: String, forced: Bool, lease: JournalLease) throws -> RunEvent {
        let ending: RunEvent =
            if let request = StopRequest.pending(forJournal: journal) {
                .cancelled(reason: request.reason, forced: forced)
            } else {
                .failed(error: "the Slurm job ended without ending the run: \(why)" + outputEnding(of: journal))
            }
        StopRequest.clear(forJournal: journal)
        return try ProcessExecutor.record(ending, in: lease)
    }

    /// "; its output ends: …", the last line the job printed (in `<run>.slurm.out`, at most 200
    /// characters), or nothing when it printed none.
    private static func outputEnding(of journal: String) -> String {
        guard let output = FileHandle(forReadingAtPath: JournalFile(journal).companionPath(suffix: "slurm.out")) else {
            return ""
        }
        defer { try? output.close() }
        let size = (try? output.seekToEnd()) ?? 0
        try? output.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let tail = String(decoding: (try? output.readToEnd()) ?? Data(), as: UTF8.self)
        guard let last = tail.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            return ""
        }
        return "; its output ends: " + last.prefix(200)
    }
}
