import ArgumentParser
import Athanor
import AthanorJournal
import Dispatch
import Foundation

/// `athanor run`: runs an instance, live in the terminal or detached.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an instance in an isolated worker process, with live progress.",
        discussion: """
            Shows the run live on standard error, then prints the run's ID and how it ended. On a \
            terminal, a panel redrawn up to 20 times a second shows the latest log lines, counts by \
            level and a progress bar, with warnings and errors printed in full; with --verbose, or \
            when standard error is a file or a pipe, every log line is printed. Exit status: 0 completed, 1 failed, 130 \
            cancelled. Ctrl-C cancels the run gracefully. With --detach, prints the run's ID at once and leaves the run \
            going in the background: follow it with `athanor logs RUN --follow` or \
            `athanor replay RUN --follow`, stop it with `athanor cancel RUN`.
            """)

    @Argument(help: "The instance's ID or a unique prefix of it.")
    var instance: String

    @Flag(help: "Start the run in the background and return at once.")
    var detach = false

    @Option(help: "Stop the run (as failed) after this many seconds.")
    var timeout: Double?

    @Option(help: "Seconds a worker gets to stop gracefully before it is killed.")
    var grace: Double = 5

    @Flag(help: "Print every log line (as when standard error is not a terminal) instead of the live panel.")
    var verbose = false

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var executor: ExecutorOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try TimeLimitArguments.validate(timeout: timeout, grace: grace)
    }

    func run() async throws {
        // Only the instance is read before the run's journal exists: recovering other runs'
        // dead journals (seconds for a large one) comes after, beside the run.
        let options = TimeLimitArguments.executorOptions(timeout: timeout, grace: grace)
        let chosen = executor.make(data: data.directory, process: options)
        let lab = try data.openLab(executor: chosen, recovery: .inBackground)
        if detach, chosen is SlurmExecutor {
            // Submitted and queued; the job runs on its own, and any Athanor process looking at
            // the data directory closes the run if its job dies without ending it.
            let run = try lab.startRun(of: instance)
            _ = try await lab.queued(run)
            print(run.assignment.runID)
            return
        }
        if detach {
            try startDetached(try lab.createRun(of: instance, executor: "process").assignment)
            await lab.recovered()
            return
        }
        let run = try lab.startRun(of: instance)
        let assignment = run.assignment
        Output.note("run \(assignment.runID) of \(run.summary.instanceName) (\(run.summary.experiment))")
        let interrupt = Interrupt.handle { try? lab.cancel(run, reason: "interrupted from the terminal (Ctrl-C)") }
        defer { interrupt.cancel() }
        let view = Task { try await LiveView(journal: assignment.journalPath, verbose: verbose).show() }
        let ending = try await lab.ending(of: run) ?? .failed(error: "the run did not start")
        // The view folded the whole run on its way: no need to read the journal again.
        let summary = try await (try? view.value) ?? lab.summary(of: run)
        await lab.recovered()
        try report(assignment, summary, ending)
    }

    private func startDetached(_ assignment: RunAssignment) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessExecutor.currentExecutable)
        process.arguments =
            ["supervise", assignment.journalPath, "--grace", String(grace)]
            + (timeout.map { ["--timeout", String($0)] } ?? []) + (assignment.program?.workerArguments ?? [])
        // The background supervisor inherits the journal's lock as its standard input, so the
        // run is never unlocked (and so never mistaken for an abandoned one) while it starts.
        if let lease = assignment.lease {
            process.standardInput = FileHandle(fileDescriptor: lease.descriptor, closeOnDealloc: false)
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        assignment.lease?.release()
        if output.json {
            try Output.json(["run": .string(assignment.runID), "journal": .string(assignment.journalPath)])
        } else {
            print(assignment.runID)
        }
    }

    private func report(_ assignment: RunAssignment, _ summary: RunSummary, _ ending: RunEvent) throws {
        if output.json {
            try Output.json(summary.json)
        } else {
            var line = "\(assignment.runID) \(summary.status.rawValue) in \(Output.duration(summary.duration()))"
            if let error = summary.error { line += ": \(error)" }
            print(line)
        }
        switch ending {
        case .completed: return
        case .cancelled: throw ExitCode(130)
        default: throw ExitCode.failure
        }
    }
}
