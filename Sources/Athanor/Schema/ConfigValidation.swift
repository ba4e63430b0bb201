import AthanorJournal

extension ConfigSchema {
    /// The configuration with every default applied, or every error found (never just the
    /// first). Unknown keys and values of the wrong type are errors: nothing is coerced, except
    /// that an integer is accepted where a float is expected. A `null` counts as not given.
    public func validate(_ config: JSONValue) -> Result<JSONValue, ConfigValidationError> {
        var errors: [ConfigError] = []
        let value = validateObject(config, at: "", errors: &errors)
        return errors.isEmpty ? .success(value) : .failure(ConfigValidationError(errors: errors))
    }

    /// The configuration with every default applied.
    /// - Throws: ``ConfigValidationError`` with every error found.
    public func validated(_ config: JSONValue) throws(ConfigValidationError) -> JSONValue {
        try validate(config).get()
    }

    /// The configuration made of the defaults alone (what an empty configuration becomes).
    public var defaults: JSONValue {
        var ignored: [ConfigError] = []
        return validateObject(.object([:]), at: "", errors: &ignored)
    }

    fileprivate func validateObject(_ config: JSONValue, at path: String, errors: inout [ConfigError]) -> JSONValue {
        guard case .object(let object) = config else {
            errors.append(
                ConfigError(path: path, message: "expected an object of fields, got \(config.kindDescription)"))
            return config
        }
        var result = JSONObject()
        for key in object.keys where self[key] == nil {
            let known = fields.map(\.name).joined(separator: ", ")
            errors.append(ConfigError(path: join(path, key), message: "unknown field (known fields: \(known))"))
        }
        for field in fields {
            let fieldPath = join(path, field.name)
            if let given = object[field.name], given != .null {
                result[field.name] = field.validate(given, at: fieldPath, errors: &errors)
            } else if let value = field.valueWhenAbsent(at: fieldPath, errors: &errors) {
                result[field.name] = value
            }
        }
        return .object(result)
    }

    private func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }
}

extension ConfigField {
    /// The value to record when the configuration does not give this field.
    fileprivate func valueWhenAbsent(at path: String, errors: inout [ConfigError]) -> JSONValue? {
        switch kind {
        case .group(let schema):
            return schema.validateObject(.object([:]), at: path, errors: &errors)
        case .list:
            if isRequired && (defaultValue?.arrayValue?.isEmpty ?? true) {
                errors.append(ConfigError(path: path, message: "required: add at least one item"))
            }
            return defaultValue ?? .array([])
        default:
            if let defaultValue { return defaultValue }
            if isRequired { errors.append(ConfigError(path: path, message: "required")) }
            return nil
        }
    }

    fileprivate func validate(_ value: JSONValue, at path: String, errors: inout [ConfigError]) -> JSONValue {
        func fail(_ message: String) -> JSONValue {
            errors.append(ConfigError(path: path, message: message))
            return value
        }
        switch kind {
        case .integer(let min, let max, let step):
            guard case .integer(let number) = value else {
                return fail("expected an integer, got \(value.kindDescription)")
            }
            if let min, number < min { return fail("\(number) is below the minimum \(min)") }
            if let max, number > max { return fail("\(number) is above the maximum \(max)") }
            if let step, step > 0, (number - (min ?? 0)) % step != 0 {
                return fail("\(number) is not \(min ?? 0) plus a multiple of the step \(step)")
            }
            return value
        case .float(let min, let max, _):
            guard let number = value.doubleValue else { return fail("expected a number, got \(value.kindDescription)") }
            if let min, number < min { return fail("\(number) is below the minimum \(min)") }
            if let max, number > max { return fail("\(number) is above the maximum \(max)") }
            return .double(number)
        case .string(let options):
            guard case .string(let text) = value else { return fail("expected a string, got \(value.kindDescription)") }
            if let options, !options.contains(text) {
                return fail("\"\(text)\" is not one of the options: \(options.joined(separator: ", "))")
            }
            if isRequired && text.isEmpty { return fail("required: must not be empty") }
            return value
        case .boolean:
            guard case .bool = value else { return fail("expected true or false, got \(value.kindDescription)") }
            return value
        case .list(let item):
            guard case .array(let elements) = value else {
                return fail("expected a list, got \(value.kindDescription)")
            }
            if isRequired && elements.isEmpty { return fail("required: add at least one item") }
            return .array(
                elements.enumerated().map { index, element in
                    item.validateObject(element, at: "\(path)[\(index)]", errors: &errors)
                })
        case .group(let schema):
            return schema.validateObject(value, at: path, errors: &errors)
        }
    }
}

extension JSONValue {
    /// The value as a user would name it in an error message.
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .integer(let number): "the integer \(number)"
        case .double(let number): "the number \(number)"
        case .string(let text): "the string \"\(text.count > 40 ? text.prefix(40) + "…" : text)\""
        case .array: "a list"
        case .object: "an object"
        }
    }
}
