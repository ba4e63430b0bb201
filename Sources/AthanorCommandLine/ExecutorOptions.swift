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

    @Option(help: ArgumentHelp("Slurm partition (sbatch --partition).", valueName: "name"))
    var slurmPartition: String?

    @Option(help: ArgumentHelp("Slurm time limit (sbatch --time, e.g. 30, 2:00:00, 1-00:00).", valueName: "time"))
    var slurmTime: String?

    @Option(help: ArgumentHelp("Generic resources (sbatch --gres, e.g. gpu:1).", valueName: "gres"))
    var slurmGres: String?

    @Option(help: ArgumentHelp("CPUs per run (sbatch --cpus-per-task).", valueName: "n"))
    var slurmCpus: Int?

    @Option(help: ArgumentHelp("Memory per run (sbatch --mem, e.g. 16G).", valueName: "size"))
    var slurmMem: String?

    @Option(help: ArgumentHelp("Any other sbatch option, as given (repeatable: --slurm-option=--qos=high).", valueName: "option"))
    var slurmOption: [String] = []

    @Option(help: ArgumentHelp("The athanor binary's path on the compute nodes (default: this one's).", valueName: "path"))
    var slurmAthanor: String?

    @Option(help: ArgumentHelp("The data directory's path on the compute nodes (default: the same as here).", valueName: "path"))
    var slurmData: String?

    func validate() throws {
        if let slurmCpus, slurmCpus < 1 { throw ValidationError("--slurm-cpus must be at least 1, not \(slurmCpus)") }
        for option in slurmOption where !option.hasPrefix("-") {
            throw ValidationError("--slurm-option takes an sbatch option such as --qos=high, not \"\(option)\"")
        }
        if let slurmTime, !SlurmTime.isValid(slurmTime) {
            throw ValidationError("--slurm-time must be a Slurm time (30, 30:00, 2:00:00, 1-00:00), not \"\(slurmTime)\"")
        }
    }

    /// The executor for runs of `data`, with the process executor's `options` (time limit, grace).
    func make(data: DataDirectory, process options: ProcessExecutor.Options) -> any Executor {
        switch executor {
        case .process:
            return ProcessExecutor(options: options)
        case .slurm:
            let resources = SlurmResources(
                partition: slurmPartition, time: slurmTime ?? options.timeout.map(Self.minutes), gres: slurmGres,
                cpus: slurmCpus, mem: slurmMem, options: slurmOption)
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

/// Slurm's notation of time limits, checked before anything is submitted.
enum SlurmTime {
    /// Whether `text` is a Slurm time: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`, or `UNLIMITED`.
    static func isValid(_ text: String) -> Bool {
        if text == "UNLIMITED" || text == "INFINITE" { return true }
        let parts = text.split(separator: "-", maxSplits: 1)
        guard let clock = parts.last, parts.allSatisfy({ !$0.isEmpty }) else { return false }
        if parts.count == 2, Int(parts[0]) == nil { return false }
        let fields = clock.split(separator: ":", omittingEmptySubsequences: false)
        return (1...3).contains(fields.count) && fields.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
