import Athanor

extension AgentTools {
    /// A tool call's arguments, read with errors that name the tool and the argument.
    struct Arguments {
        let tool: String
        let values: JSONObject

        func string(_ name: String) throws -> String {
            guard let value = try optionalString(name) else {
                throw Failure(description: "\(tool): `\(name)` is required")
            }
            return value
        }

        func optionalString(_ name: String) throws -> String? {
            guard let value = values[name], value != .null else { return nil }
            guard case .string(let text) = value else {
                throw Failure(description: "\(tool): `\(name)` must be a string")
            }
            return text
        }

        func optionalInteger(_ name: String) throws -> Int? {
            guard let value = values[name], value != .null else { return nil }
            guard let number = value.integerValue, let integer = Int(exactly: number) else {
                throw Failure(description: "\(tool): `\(name)` must be an integer")
            }
            return integer
        }

        func optionalNumber(_ name: String) throws -> Double? {
            guard let value = values[name], value != .null else { return nil }
            guard let number = value.doubleValue else {
                throw Failure(description: "\(tool): `\(name)` must be a number")
            }
            return number
        }

        /// `limit`, between 1 and 5000.
        func limit(default defaultLimit: Int) throws -> Int {
            let limit = try optionalInteger("limit") ?? defaultLimit
            guard (1...5000).contains(limit) else {
                throw Failure(description: "\(tool): `limit` must be between 1 and 5000")
            }
            return limit
        }
    }
}
