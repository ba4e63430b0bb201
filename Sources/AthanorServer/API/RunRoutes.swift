import Athanor
import Hummingbird

extension APIRoutes {
    func addRunRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/runs") { request, _ in
            let query = try QueryParameters(request)
            var instanceID: String?
            if let prefix = query.get("instance") {
                instanceID = try handling { try harness.catalog.instance(prefix).instanceID }
            }
            var status: RunStatus?
            if let name = query.get("status") {
                guard let parsed = RunStatus(rawValue: name) else {
                    throw APIError.badRequest("`status` must be pending, running, completed, failed or cancelled")
                }
                status = parsed
            }
            return JSONResponse.make(
                .array(harness.catalog.runs(instance: instanceID, status: status).map { $0.summary.json }))
        }

        router.get("/api/runs/:id") { _, context in
            let entry = try run(context)
            if entry.summary.logCounts.total >= RunDataCache.prefetchThreshold {
                // A run page asks for its logs right after this: start reading a large run now.
                Task { [runData = harness.runData] in _ = try? await runData.data(for: entry) }
            }
            var object = entry.summary.json.objectValue ?? [:]
            object["journal"] = .string(entry.currentFilePath)
            return JSONResponse.make(.object(object))
        }

        router.post("/api/runs/:id/cancel") { request, context in
            let body = try await RequestBody(request, fields: ["reason"])
            let reason = try body.string("reason") ?? "cancelled from the web"
            let entry = try run(context)
            let outcome: RunControl.StopOutcome
            do {
                outcome = try RunControl.requestStop(journal: entry.journalPath, reason: reason)
            } catch {
                throw APIError(status: .internalServerError, code: "internal", message: "\(error)")
            }
            guard outcome != .alreadyEnded else {
                throw APIError.conflict(
                    "run \(entry.summary.runID) has already ended (\(entry.summary.status.rawValue))")
            }
            harness.changes.poke()
            return JSONResponse.make(
                [
                    "run": .string(entry.summary.runID),
                    "outcome": .string(outcome == .requested ? "requested" : "cancelled"),
                ],
                status: .accepted)
        }

        router.get("/api/runs/:id/logs") { request, context in
            let entry = try run(context)
            let query = try QueryParameters(request)
            var level = LogLevel.debug
            if let name = query.get("level") {
                guard let parsed = LogLevel(name: name) else {
                    throw APIError.badRequest("`level` must be debug, info, warn or error")
                }
                level = parsed
            }
            let page = try Paging(query.all)
            let (data, matches) = try await loading {
                try await harness.runData.matches(
                    in: entry, filter: LogFilter(minimumLevel: level, text: query.get("q") ?? ""))
            }
            let after = matches.drop { data.logs[$0].seq <= page.after }
            let window = after.dropFirst(page.offset).prefix(page.limit).map { data.logs[$0] }
            return JSONResponse.make([
                "total": .integer(Int64(data.logs.count)), "matched": .integer(Int64(after.count)),
                "offset": .integer(Int64(page.offset)),
                "entries": .array(
                    window.map { entry in
                        [
                            "seq": .integer(Int64(entry.seq)), "ts": .string(entry.timestamp.rfc3339),
                            "level": .string(entry.record.level.rawValue), "message": .string(entry.record.message),
                            "metadata": entry.record.metadata ?? .null,
                        ]
                    }),
            ])
        }

        router.get("/api/runs/:id/results") { request, context in
            let entry = try run(context)
            let query = try QueryParameters(request)
            let page = try Paging(query.all)
            let results = try await loading { try await harness.runData.data(for: entry).results }
            var entries = results.entries.filter { $0.seq > page.after }
            if let key = query.get("key") { entries = entries.filter { $0.key == key } }
            return JSONResponse.make([
                "total": .integer(Int64(entries.count)), "offset": .integer(Int64(page.offset)),
                "entries": .array(
                    entries.dropFirst(page.offset).prefix(page.limit).map { entry in
                        [
                            "seq": .integer(Int64(entry.seq)), "ts": .string(entry.timestamp.rfc3339),
                            "key": .string(entry.key), "value": entry.value,
                        ]
                    }),
            ])
        }
    }

    func run(_ context: BasicRequestContext) throws -> Catalog.RunEntry {
        let prefix = try id(context, kind: "run")
        do {
            return try harness.catalog.run(prefix)
        } catch .unknownID {
            // Perhaps created a moment ago by another process.
            try? harness.catalog.refresh()
            return try handling { try harness.catalog.run(prefix) }
        } catch {
            throw APIError(error)
        }
    }

    /// Runs `body`, answering a journal that cannot be read as an internal error.
    private func loading<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch {
            throw APIError(status: .internalServerError, code: "internal", message: "\(error)")
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
