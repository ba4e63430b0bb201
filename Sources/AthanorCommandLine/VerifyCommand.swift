import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

/// `athanor verify`: checks journals and reports every problem.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check journals and report every problem precisely.",
        discussion: """
            Checks each line is a valid event, seq runs 1, 2, 3… without gaps or repeats, nothing \
            follows the terminal event, a compressed journal's zstd frame is complete and its \
            checksum matches, a run starts with run_created, and a run whose writer is gone has \
            ended. A directory is searched for journals recursively; a run can be named by its ID; \
            with no argument, the whole data directory is checked. Exits with status 1 if any \
            journal has a problem.
            """
    )

    @Argument(help: "Journal files, directories, or run IDs (prefixes work); default: the whole data directory.")
    var paths: [String] = []

    @OptionGroup var data: DataDirectoryOption

    @Flag(name: .shortAndLong, help: "Print only journals with problems.")
    var quiet = false

    func run() throws {
        // Nothing is recovered first: verify reports an interrupted run rather than repairing it.
        let reports = try data.openLab(recovery: .never).verify(paths)
        var failures = 0
        for report in reports {
            if report.isValid {
                if !quiet { print("ok    \(report.path)  \(summary(report))") }
            } else {
                failures += 1
                print("FAIL  \(report.path)  \(summary(report))")
                for problem in report.problems { print("      \(problem)") }
            }
        }
        if !quiet || failures > 0 {
            print("\(reports.count) journals checked, \(failures) with problems")
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func summary(_ report: JournalVerifier.Report) -> String {
        var parts = ["\(report.eventCount) events"]
        if let kind = report.kind { parts.insert(kind.rawValue, at: 0) }
        if let terminal = report.terminalType { parts.append(terminal) } else if report.isLive { parts.append("live") }
        return "(" + parts.joined(separator: ", ") + ")"
    }
}
