import ArgumentParser
import Athanor

/// `--executor process|slurm` and what the Slurm executor asks for, on `athanor run` and
/// `athanor serve` (the executor of every run started there).
struct ExecutorOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case process, slurm
    }

    @Option(help: "Where runs execute: process (a worker process here) or slurm (a batch job; see --slurm-*).")
    var executor: Kind = .process

    @OptionGroup var resources: SlurmResourceOptions

    @Option(help: ArgumentHelp("The athanor binary's path on the compute nodes (default: this one's).", valueName: "path"))
    var slurmAthanor: String?

    @Option(help: ArgumentHelp("The data directory's path on the compute nodes (default: the same as here).", valueName: "path"))
    var slurmData: String?

    /// The executor for runs of `data`, with the process executor's `options` (time limit, grace).
    func make(data: DataDirectory, process options: ProcessExecutor.Options) -> any Executor {
        switch executor {
        case .process:
            return ProcessExecutor(options: options)
        case .slurm:
            var resources = self.resources.resources
            if resources.time == nil { resources.time = options.timeout.map(Self.minutes) }
            return SlurmExecutor(
                data: data,
                options: .init(
                    resources: resources, athanorOnNodes: slurmAthanor ?? ProcessExecutor.currentExecutable,
                    dataOnNodes: slurmData, gracePeriod: options.gracePeriod))
        }
    }

    /// A `--timeout` as a Slurm time limit: whole minutes, rounded up (Slurm's granularity).
    private static func minutes(_ duration: Duration) -> String {
        String(max(1, (Int(duration.components.seconds) + 59) / 60))
    }
}
