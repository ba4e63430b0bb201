import Athanor
import Foundation
import MCP

/// The MCP sessions of the Streamable HTTP endpoint: one transport and one MCP server per
/// session, found by the `MCP-Session-Id` header. An `initialize` POST without a session starts
/// one; DELETE ends it; sessions idle for an hour are closed (a transport keeps its messages
/// until its session ends).
actor MCPSessions {
    private struct Session {
        let transport: StatefulHTTPServerTransport
        let server: MCP.Server
        var lastUsed: ContinuousClock.Instant
    }

    private struct FixedSessionID: SessionIDGenerator {
        let id: String
        func generateSessionID() -> String { id }
    }

    private let tools: AgentTools
    private let idleTimeout: Duration
    private var sessions: [String: Session] = [:]

    init(tools: AgentTools, idleTimeout: Duration = .seconds(3600)) {
        self.tools = tools
        self.idleTimeout = idleTimeout
    }

    func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        await closeIdleSessions()
        if request.method.uppercased() == "POST", let problem = Self.invalidID(in: request.body) {
            return .error(statusCode: 400, .invalidRequest("Invalid Request: \(problem)"))
        }
        let sessionID = request.header(HTTPHeaderName.sessionID)
        if let sessionID, var session = sessions[sessionID] {
            session.lastUsed = .now
            sessions[sessionID] = session
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE", response.statusCode == 200 {
                await close(sessionID)
            }
            return response
        }
        if request.method.uppercased() == "POST", Self.isInitialize(request.body) {
            return await startSession(with: request)
        }
        if sessionID != nil {
            return .error(statusCode: 404, .invalidRequest("Not Found: session not found or expired"))
        }
        return .error(statusCode: 400, .invalidRequest("Bad Request: missing \(HTTPHeaderName.sessionID) header"))
    }

    /// How many sessions are open.
    var count: Int { sessions.count }

    /// Closes every session (at shutdown).
    func closeAll() async {
        for id in Array(sessions.keys) { await close(id) }
    }

    private func startSession(with request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        let id = UUID().uuidString
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(id: id))
        let server = await MCPServerFactory.make(tools: tools)
        do {
            try await server.start(transport: transport)
        } catch {
            return .error(statusCode: 500, .internalError("could not start an MCP session: \(error)"))
        }
        sessions[id] = Session(transport: transport, server: server, lastUsed: .now)
        return await transport.handleRequest(request)
    }

    private func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    private func closeIdleSessions() async {
        let now = ContinuousClock.now
        for (id, session) in sessions where now - session.lastUsed > idleTimeout { await close(id) }
    }

    /// What is wrong with the `id` of a message (or of one in a batch), when it is not a string,
    /// an integer or null: the SDK would never answer such a request, leaving the POST open.
    private static func invalidID(in body: Data?) -> String? {
        guard let body, let value = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)) else { return nil }
        for message in value.arrayValue ?? [value] {
            switch message["id"] {
            case nil, .null, .string, .integer: continue
            case let id?: return "a JSON-RPC id must be a string or an integer, not \(id.typeName)"
            }
        }
        return nil
    }

    /// Whether a POST body is a JSON-RPC `initialize` request.
    private static func isInitialize(_ body: Data?) -> Bool {
        guard let body, let value = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)) else { return false }
        return value["method"]?.stringValue == "initialize"
    }
}
