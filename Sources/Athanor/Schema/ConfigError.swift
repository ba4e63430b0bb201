/// One thing wrong with a configuration, located by its field path
/// (`model_pairs[1].model_a: required`, `iterations: 500 is above the maximum 100`).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where: field names joined by `.`, list items as `[index]`; empty for the whole configuration.
    public var path: String
    /// What is wrong, in words a user can act on.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every error found in a configuration; nothing was recorded.
public struct ConfigValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(errors: [ConfigError]) {
        self.errors = errors
    }

    public var description: String {
        "invalid configuration: " + errors.map(\.description).joined(separator: "; ")
    }
}
