import Athanor
import Hummingbird

/// An API error: `{"error": {"code", "message", "details"}}` with its HTTP status.
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var details: [JSONValue] = []

    static func badRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "bad_request", message: message)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }

    static func conflict(_ message: String) -> APIError {
        APIError(status: .conflict, code: "conflict", message: message)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = [
            "error": ["code": .string(code), "message": .string(message), "details": .array(details)]
        ]
        return JSONResponse.make(body, status: status)
    }
}

extension APIError {
    /// The API's answer to a harness error: its problem (see ``HarnessError/problem``) with the
    /// HTTP status of its code.
    init(_ error: HarnessError) {
        let problem = error.problem
        let status: HTTPResponse.Status =
            switch problem.code {
            case "invalid_config", "invalid_resources", "invalid_sweep": .unprocessableContent
            case "not_found": .notFound
            case "bad_request": .badRequest
            case "ambiguous_id", "conflict": .conflict
            default: .internalServerError
            }
        self.init(status: status, code: problem.code, message: problem.message, details: problem.details)
    }
}
