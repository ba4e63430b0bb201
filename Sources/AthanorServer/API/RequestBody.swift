import Athanor
import Hummingbird

/// A request's JSON body, read within limits (1 MiB, UTF-8, nesting depth, no lone surrogates)
/// and with errors that name the field: nothing past this point sees hostile bytes.
struct RequestBody {
    /// Largest request body accepted.
    static let maximumSize = 1 << 20
    /// ``maximumSize`` as people say it.
    static let maximumSizeDescription = "1 MiB"

    /// The body's members.
    let members: JSONObject

    /// Reads the body of `request`: a JSON object whose members are all among `fields` (an
    /// empty body is an empty object).
    init(_ request: Request, fields: [String]) async throws {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maximumSize)
        } catch {
            throw APIError(
                status: .contentTooLarge, code: "payload_too_large",
                message: "the request body is larger than \(Self.maximumSizeDescription) (\(Self.maximumSize) bytes)")
        }
        let bytes = buffer.readableBytesView
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw APIError.badRequest(
                "the body is not valid UTF-8 (at byte \(Self.firstInvalidUTF8Offset(in: bytes) + 1))")
        }
        if text.allSatisfy(\.isWhitespace) {
            members = [:]
            return
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsingStrictly: text)
        } catch {
            throw APIError.badRequest("the body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("the body must be a JSON object, not \(value.typeName)")
        }
        if let unknown = object.keys.first(where: { !fields.contains($0) }) {
            throw APIError.badRequest(
                "unknown field `\(unknown.prefix(100))` (fields: \(fields.joined(separator: ", ")))")
        }
        members = object
    }

    /// The member `key`, absent or `null` as `nil`.
    subscript(key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    /// An optional string member; any other type is a bad request.
    func string(_ key: String) throws -> String? {
        guard let value = self[key] else { return nil }
        guard case .string(let text) = value else {
            throw APIError.badRequest("`\(key)`: expected a string, got \(value.typeName)")
        }
        return text
    }

    /// A string member that must be present and not empty.
    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key), !text.isEmpty else { throw APIError.badRequest("`\(key)` is required") }
        return text
    }

    /// Where the first byte that is not UTF-8 is.
    static func firstInvalidUTF8Offset(in bytes: some Sequence<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
        return offset
    }
}

extension JSONValue {
    /// The value's JSON type, as an error message names it ("expected a string, got an array").
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
