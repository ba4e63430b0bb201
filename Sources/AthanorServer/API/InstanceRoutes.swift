import Athanor
import Hummingbird

extension APIRoutes {
    func addInstanceRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/instances") { request, _ in
            let all = try QueryParameters(request).flag("all")
            return JSONResponse.make(.array(lab.instances(includingDeleted: all).map(\.json)))
        }

        router.post("/api/instances") { request, _ in
            let body = try await RequestBody(
                request, fields: ["experiment", "name", "description", "config", "resources"])
            let experiment = try body.requiredString("experiment")
            let name = try body.requiredString("name")
            let description = try body.string("description") ?? ""
            let created = try handling {
                try lab.createInstance(
                    experiment: experiment, name: name, description: description,
                    config: body.members["config"] ?? [:], resources: try body.members["resources"].map(SlurmResources.init))
            }
            return JSONResponse.make(created.json, status: .created)
        }

        router.get("/api/instances/:id") { _, context in
            let id = try id(context, kind: "instance")
            return JSONResponse.make(try handling { try lab.instance(id) }.json)
        }

        router.patch("/api/instances/:id") { request, context in
            let id = try id(context, kind: "instance")
            let body = try await RequestBody(request, fields: ["name", "description", "config", "resources"])
            let name = try body.string("name")
            if name?.isEmpty == true { throw APIError.badRequest("`name` must not be empty") }
            let description = try body.string("description")
            let updated = try handling {
                try lab.updateInstance(
                    id, name: name, description: description, config: body.members["config"],
                    resources: try body.members["resources"].map(SlurmResources.init))
            }
            return JSONResponse.make(updated.json)
        }

        router.delete("/api/instances/:id") { _, context in
            let id = try id(context, kind: "instance")
            return JSONResponse.make(try handling { try lab.deleteInstance(id) }.json)
        }

        router.post("/api/instances/:id/runs") { request, context in
            let id = try id(context, kind: "instance")
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
            let started = try handling { try lab.startRun(of: id, timeout: timeout) }
            return JSONResponse.make(started.summary.json, status: .accepted)
        }
    }
}
