import AthanorJournal

/// What a run asks Slurm for, and where Athanor is on the compute nodes.
public struct SlurmResources: Sendable, Equatable {
    /// `--partition`.
    public var partition: String?
    /// `--time` (`MM`, `HH:MM:SS`, `D-HH:MM`…).
    public var time: String?
    /// `--gres` (`gpu:1`).
    public var gres: String?
    /// `--cpus-per-task`.
    public var cpus: Int?
    /// `--mem` (`16G`).
    public var mem: String?
    /// Further `sbatch` options, each as given (`--account=lab`, `--qos=high`).
    public var options: [String]

    public init(
        partition: String? = nil, time: String? = nil, gres: String? = nil, cpus: Int? = nil, mem: String? = nil,
        options: [String] = []
    ) {
        self.partition = partition
        self.time = time
        self.gres = gres
        self.cpus = cpus
        self.mem = mem
        self.options = options
    }

    /// The `#SBATCH` lines for these resources.
    var directives: [String] {
        var lines: [String] = []
        if let partition { lines.append("--partition=\(partition)") }
        if let time { lines.append("--time=\(time)") }
        if let gres { lines.append("--gres=\(gres)") }
        if let cpus { lines.append("--cpus-per-task=\(cpus)") }
        if let mem { lines.append("--mem=\(mem)") }
        return lines + options
    }

    /// As `run_queued` records them (unset ones left out).
    public var json: JSONValue {
        var object = JSONObject()
        if let partition { object["partition"] = .string(partition) }
        if let time { object["time"] = .string(time) }
        if let gres { object["gres"] = .string(gres) }
        if let cpus { object["cpus"] = .integer(Int64(cpus)) }
        if let mem { object["mem"] = .string(mem) }
        if !options.isEmpty { object["options"] = .array(options.map(JSONValue.string)) }
        return .object(object)
    }
}
