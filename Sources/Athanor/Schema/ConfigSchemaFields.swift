import AthanorJournal

extension ConfigSchema {
    /// The fields as forms need them: `[{"name", "type", "label", "description", "default",
    /// "required", "min", "max", "step", "options", "fields"}]`, absent options as null.
    public var fieldsJSON: JSONValue {
        .array(fields.map(\.json))
    }
}

extension ConfigField {
    fileprivate var json: JSONValue {
        var object: JSONObject = [
            "name": .string(name), "type": .string(kind.typeName), "label": label.map(JSONValue.string) ?? .null,
            "description": description.map(JSONValue.string) ?? .null, "default": defaultValue ?? .null,
            "required": .bool(isRequired), "min": .null, "max": .null, "step": .null, "options": .null, "fields": .null,
        ]
        switch kind {
        case .integer(let min, let max, let step):
            object["min"] = min.map(JSONValue.integer) ?? .null
            object["max"] = max.map(JSONValue.integer) ?? .null
            object["step"] = step.map(JSONValue.integer) ?? .null
        case .float(let min, let max, let step):
            object["min"] = min.map(JSONValue.double) ?? .null
            object["max"] = max.map(JSONValue.double) ?? .null
            object["step"] = step.map(JSONValue.double) ?? .null
        case .string(let options):
            object["options"] = options.map { .array($0.map(JSONValue.string)) } ?? .null
        case .boolean:
            break
        case .list(let schema), .group(let schema):
            object["fields"] = schema.fieldsJSON
        }
        return .object(object)
    }
}

extension ConfigField.Kind {
    /// `integer`, `float`, `string`, `boolean`, `list` or `group`.
    public var typeName: String {
        switch self {
        case .integer: "integer"
        case .float: "float"
        case .string: "string"
        case .boolean: "boolean"
        case .list: "list"
        case .group: "group"
        }
    }
}

extension ExperimentRegistry {
    /// An experiment as JSON: name, description, its language (`swift`, `python` or
    /// `program`) and file (null for Swift), its configuration as JSON Schema and as form fields.
    public static func json(of experiment: ExperimentDefinition) -> JSONValue {
        [
            "name": .string(experiment.name), "description": .string(experiment.description),
            "language": .string(experiment.program?.language ?? "swift"),
            "file": experiment.program.map { .string($0.file) } ?? .null,
            "config_schema": experiment.configSchema.jsonSchema, "fields": experiment.configSchema.fieldsJSON,
        ]
    }
}
