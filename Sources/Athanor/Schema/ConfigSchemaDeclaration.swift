import AthanorJournal

extension ConfigSchema {
    /// The schema a program declares, in the shape of ``fieldsJSON`` (`[{"name", "type",
    /// "label", "description", "default", "required", "min", "max", "step", "options",
    /// "fields"}]`, absent keys and nulls alike meaning unset), checked as strictly as a
    /// configuration: each default must be valid for its own field.
    /// - Throws: ``ConfigValidationError`` with every problem and its field path.
    public init(declaration: JSONValue) throws(ConfigValidationError) {
        var errors: [ConfigError] = []
        self.init(fields: Self.fields(declaration, at: "", errors: &errors))
        if errors.isEmpty, case .failure(let invalid) = validate(defaults) {
            // Defaults that break the schema's own rules (required fields without one are fine).
            errors = invalid.errors.filter { !$0.message.hasPrefix("required") }
        }
        if !errors.isEmpty { throw ConfigValidationError(errors: errors) }
    }

    private static func fields(_ declaration: JSONValue, at path: String, errors: inout [ConfigError]) -> [ConfigField] {
        guard case .array(let items) = declaration else {
            errors.append(ConfigError(path: path, message: "the fields must be a list"))
            return []
        }
        var seen: Set<String> = []
        return items.enumerated().compactMap { index, item -> ConfigField? in
            guard case .object(let object) = item, case .string(let name)? = object["name"], !name.isEmpty else {
                errors.append(ConfigError(path: "\(path)[\(index)]", message: "a field needs a name"))
                return nil
            }
            let fieldPath = path.isEmpty ? name : "\(path).\(name)"
            guard seen.insert(name).inserted else {
                errors.append(ConfigError(path: fieldPath, message: "declared twice"))
                return nil
            }
            return field(name, object, at: fieldPath, errors: &errors)
        }
    }

    private static func field(_ name: String, _ object: JSONObject, at path: String, errors: inout [ConfigError])
        -> ConfigField?
    {
        func given(_ key: String) -> JSONValue? {
            guard let value = object[key], value != .null else { return nil }
            return value
        }
        func fail(_ message: String) -> ConfigField? {
            errors.append(ConfigError(path: path, message: message))
            return nil
        }
        func text(_ key: String) -> String? {
            guard let value = given(key) else { return nil }
            guard case .string(let string) = value else {
                errors.append(ConfigError(path: path, message: "\(key) must be text"))
                return nil
            }
            return string
        }
        func integer(_ key: String) -> Int64? {
            guard let value = given(key) else { return nil }
            guard case .integer(let number) = value else {
                errors.append(ConfigError(path: path, message: "\(key) must be an integer"))
                return nil
            }
            return number
        }
        func number(_ key: String) -> Double? {
            guard let value = given(key) else { return nil }
            guard let number = value.doubleValue else {
                errors.append(ConfigError(path: path, message: "\(key) must be a number"))
                return nil
            }
            return number
        }
        let kind: ConfigField.Kind
        switch text("type") {
        case "integer": kind = .integer(min: integer("min"), max: integer("max"), step: integer("step"))
        case "float": kind = .float(min: number("min"), max: number("max"), step: number("step"))
        case "boolean": kind = .boolean
        case "string":
            var options: [String]?
            if let list = given("options") {
                guard case .array(let items) = list, let strings = Optional(items.compactMap(\.stringValue)),
                    strings.count == items.count
                else { return fail("options must be a list of text") }
                options = strings
            }
            kind = .string(options: options)
        case "list", "group":
            let nested = fields(given("fields") ?? .array([]), at: path, errors: &errors)
            kind = text("type") == "list" ? .list(ConfigSchema(fields: nested)) : .group(ConfigSchema(fields: nested))
        case let other?:
            return fail("unknown type \"\(other)\" (known: integer, float, string, boolean, list, group)")
        case nil:
            return fail("a field needs a type")
        }
        var required = false
        if let flag = given("required") {
            guard case .bool(let value) = flag else { return fail("required must be true or false") }
            required = value
        }
        return ConfigField(
            name: name, kind: kind, defaultValue: given("default"), isRequired: required, label: text("label"),
            description: text("description"))
    }
}
