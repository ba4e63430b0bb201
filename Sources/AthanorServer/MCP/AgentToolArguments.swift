import Athanor

extension AgentTools {
    /// A tool call's arguments, read with errors that name the tool, the argument and what was
    /// wrong with it ("get_run: `id`: expected a string, got an array").
    struct Arguments {
        let tool: String
        let values: JSONObject

        /// Checks what no single argument can: the total size (the same limit as an HTTP body,
        /// over stdio too), that every argument is one the tool's schema names and that every
        /// one it requires is there.
        func check(against definition: Definition) throws {
            let size = (try? JSONValue.object(values).jsonText().utf8.count) ?? 0
            guard size <= RequestBody.maximumSize else {
                throw Failure(
                    description:
                        "\(tool): the arguments are larger than \(RequestBody.maximumSizeDescription) (\(size) bytes)"
                )
            }
            let known = definition.inputSchema["properties"]?.objectValue?.keys ?? []
            if let unknown = values.keys.first(where: { !known.contains($0) }) {
                let expected = known.isEmpty ? "it takes none" : "arguments: \(known.joined(separator: ", "))"
                throw Failure(description: "\(tool): unknown argument `\(unknown.prefix(100))` (\(expected))")
            }
            let required = definition.inputSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if let missing = required.first(where: { (values[$0] ?? .null) == .null }) {
                throw Failure(description: "\(tool): `\(missing)` is required")
            }
        }

        func string(_ name: String) throws -> String {
            guard let value = try optionalString(name), !value.isEmpty else {
                throw Failure(description: "\(tool): `\(name)` is required")
            }
            return value
        }

        func optionalString(_ name: String) throws -> String? {
            guard let value = values[name], value != .null else { return nil }
            guard case .string(let text) = value else {
                throw Failure(description: "\(tool): `\(name)`: expected a string, got \(value.typeName)")
            }
            return text
        }

        func optionalInteger(_ name: String) throws -> Int? {
            guard let value = values[name], value != .null else { return nil }
            guard let number = value.integerValue, let integer = Int(exactly: number) else {
                throw Failure(
                    description: "\(tool): `\(name)`: expected an integer, got \(value.typeName)\(value.brief)")
            }
            return integer
        }

        /// A `seq` or cursor: an integer, 0 or more.
        func optionalSeq(_ name: String) throws -> Int? {
            guard let seq = try optionalInteger(name) else { return nil }
            guard seq >= 0 else { throw Failure(description: "\(tool): `\(name)` must be 0 or more, not \(seq)") }
            return seq
        }

        /// A required list of strings.
        func strings(_ name: String) throws -> [String] {
            guard let value = values[name], value != .null else {
                throw Failure(description: "\(tool): `\(name)` is required")
            }
            guard case .array(let elements) = value else {
                throw Failure(description: "\(tool): `\(name)`: expected an array of strings, got \(value.typeName)")
            }
            return try elements.map { element in
                guard case .string(let text) = element else {
                    throw Failure(description: "\(tool): `\(name)`: expected strings, got \(element.typeName)")
                }
                return text
            }
        }

        func optionalNumber(_ name: String) throws -> Double? {
            guard let value = values[name], value != .null else { return nil }
            guard let number = value.doubleValue else {
                throw Failure(description: "\(tool): `\(name)`: expected a number, got \(value.typeName)")
            }
            return number
        }

        /// `limit`, between 1 and 5000.
        func limit(default defaultLimit: Int) throws -> Int {
            let limit = try optionalInteger("limit") ?? defaultLimit
            guard (1...5000).contains(limit) else {
                throw Failure(description: "\(tool): `limit` must be between 1 and 5000, not \(limit)")
            }
            return limit
        }
    }
}

extension JSONValue {
    /// A number or boolean for an error message, after a space (empty for strings and
    /// containers, whose type says enough).
    fileprivate var brief: String {
        switch self {
        case .integer(let number): " \(number)"
        case .double(let number): " \(number)"
        case .bool(let flag): " \(flag)"
        default: ""
        }
    }
}
