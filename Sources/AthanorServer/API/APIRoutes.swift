import Athanor
import Hummingbird

/// The JSON API (`docs/http-api.md`), over a ``ServerHarness``.
struct APIRoutes: Sendable {
    let harness: ServerHarness

    func add(to router: Router<BasicRequestContext>) {
        addExperimentRoutes(to: router)
        addInstanceRoutes(to: router)
        addRunRoutes(to: router)
        addEventStreams(to: router)
        for method in [HTTPRequest.Method.get, .post, .patch, .delete, .put] {
            router.on("/api/**", method: method) { request, _ -> Response in
                throw APIError.notFound("no API route \(request.method) \(request.uri.path)")
            }
        }
    }

    /// Runs `body`, answering harness errors as API errors.
    func handling<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch let error as HarnessError {
            throw APIError(error)
        }
    }

    /// A path parameter that must be an ID (or a prefix of one).
    func id(_ context: BasicRequestContext, kind: String) throws -> String {
        guard let text = context.parameters.get("id"), Identifier.isValidPrefix(text.lowercased()) else {
            throw APIError.badRequest("\"\(context.parameters.get("id") ?? "")\" is not a valid \(kind) ID")
        }
        return text
    }
}
