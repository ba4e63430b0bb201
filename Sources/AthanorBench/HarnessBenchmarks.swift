import Athanor
import AthanorExperiments
import Foundation

/// Calls `ctx.log`, `ctx.result` or `ctx.metric` as fast as it can from `tasks` tasks and records how long
/// the calls took as the result `seconds`: the runtime API's overhead, measured inside a run.
struct CallRate: Experiment {
    static let name = "call_rate"
    static let description = "Measures the runtime API's calls per second."
    static let configSchema = ConfigSchema {
        Field.integer("calls", default: 1_000_000, min: 1)
        Field.integer("tasks", default: 1, min: 1)
        Field.string("call", default: "log", options: ["log", "result", "metric"])
    }

    func run(_ ctx: RunContext) async throws {
        let calls = Int(ctx.config["calls"]?.integerValue ?? 0)
        let tasks = Int(ctx.config["tasks"]?.integerValue ?? 1)
        let call = ctx.config["call"]?.stringValue ?? "log"
        let perTask = calls / tasks
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask {
                        switch call {
                        case "result": try? ctx.result("r", .integer(Int64(index)))
                        case "metric": try? ctx.metric("loss", 1 / Double(index + 1), step: index)
                        default: ctx.log(.info, "task \(task) step", metadata: nil)
                        }
                    }
                }
            }
        }
        try ctx.result("seconds", .double(seconds(clock.now - start)))
    }
}

/// Runtime API calls per second from 1, 2 and 8 tasks, through the inline executor.
func runtimeAPIBenchmark(calls: Int) async throws -> [Row] {
    let directory = try scratchDirectory("runtime")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = DataDirectory(path: directory)
    let registry = ExperimentRegistry([CallRate.self])
    let executor = InlineExecutor(registry: registry)
    var rows: [Row] = []
    for call in ["log", "result", "metric"] {
        var figures: [String] = []
        for tasks in [1, 2, 8] {
            let run = try RunAssignment.create(
                in: data, instanceID: Identifier.generate(), instanceName: "bench", experiment: CallRate.self,
                config: ["calls": .integer(Int64(calls)), "tasks": .integer(Int64(tasks)), "call": .string(call)],
                executor: executor.name)
            _ = try await executor.execute(run)
            let results = try JournalReader<RunEvent>.readAll(path: run.journalPath).compactMap { event -> Double? in
                if case .result("seconds", let value) = event.payload { return value.doubleValue }
                return nil
            }
            let seconds = results.first ?? .nan
            figures.append(
                "\(tasks) task\(tasks == 1 ? "" : "s"): \(millions(Double(calls / tasks * tasks) / seconds))")
        }
        rows.append(
            Row(
                name: "`ctx.\(call)` calls from one run (\(calls) calls)", value: figures.joined(separator: "; "),
                reference: "target ≥ 2 M/s from one task"))
    }
    return rows
}

/// From asking for a run to the worker process recording `run_started`, with the release
/// `athanor` binary beside this one.
func workerStartBenchmark(runs: Int) async throws -> [Row] {
    let directory = try scratchDirectory("worker-start")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = DataDirectory(path: directory)
    let executor = ProcessExecutor(options: .init(executable: siblingExecutable("athanor")))
    var latencies: [Double] = []
    var totals: [Double] = []
    for _ in 0..<runs {
        let asked = Timestamp.now()
        let run = try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "bench", experiment: Demo.self,
            config: ["iterations": 1, "delay_ms": 0], executor: executor.name)
        _ = try await executor.execute(run)
        let done = Timestamp.now()
        let summary = try Catalog.summarize(run.journalPath)
        guard let started = summary.startedAt else { continue }
        latencies.append(Double(started.microsecondsSinceEpoch - asked.microsecondsSinceEpoch) / 1000)
        totals.append(Double(done.microsecondsSinceEpoch - asked.microsecondsSinceEpoch) / 1000)
    }
    let start = Percentiles(latencies)
    let total = Percentiles(totals)
    return [
        Row(
            name: "worker start: run requested → `run_started` in the worker (\(runs) runs)",
            value:
                "median \(format(start.at(0.5), 1)) ms (min \(format(start.at(0), 1)), max \(format(start.at(1), 1)))",
            reference:
                "whole 1-iteration run, request → closed journal: median \(format(total.at(0.5), 1)) ms; target < 50 ms"
        )
    ]
}

/// Catalog start-up over `count` closed runs: cold (no cache) and warm (cache present).
func catalogStartupBenchmark(count: Int) throws -> [Row] {
    let directory = try scratchDirectory("catalog-\(count)")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = DataDirectory(path: directory)
    try writeClosedRuns(in: data, count: count, logsPerRun: 5)
    var cold = 0.0
    var warm = 0.0
    cold = try measure {
        let catalog = Catalog(data: data)
        try catalog.refresh()
        precondition(catalog.runs().count == count)
    }
    warm = try measure {
        let catalog = Catalog(data: data)
        try catalog.refresh()
        precondition(catalog.runs().count == count)
    }
    return [
        Row(
            name: "catalog start-up, \(count) closed runs (17 events each)",
            value: "cold (no cache) \(format(cold, 3)) s; warm (cache) \(format(warm, 3)) s",
            reference: "target: warm < 1 s with 10,000 runs")
    ]
}

/// Writes `count` closed runs of one demo instance, each with `logsPerRun` logs, results and
/// progress updates: a data directory for catalog and API benchmarks.
func writeClosedRuns(in data: DataDirectory, count: Int, logsPerRun: Int) throws {
    let instance = try InstanceStore(data: data, registry: BundledExperiments.registry)
        .create(experiment: "demo", name: "bench", config: [:])
    let runsDirectory = data.runsDirectory(of: instance.instanceID)
    try FileManager.default.createDirectory(atPath: runsDirectory, withIntermediateDirectories: true)
    for index in 0..<count {
        let runID = Identifier.generate()
        let writer = try JournalWriter<RunEvent>(
            creating: data.runJournal(instance: instance.instanceID, run: runID), options: .init(durability: .relaxed))
        try writer.append(
            .created(
                RunCreated(
                    run: runID, instance: instance.instanceID, instanceName: "bench", experiment: "demo",
                    config: instance.config, executor: "process")))
        try writer.append(.started(pid: 1, host: "bench"))
        for step in 1...max(1, logsPerRun) {
            try writer.append(.log(LogRecord(LogLevel.allCases[step % 4], "step \(step) of run \(index)")))
            if step <= 5 {
                try writer.append(.result(key: "iteration_\(step)", value: ["value": .integer(Int64(step * index))]))
                try writer.append(.progress(ProgressUpdate(current: step, total: 5)))
            }
        }
        try writer.append(.completed)
        try writer.close()
    }
}
