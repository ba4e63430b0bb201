import Athanor
import Foundation

/// The tools agents use (the original Athanor's MCP tools, same names and parameters, plus
/// `wait_for_run` and `replay_run`), independent of the MCP transport: each takes a JSON object
/// of arguments and answers JSON, or fails with a message that says what is wrong.
public struct AgentTools: Sendable {
    /// A tool call that could not be done; its message is shown to the agent.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// One tool: its name, what it does, and its arguments as JSON Schema.
    public struct Definition: Sendable {
        public let name: String
        public let description: String
        public let inputSchema: JSONValue
    }

    let lab: Lab

    /// Every tool, in the order agents see them.
    public var definitions: [Definition] { Self.definitions }

    /// Calls the tool `name` with `arguments`.
    public func call(_ name: String, arguments: JSONObject) async throws -> JSONValue {
        // A read answers after the start-up recovery (never a dead run as running); starting a
        // run never waits on it.
        if name != "start_run" { await lab.recovered() }
        let arguments = Arguments(tool: name, values: arguments)
        if let definition = Self.definitions.first(where: { $0.name == name }) {
            try arguments.check(against: definition)
        }
        do {
            switch name {
            case "list_experiments":
                return .array(lab.instances().map(\.json))
            case "get_experiment":
                return try lab.instance(try arguments.string("id")).json
            case "create_experiment":
                return try lab.createInstance(
                    experiment: try arguments.string("experiment_module"), name: try arguments.string("name"),
                    description: try arguments.optionalString("description") ?? "",
                    config: arguments.values["configuration"] ?? [:],
                    resources: try arguments.values["resources"].map(SlurmResources.init)
                ).json
            case "update_experiment":
                let newName = try arguments.optionalString("name")
                if newName?.isEmpty == true {
                    throw Failure(description: "update_experiment: `name` must not be empty")
                }
                return try lab.updateInstance(
                    try arguments.string("id"), name: newName, description: try arguments.optionalString("description"),
                    config: arguments.values["configuration"],
                    resources: try arguments.values["resources"].map(SlurmResources.init)
                ).json
            case "delete_experiment":
                return try lab.deleteInstance(try arguments.string("id")).json
            case "list_available_modules":
                let available = lab.experiments()
                return .array(
                    available.experiments.map(ExperimentRegistry.json(of:))
                        + available.problems.map { problem in
                            var entry = problem.json.objectValue ?? [:]
                            entry["broken"] = true
                            return .object(entry)
                        })
            case "get_config_schema":
                return try lab.registry.experiment(named: try arguments.string("experiment_module")).configSchema
                    .jsonSchema
            case "validate_config":
                return try validate(arguments)
            case "list_runs":
                return .array(try lab.runs(instance: try arguments.string("experiment_id")).map(\.summary.json))
            case "get_run":
                return try lab.run(try arguments.string("id")).summary.json
            case "start_run":
                return try startRun(arguments)
            case "cancel_run":
                return try cancelRun(arguments)
            case "get_run_logs":
                return try await logs(arguments)
            case "list_results":
                return try await results(arguments)
            case "get_result_details":
                return try resultDetails(arguments)
            case "wait_for_run":
                return try await waitForRun(arguments)
            case "replay_run":
                return try replay(arguments)
            case "get_run_metrics":
                return try metrics(arguments)
            case "compare_runs":
                return try await lab.compare(try arguments.strings("run_ids")).json
            case "create_sweep":
                return try await createSweep(arguments)
            case "get_sweep":
                return try await lab.sweep(try arguments.string("id")).json()
            case "list_sweeps":
                return .array(await lab.sweeps().map { $0.json(trials: false) })
            case "cancel_sweep":
                return try await lab.cancelSweep(
                    try arguments.string("id"), reason: try arguments.optionalString("reason") ?? "cancelled by an agent"
                ).json()
            case "resume_sweep":
                let retryFailed = arguments.values["retry_failed"]?.boolValue ?? false
                return try await lab.startSweep(try arguments.string("id"), resuming: true, retryFailed: retryFailed).json()
            default:
                throw Failure(
                    description:
                        "unknown tool \"\(name.prefix(100))\" (tools: \(Self.definitions.map(\.name).joined(separator: ", ")))"
                )
            }
        } catch let error as HarnessError {
            throw Failure(description: error.description)
        }
    }

    private func createSweep(_ arguments: Arguments) async throws -> JSONValue {
        var request = arguments.values
        request["experiment"] = request["experiment_module"]
        request["experiment_module"] = nil
        request["config"] = request["configuration"]
        request["configuration"] = nil
        let asked = try SweepRequest(json: request)
        let created = try await lab.createSweep(asked.definition, force: asked.force)
        return try await lab.startSweep(created.created.sweep, resuming: false).json()
    }

    private func validate(_ arguments: Arguments) throws -> JSONValue {
        let experiment = try lab.registry.experiment(named: try arguments.string("experiment_module"))
        switch experiment.configSchema.validate(arguments.values["configuration"] ?? [:]) {
        case .success(let config):
            return ["valid": true, "errors": [], "configuration": config]
        case .failure(let failure):
            return ["valid": false, "errors": .array(failure.errors.map(\.json))]
        }
    }

