import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

/// `athanor worker`: executes one run in this process (started by a supervisor).
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Execute one run (internal: started by the supervisor).",
        shouldDisplay: false)

    @Argument(help: "The run's journal (none with --standby).")
    var journal: String?

    @Option(help: "The descriptor of the lifeline from the supervisor (end of file: it died).")
    var lifeline: Int32?

    @Option(help: "Seconds the experiment gets to stop once the supervisor has died.")
    var grace: Double = 5

    @OptionGroup var program: ProgramOptions

    @Flag(help: ArgumentHelp("Run inside a Slurm job (internal: the batch script's).", visibility: .hidden))
    var scheduled = false

    @Flag(help: ArgumentHelp("Start now and wait on standard input for the run (internal).", visibility: .hidden))
    var standby = false

    func validate() throws {
        try TimeLimitArguments.validate(timeout: nil, grace: grace)
        guard (journal == nil) == standby else {
            throw ValidationError(standby ? "--standby takes no journal: it comes later" : "the run's journal is missing")
        }
    }

    func run() async throws {
        // Ctrl-C in the terminal reaches the whole process group: the supervisor decides.
        signal(SIGINT, SIG_IGN)
        if standby {
            // Let go without a run: nothing to do.
            guard let arguments = try StandbyWorker.awaitRun() else { return }
            var handed = try WorkerCommand.parse(arguments)
            guard !handed.standby else { throw ValidationError("a standby worker was handed --standby") }
            try await handed.run()
            return
        }
        guard let journal else { return }
        let supervision = lifeline.map {
            WorkerProcess.Supervision(
                lifeline: $0, gracePeriod: RunTimeout.duration(seconds: grace, allowingZero: true) ?? .seconds(5))
        }
        signal(SIGPIPE, SIG_IGN)
        let status = await WorkerProcess.run(
            journal: journal, registry: AthanorCLI.registry, program: program.location, supervision: supervision,
            scheduled: scheduled, grace: RunTimeout.duration(seconds: grace, allowingZero: true) ?? .seconds(5))
        if status != 0 { throw ExitCode(status) }
    }
}

/// `athanor supervise`: executes one run in a worker process and sees it to its end; what
/// `athanor run --detach` leaves running in the background.
struct SuperviseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervise", abstract: "Supervise one run's worker (internal: used by `run --detach`).",
        shouldDisplay: false)

    @Argument(help: "The run's journal (holding its run_created).")
    var journal: String

    @Option(help: "Stop the run (as failed) after this many seconds.")
    var timeout: Double?

    @Option(help: "Seconds a worker gets to stop gracefully before it is killed.")
    var grace: Double = 5

    @OptionGroup var program: ProgramOptions

    func validate() throws {
        try TimeLimitArguments.validate(timeout: timeout, grace: grace)
    }

    func run() async throws {
        signal(SIGHUP, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        var assignment = try WorkerProcess.assignment(fromJournal: journal)
        assignment.lease = JournalLease.inherited(0, path: journal)
        assignment.program = program.location.map {
            ProgramExperiment(name: assignment.experiment, file: $0.file, python: $0.python)
        }
        let executor = ProcessExecutor(options: TimeLimitArguments.executorOptions(timeout: timeout, grace: grace))
        _ = try await executor.execute(assignment)
    }
}

/// `--program FILE --python PATH`: the program experiment a worker starts (internal: passed on
/// by the supervisor, which found it).
struct ProgramOptions: ParsableArguments {
    @Option(name: .customLong("program"), help: ArgumentHelp("The program experiment's file.", visibility: .hidden))
    var file: String?

    @Option(help: ArgumentHelp("The Python interpreter for a Python file.", visibility: .hidden))
    var python = "python3"

    var location: (file: String, python: String)? { file.map { ($0, python) } }
}
