import Athanor
import Hummingbird

/// JSON in and out of requests, with the journal's own codec (ordered keys, exact numbers).
enum JSONResponse {
    /// Largest request body accepted.
    static let maximumBodySize = 1 << 20

    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let text =
            (try? value.jsonText()) ?? #"{"error":{"code":"internal","message":"unencodable response","details":[]}}"#
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The request's body as a JSON object; an empty body is an empty object.
    static func object(from request: Request) async throws -> JSONObject {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodySize)
        } catch {
            throw APIError(
                status: .contentTooLarge, code: "payload_too_large",
                message: "the request body is larger than \(maximumBodySize) bytes")
        }
        let text = String(buffer: buffer)
        if text.allSatisfy(\.isWhitespace) { return [:] }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text)
        } catch {
            throw APIError.badRequest("the body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else { throw APIError.badRequest("the body must be a JSON object") }
        return object
    }
}

extension JSONObject {
    /// An optional string member; any other type is a bad request.
    func string(_ key: String) throws -> String? {
        guard let value = self[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw APIError.badRequest("`\(key)` must be a string") }
        return text
    }
}
