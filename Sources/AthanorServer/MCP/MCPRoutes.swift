import Athanor
import Foundation
import HTTPTypes
import Hummingbird
import MCP
import ServiceLifecycle

/// `/mcp`: the MCP Streamable HTTP endpoint (POST, GET and DELETE as the specification says),
/// bridged between Hummingbird's requests and the MCP SDK's. The SDK's validation checks the
/// `Origin` against loopback (against DNS rebinding), the `Accept` and content types, the
/// protocol version and the session.
struct MCPRoutes: Sendable {
    let sessions: MCPSessions

    func add(to router: Router<BasicRequestContext>) {
        for method in [HTTPRequest.Method.post, .get, .delete] {
            router.on("/mcp", method: method) { request, _ in
                try await handle(request)
            }
        }
    }

    private func handle(_ request: Request) async throws -> Response {
        var request = request
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // Hummingbird moves `Host` into the authority; the SDK validates it from the headers.
        if let authority = request.head.authority { headers["Host"] = authority }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: RequestBody.maximumSize)
        } catch {
            return Self.tooLarge
        }
        let mcpRequest = MCP.HTTPRequest(
            method: request.method.rawValue, headers: headers,
            body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil, path: request.uri.path)
        let answer = await sessions.handle(mcpRequest)
        var responseHeaders = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { responseHeaders[fieldName] = value }
        }
        let status = HTTPResponse.Status(code: answer.statusCode)
        switch answer {
        case .stream(let stream, _):
            let body = stream.map { ByteBuffer(bytes: $0) }.cancelOnGracefulShutdown()
            return Response(status: status, headers: responseHeaders, body: ResponseBody(asyncSequence: body))
        default:
            let data = answer.bodyData ?? Data()
            return Response(
                status: status, headers: responseHeaders, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// The answer to a body over the limit: a JSON-RPC error, as the SDK answers other bad requests.
    private static var tooLarge: Response {
        let message =
            "Invalid Request: the request body is larger than \(RequestBody.maximumSizeDescription) (\(RequestBody.maximumSize) bytes)"
        let error: JSONValue = [
            "jsonrpc": "2.0", "error": ["code": -32600, "message": .string(message)], "id": .null,
        ]
        return JSONResponse.make(error, status: .contentTooLarge)
    }
}
