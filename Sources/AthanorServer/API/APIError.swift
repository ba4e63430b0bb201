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
    /// The API's answer to a harness error.
    init(_ error: HarnessError) {
        switch error {
        case .invalidConfig(_, let validation):
            self.init(
                status: .unprocessableContent, code: "invalid_config", message: error.description,
                details: validation.errors.map { ["path": .string($0.path), "message": .string($0.message)] })
        case .unknownExperiment, .unknownID:
            self.init(status: .notFound, code: "not_found", message: error.description)
        case .invalidID, .configDecoding:
            self.init(status: .badRequest, code: "bad_request", message: error.description)
        case .ambiguousID:
            self.init(status: .conflict, code: "ambiguous_id", message: error.description)
        case .instanceDeleted, .runAlreadyEnded:
            self.init(status: .conflict, code: "conflict", message: error.description)
        case .resultEncoding, .journal, .storage:
            self.init(status: .internalServerError, code: "internal", message: error.description)
        }
    }
}
