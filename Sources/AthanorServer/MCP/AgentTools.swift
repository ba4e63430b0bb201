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

    let harness: ServerHarness
    /// Whether to re-read the data directory before each call (when nothing else keeps the
    /// catalog current, as over stdio).
    let refreshesCatalog: Bool

    /// Every tool, in the order agents see them.
    public var definitions: [Definition] { Self.definitions }

    /// Calls the tool `name` with `arguments`.
    public func call(_ name: String, arguments: JSONObject) async throws -> JSONValue {
        if refreshesCatalog {
            // Over stdio, a read answers after the start-up recovery (never a dead run as
            // running); starting a run never waits on it.
            if name != "start_run" { await harness.recovery.value }
            try? harness.catalog.refresh()
        }
        let arguments = Arguments(tool: name, values: arguments)
        if let definition = Self.definitions.first(where: { $0.name == name }) {
            try arguments.check(against: definition)
        }
        do {
            switch name {
            case "list_experiments":
                return .array(harness.catalog.instances().map(harness.catalog.listing(of:)))
            case "get_experiment":
                return try instanceDetails(try harness.catalog.instance(try arguments.string("id")))
            case "create_experiment":
                let created = try harness.store.create(
                    experiment: try arguments.string("experiment_module"), name: try arguments.string("name"),
                    description: try arguments.optionalString("description") ?? "",
                    config: arguments.values["configuration"] ?? [:])
                try? harness.catalog.refresh()
                return harness.catalog.listing(of: created)
            case "update_experiment":
                let instance = try harness.catalog.instance(try arguments.string("id"))
                let newName = try arguments.optionalString("name")
                if newName?.isEmpty == true {
                    throw Failure(description: "update_experiment: `name` must not be empty")
                }
                let updated = try harness.store.update(
                    instance.instanceID, name: newName, description: try arguments.optionalString("description"),
                    config: arguments.values["configuration"])
                try? harness.catalog.refresh()
                return harness.catalog.listing(of: updated)
            case "delete_experiment":
                let instance = try harness.catalog.instance(try arguments.string("id"))
                try harness.store.delete(instance.instanceID)
                try? harness.catalog.refresh()
                return harness.catalog.listing(of: try harness.store.load(instance.instanceID))
            case "list_available_modules":
                return .array(harness.registry.experiments.map(ExperimentRegistry.json(of:)))
            case "get_config_schema":
                return try harness.registry.experiment(named: try arguments.string("experiment_module")).configSchema
                    .jsonSchema
            case "validate_config":
                return try validate(arguments)
            case "list_runs":
                let instance = try harness.catalog.instance(try arguments.string("experiment_id"))
                return .array(harness.catalog.runs(instance: instance.instanceID).map { $0.summary.json })
            case "get_run":
                return try harness.catalog.run(try arguments.string("id")).summary.json
            case "start_run":
                return try await startRun(arguments)
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
            default:
                throw Failure(
                    description:
                        "unknown tool \"\(name.prefix(100))\" (tools: \(Self.definitions.map(\.name).joined(separator: ", ")))"
                )
            }
        } catch let error as HarnessError {
            throw Failure(description: error.description)
        } catch let error as JournalError {
            throw Failure(description: error.description)
        }
    }

    private func instanceDetails(_ instance: InstanceState) throws -> JSONValue {
        var object = harness.catalog.listing(of: instance).objectValue ?? [:]
        let runs = harness.catalog.runs(instance: instance.instanceID).map(\.summary)
        var counts: JSONObject = [:]
        for status in RunStatus.allCases {
            counts[status.rawValue] = .integer(Int64(runs.filter { $0.status == status }.count))
        }
        object["run_counts"] = .object(counts)
        return .object(object)
    }

    private func validate(_ arguments: Arguments) throws -> JSONValue {
        let experiment = try harness.registry.experiment(named: try arguments.string("experiment_module"))
        switch experiment.configSchema.validate(arguments.values["configuration"] ?? [:]) {
        case .success(let config):
            return ["valid": true, "errors": [], "configuration": config]
        case .failure(let failure):
            return [
                "valid": false,
                "errors": .array(failure.errors.map { ["path": .string($0.path), "message": .string($0.message)] }),
            ]
        }
    }

    private func startRun(_ arguments: Arguments) async throws -> JSONValue {
        let instance = try harness.catalog.instance(try arguments.string("experiment_id"))
        var timeout: Duration?
        if let seconds = try arguments.optionalNumber("timeout_seconds") {
            guard let duration = RunTimeout.duration(seconds: seconds) else {
                throw Failure(
                    description: "start_run: `timeout_seconds` must be \(RunTimeout.requirement), not \(seconds)")
            }
            timeout = duration
        }
        let assignment = try harness.supervisor.start(instance, timeout: timeout)
        harness.changes.poke()
        return try Catalog.summarize(assignment.journalPath).json
    }

    private func cancelRun(_ arguments: Arguments) throws -> JSONValue {
        let entry = try harness.catalog.run(try arguments.string("id"))
        let reason = try arguments.optionalString("reason") ?? "cancelled by an agent"
        switch try RunControl.requestStop(journal: entry.journalPath, reason: reason) {
        case .alreadyEnded:
            throw Failure(
                description:
                    "run \(entry.summary.runID) has already ended (\(entry.summary.status.rawValue)); nothing to cancel"
            )
        case .requested, .cancelledNow:
            return ["run": .string(entry.summary.runID), "cancelling": true, "reason": .string(reason)]
        }
    }

    private func logs(_ arguments: Arguments) async throws -> JSONValue {
        let entry = try harness.catalog.run(try arguments.string("run_id"))
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
        // The same cached read the web UI's log view pages through.
        let (data, matches) = try await harness.runData.matches(
            in: entry, filter: LogFilter(minimumLevel: level, afterSeq: after))
        let matching = matches.map { data.logs[$0] }
        // Without a cursor: the last `limit` lines; with one: the next `limit` after it.
        let window = after == nil ? Array(matching.suffix(limit)) : Array(matching.prefix(limit))
        return entry.notingJournalProblems(in: [
            "run": .string(entry.summary.runID), "total": .integer(Int64(data.logs.count)),
            "logs": .array(
                window.map { line in
                    [
                        "seq": .integer(Int64(line.seq)), "ts": .string(line.timestamp.rfc3339),
                        "level": .string(line.record.level.rawValue), "message": .string(line.record.message),
                        "metadata": line.record.metadata ?? .null,
                    ]
                }),
            "next_after_seq": window.last.map { .integer(Int64($0.seq)) }
                ?? (after.map { .integer(Int64($0)) } ?? .null),
        ])
    }

    private func results(_ arguments: Arguments) async throws -> JSONValue {
        let entry = try harness.catalog.run(try arguments.string("run_id"))
        let limit = try arguments.limit(default: 100)
        let after = try arguments.optionalSeq("cursor") ?? 0
        let results = try await harness.runData.data(for: entry).results
        let remaining = results.entries.filter { $0.seq > after }
        let page = remaining.prefix(limit)
        return entry.notingJournalProblems(in: [
            "run": .string(entry.summary.runID), "total": .integer(Int64(results.entries.count)),
            "results": .array(
                page.map { result in
                    ["seq": .integer(Int64(result.seq)), "key": .string(result.key), "value": result.value]
                }),
            "next_cursor": remaining.count > limit ? .integer(Int64(page.last?.seq ?? after)) : .null,
        ])
    }

    private func resultDetails(_ arguments: Arguments) throws -> JSONValue {
        let entry = try harness.catalog.run(try arguments.string("run_id"))
        let key = try arguments.string("key")
        var matches: [JSONValue] = []
        try JournalReader<RunEvent>(path: entry.journalPath).forEachEvent { event in
            if case .result(key, let value) = event.payload {
                matches.append([
                    "seq": .integer(Int64(event.seq)), "ts": .string(event.timestamp.rfc3339), "key": .string(key),
                    "value": value,
                ])
            }
        }
        guard !matches.isEmpty else {
            throw Failure(description: "run \(entry.summary.runID) has no result with key \"\(key.prefix(100))\"")
        }
        return ["run": .string(entry.summary.runID), "results": .array(matches)]
    }

    private func waitForRun(_ arguments: Arguments) async throws -> JSONValue {
        let entry = try harness.catalog.run(try arguments.string("id"))
        let seconds = try arguments.optionalNumber("timeout_seconds") ?? 60
        guard seconds > 0, seconds <= 3600 else {
            throw Failure(
                description: "wait_for_run: `timeout_seconds` must be above 0 and at most 3600, not \(seconds)")
        }
        let journal = entry.journalPath
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                let follower = TailFollower<RunEvent>(path: journal)
                do {
                    for try await event in follower where event.payload.isTerminal { return true }
                } catch {}
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        // Make the catalog agree at once, so a get_run right after this sees the end too.
        let file = JournalFile(journal)
        try? harness.catalog.refresh(changedPaths: [file.plainPath, file.compressedPath])
        var summary = (try? Catalog.summarize(journal).json.objectValue) ?? [:]
        summary["timed_out"] = .bool(!ended)
        return .object(summary)
    }

    private func replay(_ arguments: Arguments) throws -> JSONValue {
        let entry = try harness.catalog.run(try arguments.string("id"))
        let atSeq = try arguments.optionalSeq("at_seq")
        let limit = try arguments.limit(default: 200)
        var state = RunSummary()
        var timeline: [JSONValue] = []
        var origin: Timestamp?
        try JournalReader<RunEvent>(path: entry.journalPath).forEachEvent { event in
            if let atSeq, event.seq > atSeq { return }
            state.apply(event)
            let start = origin ?? event.timestamp
            origin = start
            timeline.append([
                "seq": .integer(Int64(event.seq)), "ts": .string(event.timestamp.rfc3339),
                "offset_seconds": .double(
                    Double(event.timestamp.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 1e6),
                "type": .string(event.payload.typeName),
            ])
        }
        return entry.notingJournalProblems(in: [
            "run": .string(entry.summary.runID), "at_seq": .integer(Int64(state.lastSeq)), "state": state.json,
            "timeline": .array(Array(timeline.suffix(limit))), "timeline_total": .integer(Int64(timeline.count)),
        ])
    }
}
