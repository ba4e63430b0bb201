import Athanor
import AthanorExperiments
import Foundation
import Testing

@testable import AthanorServer

/// The MCP tool handlers, called directly (runs execute inline).
@Suite struct AgentToolsTests {
    private let fixture: InlineAgentTools
    private var tools: AgentTools { fixture.tools }

    init() throws {
        fixture = try InlineAgentTools(named: "tools")
    }

    private func failure(_ name: String, _ arguments: JSONObject) async -> String? {
        await fixture.failure(name, arguments)
    }

    @Test func aRunFromCreationToResults() async throws {
        let instance = try await tools.call(
            "create_experiment",
            arguments: [
                "name": "tools", "experiment_module": "demo", "configuration": ["iterations": 4, "delay_ms": 0],
            ])
        let id = try #require(instance["instance"]?.stringValue)
        let started = try await tools.call("start_run", arguments: ["experiment_id": .string(id)])
        let run = try #require(started["run"]?.stringValue)
        let done = try await tools.call("wait_for_run", arguments: ["id": .string(run), "timeout_seconds": 120])
        #expect(done["status"] == "completed")
        #expect(done["timed_out"] == false)
        let logs = try await tools.call("get_run_logs", arguments: ["run_id": .string(run), "level": "info"])
        #expect(
            logs["logs"]?.arrayValue?.compactMap { $0["message"]?.stringValue } == ["Starting 4 iterations", "Done"])
        let results = try await tools.call("list_results", arguments: ["run_id": .string(run), "limit": 3])
        #expect(results["results"]?.arrayValue?.count == 3)
        #expect(results["next_cursor"]?.integerValue != nil)
        let replay = try await tools.call("replay_run", arguments: ["id": .string(run), "at_seq": 2])
        #expect(replay["state"]?["status"] == "running")
    }

    @Test func validationReportsEveryErrorWithItsPath() async throws {
        let verdict = try await tools.call(
            "validate_config",
            arguments: [
                "experiment_module": "substrate_shift",
                "configuration": ["runs_per_pair": 0, "model_pairs": [["model_b": "b"]]],
            ])
        #expect(verdict["valid"] == false)
        let paths = verdict["errors"]?.arrayValue?.compactMap { $0["path"]?.stringValue }
        #expect(paths == ["runs_per_pair", "model_pairs[0].model_a"])
    }

    @Test func badArgumentsAndUnknownIDsAreClearFailures() async {
        #expect(await failure("get_run", [:])?.contains("`id` is required") == true)
        #expect(await failure("get_run", ["id": "../x"])?.contains("not a valid run ID") == true)
        #expect(await failure("get_experiment", ["id": "zzzz"])?.contains("no instance") == true)
        #expect(
            await failure("get_run_logs", ["run_id": 5])?.contains("`run_id`: expected a string, got an integer")
                == true)
        #expect(
            await failure("create_experiment", ["name": "x", "experiment_module": "nope"])?.contains(
                "unknown experiment") == true)
        #expect(await failure("frobnicate", [:])?.contains("unknown tool") == true)
    }

    @Test func everyToolHasAnObjectSchema() {
        #expect(tools.definitions.count == 24)
        #expect(tools.definitions.allSatisfy { $0.inputSchema["type"] == "object" })
    }
}
