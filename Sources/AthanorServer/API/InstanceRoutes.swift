import Athanor
import Hummingbird

extension APIRoutes {
    func addInstanceRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/instances") { request, _ in
            let all = QueryParameters(request).get("all") == "true"
            return JSONResponse.make(
                .array(harness.catalog.instances(includingDeleted: all).map(harness.catalog.listing(of:))))
        }

        router.post("/api/instances") { request, _ in
            let body = try await JSONResponse.object(from: request)
            guard let experiment = try body.string("experiment") else {
                throw APIError.badRequest("`experiment` is required")
            }
            guard let name = try body.string("name"), !name.isEmpty else {
                throw APIError.badRequest("`name` is required")
            }
            let created = try handling {
                try harness.store.create(
                    experiment: experiment, name: name, description: try body.string("description") ?? "",
                    config: body["config"] ?? [:])
            }
            harness.changes.poke()
            return JSONResponse.make(harness.catalog.listing(of: created), status: .created)
        }

        router.get("/api/instances/:id") { _, context in
            let instance = try handling { try harness.catalog.instance(try id(context, kind: "instance")) }
            var object = harness.catalog.listing(of: instance).objectValue ?? [:]
            object["runs"] = .array(harness.catalog.runs(instance: instance.instanceID).map { $0.summary.json })
            return JSONResponse.make(.object(object))
        }

        router.patch("/api/instances/:id") { request, context in
            let body = try await JSONResponse.object(from: request)
            let updated = try handling {
                let instance = try harness.catalog.instance(try id(context, kind: "instance"))
                return try harness.store.update(
                    instance.instanceID, name: try body.string("name"), description: try body.string("description"),
                    config: body["config"])
            }
            harness.changes.poke()
            return JSONResponse.make(harness.catalog.listing(of: updated))
        }

        router.delete("/api/instances/:id") { _, context in
            let deleted = try handling {
                let instance = try harness.catalog.instance(try id(context, kind: "instance"))
                try harness.store.delete(instance.instanceID)
                return try harness.store.load(instance.instanceID)
            }
            harness.changes.poke()
            return JSONResponse.make(harness.catalog.listing(of: deleted))
        }

        router.post("/api/instances/:id/runs") { request, context in
            let body = try await JSONResponse.object(from: request)
            var timeout: Duration?
            if let value = body["timeout"], value != .null {
                guard let seconds = value.doubleValue, seconds > 0 else {
                    throw APIError.badRequest("`timeout` must be a positive number of seconds")
                }
                timeout = .milliseconds(Int64(seconds * 1000))
            }
            let assignment = try handling {
                let instance = try harness.catalog.instance(try id(context, kind: "instance"))
                return try harness.supervisor.start(instance, timeout: timeout)
            }
            harness.changes.poke()
            let summary = (try? Catalog.summarize(assignment.journalPath)) ?? RunSummary()
            return JSONResponse.make(summary.json, status: .accepted)
        }
    }
}
