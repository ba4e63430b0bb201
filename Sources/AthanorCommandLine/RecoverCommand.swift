import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

/// `athanor recover`: closes run journals whose writer died.
struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Close run journals whose writer died, as failed (interrupted).",
        discussion: """
            Looks at every plain run journal under DIR/runs. One whose writer lock is free belongs \
            to a writer that is gone: an incomplete last line is dropped, `run_failed` \
            ("interrupted: …") is appended, and the journal is compressed. Journals with a live \
            writer are left alone. Nothing already written is lost.
            """
    )

    @OptionGroup var data: DataDirectoryOption

    func run() throws {
        guard FileManager.default.fileExists(atPath: data.path) else {
            throw CommandFailure("\(data.path): no such data directory")
        }
        let outcomes = try data.openLab(recovery: .never).recoverDeadRuns()
        for outcome in outcomes {
            switch outcome.action {
            case .closedAsInterrupted(let seq, let torn):
                let note = torn > 0 ? ", dropped \(torn) bytes of an incomplete last line" : ""
                print("closed  \(outcome.path)  (run_failed at seq \(seq)\(note))")
            case .compressedEndedRun:
                print("closed  \(outcome.path)  (had ended; compressed)")
            case .removedRedundantPlainForm:
                print("removed \(outcome.path)  (its complete compressed form was already in place)")
            case .skippedLiveWriter:
                print("live    \(outcome.path)  (left alone)")
            case .skippedScheduled(let executor, let job):
                print("queued  \(outcome.path)  (\(executor) job \(job): its scheduler decides)")
            case .removedTemporaryFile:
                print("removed \(outcome.path)  (leftover of an interrupted close)")
            case .removedEmptyJournal:
                print("removed \(outcome.path)  (its writer died before the first event)")
            case .skippedNotARunJournal:
                print("skipped \(outcome.path)  (not a run journal; left unchanged, see `athanor verify`)")
            case .failed(let reason):
                print("failed  \(outcome.path)  (\(reason); try again once that is fixed)")
            }
        }
        let recovered = outcomes.filter {
            if case .failed = $0.action { return false }
            if case .skippedScheduled = $0.action { return false }
            return $0.action != .skippedLiveWriter && $0.action != .skippedNotARunJournal
        }.count
        print("\(recovered) journals recovered")
        let failed = outcomes.count { if case .failed = $0.action { true } else { false } }
        if failed > 0 { throw CommandFailure("\(failed) journal\(failed == 1 ? "" : "s") could not be recovered") }
    }
}
