import ArgumentParser
import Athanor

/// `--slurm-partition`, `--slurm-time`, `--slurm-gres`, `--slurm-cpus`, `--slurm-mem` and
/// `--slurm-option`: what runs ask Slurm for, as defaults (`run`, `serve`) or an instance's own
/// (`create`, `update`).
struct SlurmResourceOptions: ParsableArguments {
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

    /// Whether any flag was given.
    var isEmpty: Bool { resources == SlurmResources() }

    /// The flags as resources (unset ones `nil`).
    var resources: SlurmResources {
        SlurmResources(
            partition: slurmPartition, time: slurmTime, gres: slurmGres, cpus: slurmCpus, mem: slurmMem,
            options: slurmOption)
    }

    func validate() throws {
        do {
            _ = try SlurmResources(json: resources.json)
        } catch {
            guard case .invalidResources(let field, let reason) = error else { throw error }
            // `resources.cpus` → --slurm-cpus, `resources.options[0]` → --slurm-option.
            let name = field.dropFirst("resources.".count).prefix { $0.isLetter }
            throw ValidationError("--slurm-\(name == "options" ? "option" : name) \(reason)")
        }
    }
}
