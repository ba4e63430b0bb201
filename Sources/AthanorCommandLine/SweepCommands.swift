import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

/// `athanor sweep`: runs many configurations of one experiment as one resumable record.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a sweep of an experiment's configurations, or show, resume or cancel one.",
        discussion: """
            athanor sweep EXPERIMENT --name N --grid lr=0.1,0.01 --random temperature=0:2 --count 20 \
            --concurrency 4 --metric loss --goal min creates the sweep and runs it here, printing each \
            trial as it starts and ends. Ctrl-C cancels it (its running trials too). See docs/sweeps.md.
            """,
        subcommands: [SweepRunCommand.self, SweepShowCommand.self, SweepResumeCommand.self, SweepCancelCommand.self],
        defaultSubcommand: SweepRunCommand.self)
}

/// How a sweep's trials execute: the executor, and each run's time limit and grace period.
struct SweepExecutionOptions: ParsableArguments {
    @Option(help: "Stop each trial's run (as failed) after this many seconds.")
    var timeout: Double?

    @Option(help: "Seconds a trial's worker gets to stop gracefully before it is killed.")
    var grace: Double = 5

    @OptionGroup var executor: ExecutorOptions

    func validate() throws {
        try TimeLimitArguments.validate(timeout: timeout, grace: grace)
    }

    /// A lab whose supervisor runs as many trials at once as the sweep asks (the sweep caps them).
    func openLab(_ data: DataDirectoryOption) throws -> Lab {
        // A sweep starts trial after trial: a worker kept ready spares each the start of a process.
        let options = TimeLimitArguments.executorOptions(timeout: timeout, grace: grace, keepsWorkerReady: true)
        return try Lab(
            data: data.directory, registry: data.registry, executor: executor.make(data: data.directory, process: options),
            maxConcurrentRuns: 10_000, recovery: .first)
    }

    /// Runs the sweep `id` in `lab`, printing each trial on standard error; Ctrl-C cancels it.
    func drive(_ id: String, in lab: Lab, resuming: Bool, retryFailed: Bool, output: OutputOptions) async throws {
        let interrupt = Interrupt.handle {
            Task { _ = try? await lab.cancelSweep(id, reason: "interrupted from the terminal (Ctrl-C)") }
        }
        defer { interrupt.cancel() }
        let view = try await lab.runSweep(id, resuming: resuming, retryFailed: retryFailed) { progress in
            Output.note(SweepText.line(progress))
        }
        if output.json { try Output.json(view.json()) } else { SweepText.print(view) }
        let failed = view.trials.contains { $0.latest?.status == .failed }
        switch view.status {
        case .cancelled where !(failed && view.created.onFailure == SweepDefinition.FailurePolicy.stop.rawValue):
            throw ExitCode(130)
        case _ where view.trials.contains { $0.latest?.status != .completed }: throw ExitCode.failure
        default: return
        }
    }
}

