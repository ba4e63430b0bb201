import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

/// `athanor runs`: runs, newest last.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List runs, of every instance or of one, with status and progress.")

    @Argument(help: "Only this instance's runs (ID or unique prefix).")
    var instance: String?

    @Option(help: "Only runs with this status: pending, running, completed, failed or cancelled.")
    var status: RunStatus?

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let lab = try data.openLab()
        let runs = try lab.runs(instance: instance, status: status).map(\.summary)
        for run in runs { run.warnAboutProblems(limit: 1) }
        for problem in lab.problems { Output.note("warning: \(problem)") }
        if output.json {
            try Output.json(.array(runs.map(\.json)))
            return
        }
        Output.table(
            ["RUN", "INSTANCE", "EXPERIMENT", "STATUS", "STARTED", "DURATION", "PROGRESS"],
            runs.map { run in
                [
                    Output.short(run.runID), run.instanceName, run.experiment, run.status.rawValue,
                    Output.time(run.startedAt ?? run.createdAt), Output.duration(run.duration()),
                    Output.progress(run.progress),
                ]
            })
    }
}

extension RunStatus: ExpressibleByArgument {}

/// `athanor show`: one run in full.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a run: status, timing, progress, counts, configuration, error.")

    @Argument(help: "The run's ID or a unique prefix of it.")
    var runID: String

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let entry = try data.openLab().run(runID)
        let summary = entry.summary
        if output.json {
            try Output.json(entry.json)
            return
        }
        let counts = summary.logCounts
        print("run         \(summary.runID)")
        print("instance    \(summary.instanceID) (\(summary.instanceName))")
        print("experiment  \(summary.experiment)")
        print("status      \(summary.status.rawValue)\(summary.forced ? " (forced)" : "")")
        if let error = summary.error { print("error       \(error)") }
        print("created     \(Output.time(summary.createdAt))")
        print(
            "started     \(Output.time(summary.startedAt))\(summary.host.map { " on \($0), pid \(summary.pid ?? 0)" } ?? "")"
        )
        print("finished    \(Output.time(summary.finishedAt))")
        print("duration    \(Output.duration(summary.duration()))")
        print("progress    \(Output.progress(summary.progress))\(summary.progress?.message.map { "  \($0)" } ?? "")")
        print(
            "logs        \(counts.total) (debug \(counts.debug), info \(counts.info), warn \(counts.warn), error \(counts.error))"
        )
        print(
            "results     \(summary.resultCount)\(summary.resultKeys.isEmpty ? "" : ": " + summary.resultKeys.prefix(8).joined(separator: ", ") + (summary.resultKeys.count > 8 ? ", …" : ""))"
        )
        print("config      \((try? summary.config.jsonText()) ?? "")")
        print("journal     \(entry.currentFilePath)")
        if !summary.problems.isEmpty {
            print("problems    \(summary.problems.count) (what is shown above is what could be read)")
            for problem in summary.problems { print("  \(problem)") }
        }
    }
}

/// `athanor logs`: a run's log lines.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print a run's log lines, optionally filtered, or follow them live.")

    @Argument(help: "The run's ID or a unique prefix of it.")
    var runID: String

    @Option(help: "Only this level and above: debug, info, warn or error.")
    var level: LogLevel?

    @Option(help: "Only the last N lines.")
    var limit: Int?

    @Flag(help: "Keep printing new lines until the run ends.")
    var follow = false

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
        let lab = try data.openLab()
        let filter = LogFilter(minimumLevel: level ?? .debug)
        if follow {
            for try await event in try lab.follow(runID, onProblem: { Output.note("warning: \($0)") }) {
                guard case .log(let record) = event.payload, filter.accepts(seq: event.seq, record) else { continue }
                try print(RunLogs.Entry(seq: event.seq, timestamp: event.timestamp, record: record))
            }
            return
        }
        let page = try await lab.logs(of: runID, filter: filter, window: .last(limit ?? Int.max))
        page.run.summary.warnAboutProblems()
        // Nothing trustworthy to print from a journal damaged beyond reading.
        if let failure = page.failure { throw CommandFailure(failure) }
        for entry in page.entries { try print(entry) }
    }

    private func print(_ entry: RunLogs.Entry) throws {
        if output.json {
            try Output.json(entry.json)
        } else {
            let record = entry.record
            let metadata = record.metadata.flatMap { try? $0.jsonText() }.map { "  \($0)" } ?? ""
            Swift.print(
                "\(Output.time(entry.timestamp))  \(Output.level(record.level))  \(record.message)\(metadata)")
        }
    }
}

extension LogLevel: ExpressibleByArgument {}

/// `athanor results`: a run's results.
struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results", abstract: "Print a run's results (key and JSON value), or the one with a given key.")

    @Argument(help: "The run's ID or a unique prefix of it.")
    var runID: String

    @Option(help: "Only the result with this key.")
    var key: String?

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (run, entries) = try data.openLab().resultHistory(of: runID, key: key)
        run.summary.warnAboutProblems()
        for entry in entries {
            if output.json { try Output.json(entry.json) } else { print("\(entry.key)  \(try entry.value.jsonText())") }
        }
        if let key, entries.isEmpty { throw CommandFailure("run \(run.summary.runID) has no result with key \"\(key)\"") }
    }
}

/// `athanor cancel`: stops a run, from any shell.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a run: it stops gracefully, or is killed after the grace period.")

    @Argument(help: "The run's ID or a unique prefix of it.")
    var runID: String

    @Option(help: "The reason recorded in run_cancelled.")
    var reason = "cancelled from the command line"

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (run, outcome) = try data.openLab().cancelRun(runID, reason: reason)
        if output.json {
            try Output.json(["run": .string(run.summary.runID), "outcome": .string(outcome.rawValue)])
            return
        }
        switch outcome {
        case .requested: print("cancelling \(run.summary.runID)")
        case .cancelled: print("cancelled \(run.summary.runID)")
        }
    }
}