    private func startRun(_ arguments: Arguments) throws -> JSONValue {
        var timeout: Duration?
        if let seconds = try arguments.optionalNumber("timeout_seconds") {
            guard let duration = RunTimeout.duration(seconds: seconds) else {
                throw Failure(
                    description: "start_run: `timeout_seconds` must be \(RunTimeout.requirement), not \(seconds)")
            }
            timeout = duration
        }
        return try lab.startRun(of: try arguments.string("experiment_id"), timeout: timeout).summary.json
    }

    private func cancelRun(_ arguments: Arguments) throws -> JSONValue {
        let reason = try arguments.optionalString("reason") ?? "cancelled by an agent"
        let (run, _) = try lab.cancelRun(try arguments.string("id"), reason: reason)
        return ["run": .string(run.summary.runID), "cancelling": true, "reason": .string(reason)]
    }

    private func logs(_ arguments: Arguments) async throws -> JSONValue {
        let id = try arguments.string("run_id")
        let limit = try arguments.limit(default: 100)
        var level = LogLevel.debug
        if let name = try arguments.optionalString("level") {
            guard let parsed = LogLevel(name: name) else {
                throw Failure(
                    description: "get_run_logs: `level` must be debug, info, warn or error, not \"\(name.prefix(100))\""
                )
            }
            level = parsed
        }
        let after = try arguments.optionalSeq("after_seq")
        // Without a cursor: the last `limit` lines; with one: the next `limit` after it.
        let page = try await lab.logs(
            of: id, filter: LogFilter(minimumLevel: level, afterSeq: after),
            window: after == nil ? .last(limit) : .first(limit))
        return page.run.notingJournalProblems(in: [
            "run": .string(page.run.summary.runID), "total": .integer(Int64(page.total)),
            "logs": .array(page.entries.map(\.json)),
            "next_after_seq": page.entries.last.map { .integer(Int64($0.seq)) }
                ?? (after.map { .integer(Int64($0)) } ?? .null),
        ])
    }

    private func results(_ arguments: Arguments) async throws -> JSONValue {
        let id = try arguments.string("run_id")
        let limit = try arguments.limit(default: 100)
        let after = try arguments.optionalSeq("cursor") ?? 0
        let page = try await lab.results(of: id, afterSeq: after, window: .first(limit))
        return page.run.notingJournalProblems(in: [
            "run": .string(page.run.summary.runID), "total": .integer(Int64(page.total)),
            "results": .array(page.entries.map(\.json)),
            "next_cursor": page.matched > limit ? .integer(Int64(page.entries.last?.seq ?? after)) : .null,
        ])
    }

    private func resultDetails(_ arguments: Arguments) throws -> JSONValue {
        let key = try arguments.string("key")
        let (run, entries) = try lab.resultHistory(of: try arguments.string("run_id"), key: key)
        guard !entries.isEmpty else {
            throw Failure(description: "run \(run.summary.runID) has no result with key \"\(key.prefix(100))\"")
        }
        return ["run": .string(run.summary.runID), "results": .array(entries.map(\.json))]
    }

    private func waitForRun(_ arguments: Arguments) async throws -> JSONValue {
        let id = try arguments.string("id")
        let seconds = try arguments.optionalNumber("timeout_seconds") ?? 60
        guard seconds > 0, seconds <= 3600 else {
            throw Failure(
                description: "wait_for_run: `timeout_seconds` must be above 0 and at most 3600, not \(seconds)")
        }
        let wait = try await lab.waitForRun(id, timeout: .milliseconds(Int64(seconds * 1000)))
        var summary = wait.summary.json.objectValue ?? [:]
        summary["timed_out"] = .bool(wait.timedOut)
        return .object(summary)
    }

    private func metrics(_ arguments: Arguments) throws -> JSONValue {
        let run = try lab.run(try arguments.string("run_id"))
        guard let key = try arguments.optionalString("key") else {
            return run.notingJournalProblems(in: [
                "run": .string(run.summary.runID),
                "metrics": .object(JSONObject(run.summary.metrics.all.map { .init(key: $0.key, value: $0.json) })),
            ])
        }
        guard run.summary.metrics[key] != nil else {
            throw Failure(description: "run \(run.summary.runID) has no metric \"\(key.prefix(100))\"")
        }
        var query = MetricQuery(points: try arguments.optionalInteger("points") ?? 200)
        guard (4...MetricQuery.maximumPoints).contains(query.points) else {
            throw Failure(description: "get_run_metrics: `points` must be from 4 to 10000, not \(query.points)")
        }
        if let name = try arguments.optionalString("x") {
            guard let axis = MetricAxis(rawValue: name) else {
                throw Failure(description: "get_run_metrics: `x` must be step, time or wall, not \"\(name.prefix(100))\"")
            }
            query.axis = axis
        }
        let curves = try lab.metrics(of: [run.summary.runID], keys: [key], query: query)
        var answer = curves.first?.json.objectValue ?? [:]
        answer["x"] = .string(query.axis.rawValue)
        return run.notingJournalProblems(in: .object(answer))
    }

    private func replay(_ arguments: Arguments) throws -> JSONValue {
        let id = try arguments.string("id")
        let atSeq = try arguments.optionalSeq("at_seq")
        let limit = try arguments.limit(default: 200)
        let replay = try lab.replay(id, at: atSeq, timelineLimit: limit)
        return try lab.run(id).notingJournalProblems(in: replay.json)
    }
}
