import AthanorJournal
import Foundation

/// The parameter space of a sweep: for each parameter (a configuration field, nested ones as
/// `a.b`), the values it takes. As JSON (`sweep_created`'s `space`, the API's):
///
/// ```json
/// {"lr": {"grid": [0.1, 0.01]}, "temperature": {"uniform": [0, 2]},
///  "weight_decay": {"log_uniform": [1e-5, 1e-2]}, "layers": {"int": [1, 4]},
///  "activation": {"choice": ["relu", "gelu"]}}
/// ```
///
/// A bare list is a grid. Grid parameters are crossed (cartesian product); the others are
/// drawn at random, `count` times, for each grid combination.
public struct SweepSpace: Sendable, Equatable {
    /// How one parameter's values are chosen.
    public enum Values: Sendable, Equatable {
        /// Every value, crossed with the other grid parameters.
        case grid([JSONValue])
        /// One of these, drawn at random.
        case choice([JSONValue])
        /// A number drawn uniformly in `[low, high]`.
        case uniform(low: Double, high: Double)
        /// A number whose logarithm is drawn uniformly in `[log low, log high]` (both positive).
        case logUniform(low: Double, high: Double)
        /// A whole number drawn uniformly in `low...high`.
        case integer(low: Int64, high: Int64)

        var isGrid: Bool {
            if case .grid = self { return true }
            return false
        }
    }

    /// One parameter: its configuration path and its values.
    public struct Parameter: Sendable, Equatable {
        public var path: String
        public var values: Values
    }

    /// The parameters, in the order given.
    public var parameters: [Parameter]

    /// Whether any parameter is drawn at random (the sweep then needs a `count`).
    public var isRandom: Bool { parameters.contains { !$0.values.isGrid } }

    /// The space as JSON (each parameter as `{"grid": […]}`, `{"uniform": [a, b]}`…).
    public var json: JSONValue {
        .object(JSONObject(parameters.map { .init(key: $0.path, value: Self.json(of: $0.values)) }))
    }

    /// Reads a space; every problem is reported with its path (`space.lr`).
    /// - Throws: ``HarnessError/invalidSweep(_:)``.
    public init(json: JSONValue) throws(HarnessError) {
        guard let object = json.objectValue else {
            throw .invalidSweep([ConfigError(path: "space", message: "must be an object of parameter → values")])
        }
        guard !object.isEmpty else {
            throw .invalidSweep([ConfigError(path: "space", message: "is empty: give at least one parameter to vary")])
        }
        var problems: [ConfigError] = []
        parameters = []
        for member in object {
            let path = "space.\(member.key)"
            if member.key.isEmpty || member.key.split(separator: ".", omittingEmptySubsequences: false).contains("") {
                problems.append(ConfigError(path: path, message: "is not a configuration field path"))
                continue
            }
            switch Self.values(member.value) {
            case .success(let values): parameters.append(Parameter(path: member.key, values: values))
            case .failure(let message): problems.append(ConfigError(path: path, message: message))
            }
        }
        if !problems.isEmpty { throw .invalidSweep(problems) }
    }

    public init(parameters: [Parameter]) {
        self.parameters = parameters
    }

    private enum Parsed {
        case success(Values)
        case failure(String)
    }

    private static let kinds = "a list of values, or {\"grid\": […]}, {\"choice\": […]}, {\"uniform\": [low, high]}, {\"log_uniform\": [low, high]} or {\"int\": [low, high]}"

    private static func values(_ json: JSONValue) -> Parsed {
        if let list = json.arrayValue { return list.isEmpty ? .failure("has no values") : .success(.grid(list)) }
        guard let object = json.objectValue, object.count == 1, let member = object.members.first else {
            return .failure("must be \(kinds)")
        }
        switch member.key {
        case "grid", "choice":
            guard let list = member.value.arrayValue, !list.isEmpty else {
                return .failure("\(member.key) must be a non-empty list of values")
            }
            return .success(member.key == "grid" ? .grid(list) : .choice(list))
        case "uniform", "log_uniform":
            guard let pair = member.value.arrayValue, pair.count == 2, let low = pair[0].doubleValue,
                let high = pair[1].doubleValue, low.isFinite, high.isFinite
            else { return .failure("\(member.key) must be [low, high], two numbers") }
            guard low <= high else { return .failure("\(member.key): low \(low) is above high \(high)") }
            if member.key == "uniform" { return .success(.uniform(low: low, high: high)) }
            guard low > 0 else { return .failure("log_uniform needs positive bounds, not \(low)") }
            return .success(.logUniform(low: low, high: high))
        case "int":
            guard let pair = member.value.arrayValue, pair.count == 2, let low = pair[0].integerValue,
                let high = pair[1].integerValue
            else { return .failure("int must be [low, high], two whole numbers") }
            guard low <= high else { return .failure("int: low \(low) is above high \(high)") }
            return .success(.integer(low: low, high: high))
        default:
            return .failure("\"\(member.key)\" is not a kind of values: use \(kinds)")
        }
    }

    private static func json(of values: Values) -> JSONValue {
        switch values {
        case .grid(let list): ["grid": .array(list)]
        case .choice(let list): ["choice": .array(list)]
        case .uniform(let low, let high): ["uniform": [.double(low), .double(high)]]
        case .logUniform(let low, let high): ["log_uniform": [.double(low), .double(high)]]
        case .integer(let low, let high): ["int": [.integer(low), .integer(high)]]
        }
    }
}
