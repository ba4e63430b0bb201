import Athanor
import Hummingbird

extension APIRoutes {
    func addInstanceRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/instances") { request, _ in
            let all = try QueryParameters(request).flag("all")
            return JSONResponse.make(
                .array(harness.catalog.instances(includingDeleted: all).map(harness.catalog.listing(of:))))
        }

        router.post("/api/instances") { request, _ in
            let body = try await RequestBody(request, fields: ["experiment", "name", "description", "config"])
            let experiment = try body.requiredString("experiment")
            let name = try body.requiredString("name")
            let description = try body.string("description") ?? ""
            let created = try handling {
                try harness.store.create(
                    experiment: experiment, name: name, description: description,
                    config: body.members["config"] ?? [:])
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
            let body = try await RequestBody(request, fields: ["name", "description", "config"])
            let name = try body.string("name")
            if name?.isEmpty == true { throw APIError.badRequest("`name` must not be empty") }
            let description = try body.string("description")
            let updated = try handling {
                let instance = try harness.catalog.instance(try id(context, kind: "instance"))
                return try harness.store.update(
                    instance.instanceID, name: name, description: description, config: body.members["config"])
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
            let body = try await RequestBody(request, fields: ["timeout"])
            var timeout: Duration?
            if let value = body["timeout"] {
                guard let seconds = value.doubleValue else {
                    throw APIError.badRequest("`timeout`: expected \(RunTimeout.requirement), got \(value.typeName)")
                }
                guard let duration = RunTimeout.duration(seconds: seconds) else {
                    throw APIError.badRequest("`timeout` must be \(RunTimeout.requirement), not \(seconds)")
                }
                timeout = duration
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
