import AthanorJournal

extension ConfigSchema {
    /// The schema as JSON Schema (draft 2020-12), for agents and other tools: an object with
    /// `properties`, `required` and `additionalProperties: false`; bounds as `minimum`/`maximum`,
    /// an integer step as `multipleOf`, options as `enum`, labels as `title`.
    public var jsonSchema: JSONValue {
        var root = objectSchema
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return .object(root)
    }

    fileprivate var objectSchema: JSONObject {
        var properties = JSONObject()
        for field in fields { properties[field.name] = .object(field.jsonSchema) }
        var schema: JSONObject = ["type": "object", "properties": .object(properties)]
        let required = fields.filter { $0.isRequired && $0.defaultValue == nil }.map { JSONValue.string($0.name) }
        if !required.isEmpty { schema["required"] = .array(required) }
        schema["additionalProperties"] = false
        return schema
    }
}

extension ConfigField {
    fileprivate var jsonSchema: JSONObject {
        var schema: JSONObject
        switch kind {
        case .integer(let min, let max, let step):
            schema = ["type": "integer"]
            if let min { schema["minimum"] = .integer(min) }
            if let max { schema["maximum"] = .integer(max) }
            if let step, step > 1, (min ?? 0) == 0 { schema["multipleOf"] = .integer(step) }
        case .float(let min, let max, _):
            schema = ["type": "number"]
            if let min { schema["minimum"] = .double(min) }
            if let max { schema["maximum"] = .double(max) }
        case .string(let options):
            schema = ["type": "string"]
            if let options { schema["enum"] = .array(options.map(JSONValue.string)) }
        case .boolean:
            schema = ["type": "boolean"]
        case .list(let item):
            schema = ["type": "array", "items": .object(item.objectSchema)]
            if isRequired { schema["minItems"] = 1 }
        case .group(let fields):
            schema = fields.objectSchema
        }
        if let label { schema["title"] = .string(label) }
        if let description { schema["description"] = .string(description) }
        if let defaultValue { schema["default"] = defaultValue }
        return schema
    }
}
