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
        let body = try await request.collectBody(upTo: JSONResponse.maximumBodySize)
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
}
