import Athanor
import Hummingbird

extension APIRoutes {
    func addRunRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/runs") { request, _ in
            let query = try QueryParameters(request)
            var status: RunStatus?
            if let name = query.get("status") {
                guard let parsed = RunStatus(rawValue: name) else {
                    throw APIError.badRequest("`status` must be pending, running, completed, failed or cancelled")
                }
                status = parsed
            }
            let runs = try handling { try lab.runs(instance: query.get("instance"), status: status) }
            return JSONResponse.make(.array(runs.map(\.summary.json)))
        }

        router.get("/api/runs/:id") { _, context in
            // A run page asks for the logs next: a large run's start loading now.
            JSONResponse.make(try handling { try lab.run(try id(context, kind: "run"), readingAhead: true) }.json)
        }

        router.post("/api/runs/:id/cancel") { request, context in
            let id = try id(context, kind: "run")
            let body = try await RequestBody(request, fields: ["reason"])
            let reason = try body.string("reason") ?? "cancelled from the web"
            let (run, outcome) = try handling { try lab.cancelRun(id, reason: reason) }
            return JSONResponse.make(
                ["run": .string(run.summary.runID), "outcome": .string(outcome.rawValue)], status: .accepted)
        }

        router.get("/api/runs/:id/logs") { request, context in
            let id = try id(context, kind: "run")
            let query = try QueryParameters(request)
            var level = LogLevel.debug
            if let name = query.get("level") {
                guard let parsed = LogLevel(name: name) else {
                    throw APIError.badRequest("`level` must be debug, info, warn or error")
                }
                level = parsed
            }
            let paging = try Paging(query.all)
            let filter = LogFilter(minimumLevel: level, text: query.get("q") ?? "", afterSeq: paging.after)
            let page = try await handling {
                try await lab.logs(of: id, filter: filter, window: .first(paging.limit, skipping: paging.offset))
            }
            return JSONResponse.make([
                "total": .integer(Int64(page.total)), "matched": .integer(Int64(page.matched)),
                "offset": .integer(Int64(paging.offset)), "entries": .array(page.entries.map(\.json)),
            ])
        }

        router.get("/api/runs/:id/results") { request, context in
            let id = try id(context, kind: "run")
            let query = try QueryParameters(request)
            let paging = try Paging(query.all)
            let page = try await handling {
                try await lab.results(
                    of: id, key: query.get("key"), afterSeq: paging.after,
                    window: .first(paging.limit, skipping: paging.offset))
            }
            return JSONResponse.make([
                "total": .integer(Int64(page.matched)), "offset": .integer(Int64(paging.offset)),
                "entries": .array(page.entries.map(\.json)),
            ])
        }
    }
}

/// `offset`, `after` and `limit` query parameters.
struct Paging {
    var offset = 0
    var after = 0
    var limit = 200

    static let maximumLimit = 5000

    init(_ query: [(key: String, value: String)]) throws {
        for (key, value) in query {
            switch key {
            case "offset", "after", "limit":
                guard let number = Int(value), number >= 0 else {
                    throw APIError.badRequest("`\(key)` must be a whole number, not \"\(value.prefix(100))\"")
                }
                if key == "offset" { offset = number }
                if key == "after" { after = number }
                if key == "limit" { limit = min(number, Self.maximumLimit) }
            default:
                continue
            }
        }
    }
}
