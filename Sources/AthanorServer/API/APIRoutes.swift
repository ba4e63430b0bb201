import Athanor
import Hummingbird

/// The JSON API (`docs/http-api.md`): each route parses its input, calls one ``Lab`` method and
/// encodes the answer.
struct APIRoutes: Sendable {
    let lab: Lab
    let sessions: MCPSessions

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/status") { _, _ in
            // What the server holds, for operators (and the tests that check nothing leaks).
            JSONResponse.make([
                "supervised_runs": .integer(Int64(lab.supervisedRunCount)),
                "mcp_sessions": .integer(Int64(await sessions.count)),
                "sweep_drivers": .integer(Int64(lab.sweepDriverCount)),
                "executor": .string(lab.executorName), "following": .string(lab.following),
                "scheduler_calls_per_minute": lab.schedulerCallsPerMinute.map { .integer(Int64($0)) } ?? .null,
            ])
        }
        addExperimentRoutes(to: router)
        addInstanceRoutes(to: router)
        addRunRoutes(to: router)
        addMetricRoutes(to: router)
        addSweepRoutes(to: router)
        addEventStreams(to: router)
        for method in Self.allMethods {
            for path in ["/api", "/api/**"] {
                router.on(RouterPath(stringLiteral: path), method: method) { request, _ -> Response in
                    throw APIError.notFound("no API route \(request.method) \(request.uri.path)")
                }
            }
        }
        // The router answers a known path with an unknown method by an empty 404: answer it here.
        for (path, served) in Self.routes {
            for method in Self.allMethods where !served.contains(method) {
                router.on(RouterPath(stringLiteral: path), method: method) { request, _ -> Response in
                    throw APIError(
                        status: .methodNotAllowed, code: "method_not_allowed",
                        message:
                            "\(request.uri.path) answers \(served.map(\.rawValue).joined(separator: ", ")), not \(request.method)"
                    )
                }
            }
        }
    }

    private static let allMethods: [HTTPRequest.Method] = [.get, .post, .patch, .delete, .put]

    /// Every API path and the methods it answers (as `docs/http-api.md` lists them).
    private static let routes: [(path: String, methods: [HTTPRequest.Method])] = [
        ("/api/status", [.get]), ("/api/experiments", [.get]), ("/api/instances", [.get, .post]),
        ("/api/instances/:id", [.get, .patch, .delete]), ("/api/instances/:id/runs", [.post]), ("/api/runs", [.get]),
        ("/api/runs/:id", [.get]), ("/api/runs/:id/cancel", [.post]), ("/api/runs/:id/logs", [.get]),
        ("/api/runs/:id/results", [.get]), ("/api/runs/:id/events", [.get]), ("/api/events", [.get]),
        ("/api/metrics", [.get]), ("/api/compare", [.get]), ("/api/sweeps", [.get, .post]), ("/api/sweeps/:id", [.get]),
        ("/api/sweeps/:id/resume", [.post]), ("/api/sweeps/:id/cancel", [.post]),
    ]

    /// Runs `body`, answering harness errors as API errors.
    func handling<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch let error as HarnessError {
            throw APIError(error)
        }
    }

    /// Runs `body`, answering harness errors as API errors.
    func handling<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch let error as HarnessError {
            throw APIError(error)
        }
    }

    /// A path parameter that must be an ID (or a prefix of one).
    func id(_ context: BasicRequestContext, kind: String) throws -> String {
        guard let text = context.parameters.get("id"), Identifier.isValidPrefix(text.lowercased()) else {
            let text = context.parameters.get("id") ?? ""
            throw APIError.badRequest(
                "\"\(text.count > 100 ? text.prefix(100) + "…" : text)\" is not a valid \(kind) ID"
                    + " (IDs are up to 26 characters of 0-9 and a-z without i, l, o, u)")
        }
        return text
    }
}
