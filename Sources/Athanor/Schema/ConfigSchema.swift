import AthanorJournal

/// The configuration an experiment accepts: its fields, in order.
///
/// The same schema renders the web form, answers agents as JSON Schema (``jsonSchema``) and
/// validates every configuration before it is recorded (``validate(_:)``).
public struct ConfigSchema: Sendable, Equatable {
    /// The fields, in the order forms show them.
    public var fields: [ConfigField]

    /// A schema of the given fields.
    public init(fields: [ConfigField]) {
        self.fields = fields
    }

    /// A schema built with field constructors, one per line.
    public init(@ConfigSchemaBuilder _ build: () -> [ConfigField]) {
        fields = build()
    }

    /// The field named `name`.
    public subscript(name: String) -> ConfigField? {
        fields.first { $0.name == name }
    }
}

/// Builds a list of ``ConfigField``s from one expression per line, with `if`, `if let` and `for`.
@resultBuilder
public enum ConfigSchemaBuilder {
    public static func buildExpression(_ field: ConfigField) -> [ConfigField] { [field] }
    public static func buildExpression(_ fields: [ConfigField]) -> [ConfigField] { fields }
    public static func buildBlock(_ parts: [ConfigField]...) -> [ConfigField] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [ConfigField]?) -> [ConfigField] { part ?? [] }
    public static func buildEither(first part: [ConfigField]) -> [ConfigField] { part }
    public static func buildEither(second part: [ConfigField]) -> [ConfigField] { part }
    public static func buildArray(_ parts: [[ConfigField]]) -> [ConfigField] { parts.flatMap { $0 } }
}