/// `athanor sweep EXPERIMENT …`: creates a sweep and runs it.
struct SweepRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Create a sweep of an experiment and run it here (the default).")

    @Argument(help: "The experiment (see `athanor experiments`).")
    var experiment: String

    @Option(help: "The sweep's name.")
    var name: String

    @OptionGroup var space: SweepSpaceArguments

    @Option(help: "Random draws (for each grid combination) when the space has random parameters.")
    var count: Int = 0

    @Option(help: "Runs of each parameter set.")
    var repeats: Int = 1

    @Option(help: "The seed of the random draws: the same seed gives the same trials.")
    var seed: Int = 0

    @Option(help: "At most this many trials at once.")
    var concurrency: Int = 1

    @Option(help: "continue (every trial runs) or stop (no trial starts after one fails).")
    var onFailure: SweepDefinition.FailurePolicy = .continue

    @Option(help: "The metric (its last value) or scalar result to rank trials by.")
    var metric: String?

    @Option(help: "min or max: which values of --metric are best.")
    var goal: SweepDefinition.Goal = .min

    @Flag(help: "Run a sweep of more than 10,000 trials.")
    var force = false

    @Flag(help: "Create the sweep without running it (run it with `athanor sweep resume ID`).")
    var createOnly = false

    @OptionGroup(title: "The base configuration (each trial sets its parameters over it)") var config: ConfigArguments
    @OptionGroup var execution: SweepExecutionOptions
    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let lab = try execution.openLab(data)
        let definition = SweepDefinition(
            name: name, experiment: experiment, config: try config.apply(to: [:]), space: try SweepSpace(json: space.json()),
            seed: seed, count: count, repeats: repeats, concurrency: concurrency, onFailure: onFailure, metric: metric,
            goal: goal)
        let created = try await lab.createSweep(definition, force: force)
        let id = created.created.sweep
        // The ID first, on its own line, so a script (or a test) can resume or cancel it.
        var standardOutput = StandardOutput()
        Array((id + "\n").utf8).withUnsafeBytes { standardOutput.write($0) }
        Output.note("sweep \(id): \(created.trials.count) trials of \(experiment), at most \(concurrency) at once")
        if createOnly { return }
        try await execution.drive(id, in: lab, resuming: false, retryFailed: false, output: output)
    }
}

extension SweepDefinition.FailurePolicy: ExpressibleByArgument {}
extension SweepDefinition.Goal: ExpressibleByArgument {}

/// `athanor sweep resume ID`.
struct SweepResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Run a sweep's trials that have no completed run (failed ones with --retry-failed).",
        discussion: "Trials keep their keys; the concurrency cap counts trials still running from before.")

    @Argument(help: "The sweep's ID or a unique prefix of it.")
    var sweep: String

    @Flag(help: "Start the failed trials again too.")
    var retryFailed = false

    @OptionGroup var execution: SweepExecutionOptions
    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let lab = try execution.openLab(data)
        try await execution.drive(sweep, in: lab, resuming: true, retryFailed: retryFailed, output: output)
    }
}

/// `athanor sweep show ID`.
struct SweepShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a sweep: its trials with parameters, status and metric, best first.")

    @Argument(help: "The sweep's ID or a unique prefix of it.")
    var sweep: String

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let view = try await data.openLab().sweep(sweep)
        if output.json { try Output.json(view.json()) } else { SweepText.print(view) }
    }
}

/// `athanor sweep cancel ID`.
struct SweepCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a sweep: no more trials start, and its running ones are cancelled.")

    @Argument(help: "The sweep's ID or a unique prefix of it.")
    var sweep: String

    @Option(help: "Why (recorded in the journal).")
    var reason = "cancelled from the command line"

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let view = try await data.openLab().cancelSweep(sweep, reason: reason)
        if output.json {
            try Output.json(view.json(trials: false))
        } else {
            // A driver still running records the cancel once its trials have stopped.
            print("\(view.created.sweep) \(view.status == .running ? "cancelling" : view.status.rawValue)")
        }
    }
}

/// `athanor sweeps`.
struct SweepsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweeps", abstract: "List sweeps, newest first, with status, trial counts and best value.")

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let sweeps = try await data.openLab().sweeps()
        if output.json {
            try Output.json(.array(sweeps.map { $0.json(trials: false) }))
            return
        }
        Output.table(
            ["SWEEP", "NAME", "EXPERIMENT", "STATUS", "TRIALS", "BEST"],
            sweeps.map { sweep in
                let done = sweep.counts["completed"] ?? 0
                let best = sweep.best.flatMap { key in sweep.trials.first { $0.plan.key == key } }
                return [
                    Output.short(sweep.created.sweep), sweep.created.name, sweep.created.experiment, sweep.status.rawValue,
                    "\(done)/\(sweep.trials.count)", best.map { SweepText.value($0, of: sweep) } ?? "—",
                ]
            })
    }
}
