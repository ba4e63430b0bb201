import AthanorJournal

/// One field of an experiment's configuration: its name, type, constraints and presentation.
///
/// Build fields with the constructors of ``Field`` inside a ``ConfigSchema`` builder.
public struct ConfigField: Sendable, Equatable {
    /// The field's type and its type-specific constraints.
    public indirect enum Kind: Sendable, Equatable {
        /// A whole number within optional bounds; values must be `min + k × step` when both are set.
        case integer(min: Int64?, max: Int64?, step: Int64?)
        /// A number within optional bounds; `step` is the increment the web form offers.
        case float(min: Double?, max: Double?, step: Double?)
        /// Text, restricted to `options` when they are given (a choice).
        case string(options: [String]?)
        /// True or false.
        case boolean
        /// Any number of items, each an object of the sub-schema's fields.
        case list(ConfigSchema)
        /// An object of the sub-schema's fields.
        case group(ConfigSchema)
    }

    /// The key in the configuration object (`snake_case` by convention).
    public var name: String
    public var kind: Kind
    /// Used when the configuration does not give the field.
    public var defaultValue: JSONValue?
    /// A required field must be given unless it has a default; a required list needs an item.
    public var isRequired: Bool
    /// Human-readable name for forms.
    public var label: String?
    /// Help text for forms and agents.
    public var description: String?

    public init(
        name: String, kind: Kind, defaultValue: JSONValue? = nil, isRequired: Bool = false, label: String? = nil,
        description: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.isRequired = isRequired
        self.label = label
        self.description = description
    }
}

/// The constructors of configuration fields, one per type, for the ``ConfigSchema`` builder:
///
/// ```swift
/// static let schema = ConfigSchema {
///     Field.integer("iterations", default: 10, min: 1, max: 1_000_000, label: "Iterations")
///     Field.string("model", default: "small", options: ["small", "large"])
///     Field.list("model_pairs", label: "Model pairs") {
///         Field.string("model_a", required: true)
///         Field.string("model_b", required: true)
///     }
/// }
/// ```
public enum Field {
    /// An integer field.
    public static func integer(
        _ name: String, default defaultValue: Int64? = nil, min: Int64? = nil, max: Int64? = nil, step: Int64? = nil,
        required: Bool = false, label: String? = nil, description: String? = nil
    ) -> ConfigField {
        ConfigField(
            name: name, kind: .integer(min: min, max: max, step: step),
            defaultValue: defaultValue.map(JSONValue.integer),
            isRequired: required, label: label, description: description)
    }

    /// A floating-point field.
    public static func float(
        _ name: String, default defaultValue: Double? = nil, min: Double? = nil, max: Double? = nil,
        step: Double? = nil, required: Bool = false, label: String? = nil, description: String? = nil
    ) -> ConfigField {
        ConfigField(
            name: name, kind: .float(min: min, max: max, step: step), defaultValue: defaultValue.map(JSONValue.double),
            isRequired: required, label: label, description: description)
    }

    /// A text field; with `options`, a choice among them.
    public static func string(
        _ name: String, default defaultValue: String? = nil, options: [String]? = nil, required: Bool = false,
        label: String? = nil, description: String? = nil
    ) -> ConfigField {
        ConfigField(
            name: name, kind: .string(options: options), defaultValue: defaultValue.map(JSONValue.string),
            isRequired: required, label: label, description: description)
    }

    /// A Boolean field.
    public static func boolean(
        _ name: String, default defaultValue: Bool? = nil, required: Bool = false, label: String? = nil,
        description: String? = nil
    ) -> ConfigField {
        ConfigField(
            name: name, kind: .boolean, defaultValue: defaultValue.map(JSONValue.bool), isRequired: required,
            label: label, description: description)
    }

    /// A repeatable list of items, each with the fields built by `item`.
    public static func list(
        _ name: String, default defaultValue: [JSONValue]? = nil, required: Bool = false, label: String? = nil,
        description: String? = nil, @ConfigSchemaBuilder item: () -> [ConfigField]
    ) -> ConfigField {
        ConfigField(
            name: name, kind: .list(ConfigSchema(fields: item())), defaultValue: defaultValue.map(JSONValue.array),
            isRequired: required, label: label, description: description)
    }

    /// A group of fields, kept together as one object.
    public static func group(
        _ name: String, label: String? = nil, description: String? = nil,
        @ConfigSchemaBuilder fields: () -> [ConfigField]
    ) -> ConfigField {
        ConfigField(name: name, kind: .group(ConfigSchema(fields: fields())), label: label, description: description)
    }
}
