import Athanor
import AthanorExperiments
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AthanorServer

/// The JSON API's shapes and errors, in process: the router the server runs, over a fresh data
/// directory with runs executed inline (the end-to-end tests in tools/tests drive the binary).
@Suite struct APIRouterTests {
    /// The server's router over a fresh lab, and a way to call it.
    private struct API {
        let lab: Lab
        let app: Application<RouterResponder<BasicRequestContext>>

        init() throws {
            let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-router-\(Identifier.generate())")
            let registry = BundledExperiments.registry
            lab = try Lab(
                data: data, registry: registry, executor: InlineExecutor(registry: registry), maxConcurrentRuns: 2,
                recovery: .inBackground)
            let sessions = MCPSessions(tools: AgentTools(lab: lab))
            app = Application(router: AthanorServer.router(lab: lab, sessions: sessions, accessToken: nil))
        }

        /// Calls the router: the status and the body as JSON (`null` for an empty body).
        func call(_ method: HTTPRequest.Method, _ uri: String, _ body: JSONValue? = nil) async throws
            -> (HTTPResponse.Status, JSONValue)
        {
            try await app.test(.router) { client in
                try await client.execute(
                    uri: uri, method: method, headers: [.contentType: "application/json"],
                    body: try body.map { ByteBuffer(string: try $0.jsonText()) }
                ) { response in
                    let text = String(buffer: response.body)
                    return (response.status, text.isEmpty ? .null : try JSONValue(parsing: text))
                }
            }
        }

        /// Creates a demo instance and answers its ID.
        func demoInstance(iterations: Int = 3) async throws -> String {
            let (status, created) = try await call(
                .post, "/api/instances",
                ["experiment": "demo", "name": "router", "config": ["iterations": .integer(Int64(iterations)), "delay_ms": 0]])
            #expect(status == .created)
            return try #require(created["instance"]?.stringValue)
        }
    }

    @Test func instancesAreCreatedShownUpdatedAndDeleted() async throws {
        let api = try API()
        let id = try await api.demoInstance()
        let (status, details) = try await api.call(.get, "/api/instances/\(id.prefix(12))")
        #expect(status == .ok)
        #expect(details["name"] == "router" && details["run_count"] == 0 && details["last_run"] == .null)
        #expect(details["run_counts"]?["completed"] == 0 && details["runs"] == [])
        let (_, updated) = try await api.call(.patch, "/api/instances/\(id)", ["name": "renamed"])
        #expect(updated["name"] == "renamed")
        let (_, listed) = try await api.call(.get, "/api/instances")
        #expect(listed.arrayValue?.map { $0["name"] } == ["renamed"])
        let (_, deleted) = try await api.call(.delete, "/api/instances/\(id)")
        #expect(deleted["deleted"] == true)
        #expect(try await api.call(.get, "/api/instances").1 == [])
        #expect(try await api.call(.get, "/api/instances?all=true").1.arrayValue?.count == 1)
        let (conflict, problem) = try await api.call(.post, "/api/instances/\(id)/runs")
        #expect(conflict == .conflict && problem["error"]?["code"] == "conflict")
    }

    @Test func badInputGetsAProblemThatSaysWhatIsWrong() async throws {
        let api = try API()
        let (invalid, problem) = try await api.call(
            .post, "/api/instances", ["experiment": "demo", "name": "bad", "config": ["iterations": "many"]])
        #expect(invalid == .unprocessableContent)
        #expect(problem["error"]?["code"] == "invalid_config")
        #expect(problem["error"]?["details"]?[0]?["path"] == "iterations")
        let (unknown, missing) = try await api.call(.post, "/api/instances", ["experiment": "nope", "name": "x"])
        #expect(unknown == .notFound && missing["error"]?["code"] == "not_found")
        let (noName, _) = try await api.call(.post, "/api/instances", ["experiment": "demo"])
        #expect(noName == .badRequest)
        let (badID, idProblem) = try await api.call(.get, "/api/runs/..%2Fetc")
        #expect(badID == .badRequest && idProblem["error"]?["message"]?.stringValue?.contains("not a valid run ID") == true)
        let (noRun, _) = try await api.call(.get, "/api/runs/0123456789")
        #expect(noRun == .notFound)
        let (badLevel, _) = try await api.call(.get, "/api/runs/0123456789/logs?level=loud")
        #expect(badLevel == .badRequest)
        let (noRoute, routeProblem) = try await api.call(.get, "/api/nothing")
        #expect(noRoute == .notFound && routeProblem["error"]?["code"] == "not_found")
        let (method, _) = try await api.call(.put, "/api/runs")
        #expect(method == .methodNotAllowed)
    }

    @Test func aRunIsStartedAndItsLogsAndResultsArePaged() async throws {
        let api = try API()
        let id = try await api.demoInstance(iterations: 4)
        let (accepted, started) = try await api.call(.post, "/api/instances/\(id)/runs", ["timeout": 600])
        #expect(accepted == .accepted && started["status"] == "pending")
        let runID = try #require(started["run"]?.stringValue)
        let ended = try await api.lab.waitForRun(runID, timeout: .seconds(600))
        #expect(!ended.timedOut && ended.summary.status == .completed)

        let (_, run) = try await api.call(.get, "/api/runs/\(runID)")
        #expect(run["status"] == "completed" && run["journal"]?.stringValue?.hasSuffix(".jsonl.zst") == true)
        let (_, all) = try await api.call(.get, "/api/runs/\(runID)/logs")
        let total = try #require(all["total"]?.integerValue)
        #expect(all["matched"]?.integerValue == total && all["entries"]?.arrayValue?.count == Int(total))
        let first = try #require(all["entries"]?[0])
        #expect(first.objectValue?.keys == ["seq", "ts", "level", "message", "metadata"])
        let (_, paged) = try await api.call(.get, "/api/runs/\(runID)/logs?offset=1&limit=2")
        #expect(paged["entries"]?.arrayValue?.map { $0["seq"] } == Array(all["entries"]?.arrayValue?[1...2] ?? []).map { $0["seq"] })
        let (_, results) = try await api.call(.get, "/api/runs/\(runID)/results?limit=1")
        #expect(results["entries"]?[0]?.objectValue?.keys == ["seq", "ts", "key", "value"])
        let (_, runs) = try await api.call(.get, "/api/runs?instance=\(id)&status=completed")
        #expect(runs.arrayValue?.map { $0["run"] } == [.string(runID)])
        let (conflict, problem) = try await api.call(.post, "/api/runs/\(runID)/cancel")
        #expect(conflict == .conflict && problem["error"]?["message"]?.stringValue?.contains("already ended") == true)
        let (_, status) = try await api.call(.get, "/api/status")
        #expect(status["supervised_runs"] == 0 && status["mcp_sessions"] == 0)
    }
}
