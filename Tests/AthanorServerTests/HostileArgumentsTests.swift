import Athanor
import AthanorExperiments
import Foundation
import Testing

@testable import AthanorServer

/// Tool arguments an agent should never send: each is a tool failure that says what is wrong,
/// never a crash and never a write.
@Suite struct HostileArgumentsTests {
    private let fixture: InlineAgentTools
    private var tools: AgentTools { fixture.tools }
    private var data: DataDirectory { fixture.data }

    init() throws {
        fixture = try InlineAgentTools(named: "hostile")
    }

    private func failure(_ name: String, _ arguments: JSONObject) async -> String? {
        await fixture.failure(name, arguments)
    }

    private func instance() async throws -> String {
        let created = try await tools.call("create_experiment", arguments: ["name": "h", "experiment_module": "demo"])
        return try #require(created["instance"]?.stringValue)
    }

    @Test func anOverflowingTimeoutIsRefusedNotATrap() async throws {
        let id = try await instance()
        for seconds: JSONValue in [1e308, .double(.infinity), -1, 0, 31_622_401] {
            let message = await failure("start_run", ["experiment_id": .string(id), "timeout_seconds": seconds])
            #expect(message?.contains("`timeout_seconds` must be a number of seconds above 0 and at most") == true)
        }
        #expect(try await tools.call("list_runs", arguments: ["experiment_id": .string(id)]) == [])
    }

    @Test func wrongTypesNameTheArgumentAndTheType() async {
        #expect(await failure("get_run", ["id": ["a"]]) == "get_run: `id`: expected a string, got an array")
        let arguments = AgentTools.Arguments(tool: "replay_run", values: ["at_seq": 1.5, "cursor": -1])
        #expect(throws: AgentTools.Failure.self) { try arguments.optionalSeq("at_seq") }
        do {
            _ = try arguments.optionalSeq("cursor")
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == "replay_run: `cursor` must be 0 or more, not -1")
        }
        do {
            _ = try arguments.optionalSeq("at_seq")
        } catch {
            #expect("\(error)" == "replay_run: `at_seq`: expected an integer, got a number 1.5")
        }
    }

    @Test func unknownAndMissingArgumentsAreRefused() async {
        #expect(
            await failure("get_run", ["id": "x", "bogus": 1])?.hasPrefix("get_run: unknown argument `bogus`") == true)
        #expect(
            await failure("validate_config", ["experiment_module": "demo"])
                == "validate_config: `configuration` is required")
    }

    @Test func argumentsOverAMebibyteAreRefusedBeforeAnythingIsWritten() async throws {
        let name = String(repeating: "a", count: RequestBody.maximumSize + 1)
        let message = await failure("create_experiment", ["name": .string(name), "experiment_module": "demo"])
        #expect(message?.hasPrefix("create_experiment: the arguments are larger than 1 MiB") == true)
        #expect(try await tools.call("list_experiments", arguments: [:]) == [])
    }

    @Test func runTimeoutsStayInsideADuration() {
        #expect(RunTimeout.duration(seconds: 1.5) == .milliseconds(1500))
        #expect(RunTimeout.duration(seconds: .nan) == nil)
        #expect(RunTimeout.duration(seconds: 1e308) == nil)
        #expect(RunTimeout.duration(seconds: 0) == nil)
    }
}
