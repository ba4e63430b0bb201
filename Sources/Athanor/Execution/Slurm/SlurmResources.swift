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

extension SlurmResources {
    /// The fields an instance's resources may hold.
    static let fields = ["partition", "time", "gres", "cpus", "mem", "options"]

    /// Resources as an instance records them (`{"cpus": 4, "time": "2:00:00", …}`), checked
    /// field by field. An empty object asks for nothing of its own.
    /// - Throws: ``HarnessError/invalidResources(field:reason:)`` naming the field.
    public init(json: JSONValue) throws(HarnessError) {
        guard let object = json.objectValue else {
            throw .invalidResources(field: "resources", reason: "must be an object such as {\"cpus\": 4}")
        }
        for key in object.keys where !Self.fields.contains(key) {
            throw .invalidResources(
                field: "resources.\(key)", reason: "is not a resource (\(Self.fields.joined(separator: ", ")))")
        }
        func text(_ key: String) throws(HarnessError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let value)? where !value.isEmpty && !value.contains("\n"): return value
            default: throw .invalidResources(field: "resources.\(key)", reason: "must be a non-empty line of text")
            }
        }
        self.init(partition: try text("partition"), time: try text("time"), gres: try text("gres"), mem: try text("mem"))
        if let time, !SlurmTime.isValid(time) {
            throw .invalidResources(
                field: "resources.time", reason: "must be a Slurm time (30, 30:00, 2:00:00, 1-00:00), not \"\(time)\"")
        }
        switch object["cpus"] {
        case nil, .null?: break
        case .integer(let cpus)? where cpus >= 1 && cpus <= 100_000: self.cpus = Int(cpus)
        default: throw .invalidResources(field: "resources.cpus", reason: "must be a whole number of CPUs, at least 1")
        }
        switch object["options"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard case .string(let option) = item, option.hasPrefix("-"), !option.contains("\n") else {
                    throw .invalidResources(
                        field: "resources.options[\(index)]", reason: "must be an sbatch option such as \"--qos=high\"")
                }
                options.append(option)
            }
        default: throw .invalidResources(field: "resources.options", reason: "must be a list of sbatch options")
        }
    }

    /// These resources where set, `defaults` elsewhere; the options of both (defaults first,
    /// so the instance's own win where sbatch takes the last).
    public func merged(over defaults: SlurmResources) -> SlurmResources {
        SlurmResources(
            partition: partition ?? defaults.partition, time: time ?? defaults.time, gres: gres ?? defaults.gres,
            cpus: cpus ?? defaults.cpus, mem: mem ?? defaults.mem, options: defaults.options + options)
    }
}
