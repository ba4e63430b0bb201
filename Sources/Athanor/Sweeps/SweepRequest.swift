import AthanorJournal

/// A sweep asked for as JSON (the API's `POST /api/sweeps`, MCP's `create_sweep`):
/// `{"experiment", "name", "space", "config"?, "count"?, "repeats"?, "seed"?, "concurrency"?,
/// "on_failure"?, "metric"?, "goal"?, "force"?}`.
public struct SweepRequest: Sendable {
    /// The fields a request may hold.
    public static let fields = [
        "experiment", "name", "space", "config", "count", "repeats", "seed", "concurrency", "on_failure", "metric",
        "goal", "force",
    ]

    public var definition: SweepDefinition
    /// Whether more than 10,000 trials may run.
    public var force: Bool

    /// Reads a request; every problem is reported with its field.
    /// - Throws: ``HarnessError/invalidSweep(_:)``.
    public init(json: JSONObject) throws(HarnessError) {
        var problems: [ConfigError] = []
        for key in json.keys where !Self.fields.contains(key) {
            problems.append(ConfigError(path: key, message: "is not a field of a sweep (\(Self.fields.joined(separator: ", ")))"))
        }
        func text(_ key: String, required: Bool = false) -> String? {
            switch json[key] {
            case .string(let value)?: return value
            case nil, .null?:
                if required { problems.append(ConfigError(path: key, message: "is required")) }
                return nil
            default:
                problems.append(ConfigError(path: key, message: "must be a string"))
                return nil
            }
        }
        func whole(_ key: String, default fallback: Int) -> Int {
            switch json[key] {
            case nil, .null?: return fallback
            case .integer(let value)? where Int64(Int32.min)...Int64(Int32.max) ~= value: return Int(value)
            default:
                problems.append(ConfigError(path: key, message: "must be a whole number"))
                return fallback
            }
        }
        func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice) -> Choice
        where Choice.RawValue == String {
            guard let name = text(key) else { return fallback }
            if let chosen = Choice(rawValue: name) { return chosen }
            let names = Choice.allCases.map(\.rawValue).joined(separator: " or ")
            problems.append(ConfigError(path: key, message: "must be \(names), not \"\(name)\""))
            return fallback
        }
        let experiment = text("experiment", required: true) ?? ""
        let name = text("name", required: true) ?? ""
        let metric = text("metric")
        let (count, repeats, seed, concurrency) = (
            whole("count", default: 0), whole("repeats", default: 1), whole("seed", default: 0),
            whole("concurrency", default: 1)
        )
        let onFailure: SweepDefinition.FailurePolicy = choice("on_failure", default: .continue)
        let goal: SweepDefinition.Goal = choice("goal", default: .min)
        switch json["force"] {
        case nil, .null?: force = false
        case .bool(let value)?: force = value
        default:
            force = false
            problems.append(ConfigError(path: "force", message: "must be true or false"))
        }
        var space = SweepSpace(parameters: [])
        do {
            space = try SweepSpace(json: json["space"] ?? .null)
        } catch {
            if case .invalidSweep(let found) = error { problems += found }
        }
        if !problems.isEmpty { throw .invalidSweep(problems) }
        definition = SweepDefinition(
            name: name, experiment: experiment, config: json["config"] ?? [:], space: space, seed: seed, count: count,
            repeats: repeats, concurrency: concurrency, onFailure: onFailure, metric: metric, goal: goal)
    }
}
