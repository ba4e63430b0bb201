import AthanorJournal

/// A sweep checked against its experiment's schema before anything runs: its trials, each with
/// its validated configuration.
struct ValidatedSweep: Sendable {
    var definition: SweepDefinition
    var trials: [(plan: SweepTrialPlan, config: JSONValue)]

    /// At most this many problems are reported (a bad parameter fails every trial alike).
    static let problemLimit = 20

    /// Checks `definition` for `experiment`: its settings, its base configuration (paths
    /// `config.…`), each parameter's values and range bounds and every trial's configuration
    /// (paths `space.<parameter>`), and the trial limit unless `force`.
    /// - Throws: ``HarnessError/invalidSweep(_:)`` with every problem found.
    init(_ definition: SweepDefinition, experiment: ExperimentDefinition, force: Bool) throws(HarnessError) {
        var problems = definition.settingProblems
        var base = definition.config
        do {
            base = try experiment.configSchema.validated(definition.config)
        } catch {
            problems += error.errors.map { ConfigError(path: Self.prefixed("config", $0.path), message: $0.message) }
        }
        let count = definition.trialCount
        if count > SweepDefinition.trialLimit, !force {
            problems.append(
                ConfigError(
                    path: "space",
                    message:
                        "expands to \(count == Int.max ? "too many" : String(count)) trials, more than \(SweepDefinition.trialLimit): narrow it, or force it (--force, or \"force\": true)"
                ))
        }
        guard problems.isEmpty else { throw .invalidSweep(problems) }
        for parameter in definition.space.parameters {
            for bound in Self.bounds(of: parameter.values) {
                let trial = SweepTrialPlan(params: [parameter.path: bound], repeatIndex: 0)
                problems += Self.problems(of: trial, over: base, schema: experiment.configSchema)
            }
        }
        var trials: [(SweepTrialPlan, JSONValue)] = []
        if problems.isEmpty {
            for plan in definition.trials() {
                guard let config = plan.config(over: base) else { continue }
                do {
                    trials.append((plan, try experiment.configSchema.validated(config)))
                } catch {
                    problems += Self.problems(of: plan, over: base, schema: experiment.configSchema)
                    if problems.count >= Self.problemLimit { break }
                }
            }
        }
        var unique: [ConfigError] = []
        for problem in problems where !unique.contains(problem) { unique.append(problem) }
        guard unique.isEmpty else { throw .invalidSweep(Array(unique.prefix(Self.problemLimit))) }
        self.definition = definition
        self.definition.config = base
        self.trials = trials
    }

    /// The values of a range to check against the schema (a grid's and a choice's are checked
    /// through the trials).
    private static func bounds(of values: SweepSpace.Values) -> [JSONValue] {
        switch values {
        case .grid, .choice: []
        case .uniform(let low, let high), .logUniform(let low, let high): [.double(low), .double(high)]
        case .integer(let low, let high): [.integer(low), .integer(high)]
        }
    }

    /// What is wrong with `trial`'s configuration, each problem at the parameter it comes from.
    private static func problems(of trial: SweepTrialPlan, over base: JSONValue, schema: ConfigSchema) -> [ConfigError] {
        guard let config = trial.config(over: base) else {
            return trial.params.map {
                ConfigError(path: "space.\($0.key)", message: "a field on its path is not a group of fields")
            }
        }
        do {
            _ = try schema.validated(config)
            return []
        } catch {
            return error.errors.map { problem in
                let parameter = trial.params.first { problem.path == $0.key || problem.path.hasPrefix($0.key + ".") }
                let value = parameter.map { Self.brief($0.value) } ?? ""
                let message = problem.message.contains(value) ? problem.message : "\(problem.message) (value \(value))"
                return ConfigError(path: "space.\(parameter?.key ?? problem.path)", message: message)
            }
        }
    }

    private static func prefixed(_ prefix: String, _ path: String) -> String {
        path.isEmpty ? prefix : "\(prefix).\(path)"
    }

    private static func brief(_ value: JSONValue) -> String {
        var encoder = JSONLineEncoder()
        try? encoder.appendValue(value)
        let text = String(decoding: encoder.bytes, as: UTF8.self)
        return text.count > 60 ? text.prefix(60) + "…" : text
    }
}
