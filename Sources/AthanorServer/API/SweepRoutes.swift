import Athanor
import Hummingbird

extension APIRoutes {
    func addSweepRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/sweeps") { _, _ in
            JSONResponse.make(.array(await lab.sweeps().map { $0.json(trials: false) }))
        }

        router.post("/api/sweeps") { request, _ in
            let body = try await RequestBody(request, fields: SweepRequest.fields)
            let started = try await handling {
                let asked = try SweepRequest(json: body.members)
                let created = try await lab.createSweep(asked.definition, force: asked.force)
                return try await lab.startSweep(created.created.sweep, resuming: false)
            }
            return JSONResponse.make(started.json(), status: .created)
        }

        router.get("/api/sweeps/:id") { _, context in
            let id = try id(context, kind: "sweep")
            return JSONResponse.make(try await handling { try await lab.sweep(id) }.json())
        }

        router.post("/api/sweeps/:id/resume") { request, context in
            let id = try id(context, kind: "sweep")
            let body = try await RequestBody(request, fields: ["retry_failed"])
            guard body["retry_failed"] == nil || body["retry_failed"]?.boolValue != nil else {
                throw APIError.badRequest("`retry_failed` must be true or false")
            }
            let retryFailed = body["retry_failed"]?.boolValue ?? false
            let resumed = try await handling { try await lab.startSweep(id, resuming: true, retryFailed: retryFailed) }
            return JSONResponse.make(resumed.json(), status: .accepted)
        }

        router.post("/api/sweeps/:id/cancel") { request, context in
            let id = try id(context, kind: "sweep")
            let body = try await RequestBody(request, fields: ["reason"])
            let reason = try body.string("reason") ?? "cancelled from the web"
            return JSONResponse.make(try await handling { try await lab.cancelSweep(id, reason: reason) }.json())
        }
    }
}
