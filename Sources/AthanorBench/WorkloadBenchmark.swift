import Athanor
import AthanorExperiments
import Foundation

/// One measurement of the standard workload W (× `scale`, split over `runs` concurrent runs)
/// recorded through the runtime API by the bundled `synthetic` experiment in worker
/// processes, with default durability, until every journal is closed and compressed.
struct WorkloadMeasurement: Encodable {
    /// From asking for the runs to the last journal closed.
    var seconds: Double
    /// Inside the worker, `run_started` → the terminal event (the longest run's): the time
    /// spent in the runtime API calls, without process start, close and compression.
    var recordingSeconds: Double
    /// Events in all journals, lifecycle events included.
    var events: Int
    /// Bytes of the closed journals.
    var bytes: Int
    var files: Int
    var journals: [String]
    /// Record → visible to a `TailFollower` in this process, for a paced run measured after
    /// the timed ones (so the follower does not compete with the timed workers).
    var visibilityMs: Latency?

    struct Latency: Encodable {
        var median: Double
        var p99: Double
    }
}

/// Runs W × `scale` over `runs` concurrent worker processes in `data`.
func measureWorkload(in data: DataDirectory, scale: Double, runs: Int, visibility: Bool) async throws
    -> WorkloadMeasurement
{
    let executor = ProcessExecutor(options: .init(executable: siblingExecutable("athanor")))
    let perRun = SyntheticWorkload(
        logs: Int(100_000 * scale) / runs, results: Int(10_000 * scale) / runs,
        progressUpdates: Int(1_000 * scale) / runs)
    let clock = ContinuousClock()
    let start = clock.now
    let assignments = try (0..<runs).map { _ in try assignSynthetic(perRun, eventsPerSecond: 0, in: data, executor) }
    try await withThrowingTaskGroup(of: Void.self) { group in
        for assignment in assignments {
            group.addTask { _ = try await executor.execute(assignment) }
        }
        try await group.waitForAll()
    }
    let seconds = seconds(clock.now - start)
    let journals = assignments.map { JournalFile($0.journalPath).compressedPath }
    let recording = try journals.map { journal in
        let summary = try Catalog.summarize(journal)
        guard let started = summary.startedAt, let finished = summary.finishedAt else { return Double.nan }
        return Double(finished.microsecondsSinceEpoch - started.microsecondsSinceEpoch) / 1e6
    }
    return WorkloadMeasurement(
        seconds: seconds, recordingSeconds: recording.max() ?? .nan, events: runs * (perRun.bodyEventCount + 3),
        bytes: journals.reduce(0) { $0 + fileSize($1) }, files: journals.count, journals: journals,
        visibilityMs: visibility ? try await visibilityLatency(in: data, executor: executor) : nil)
}

/// Record → visible latency: a run of the `synthetic` experiment paced at 1,000 events/s,
/// followed live; for every event, now minus the event's `ts`.
private func visibilityLatency(in data: DataDirectory, executor: ProcessExecutor) async throws
    -> WorkloadMeasurement.Latency
{
    let assignment = try assignSynthetic(
        SyntheticWorkload(logs: 2_000, results: 200, progressUpdates: 20), eventsPerSecond: 1_000, in: data, executor)
    async let finished = executor.execute(assignment)
    var latencies: [Double] = []
    for try await event in TailFollower<RunEvent>(path: assignment.journalPath, from: 3) {
        latencies.append(Double(Timestamp.now().microsecondsSinceEpoch - event.timestamp.microsecondsSinceEpoch) / 1000)
    }
    _ = try await finished
    let stats = Percentiles(latencies)
    return .init(median: stats.at(0.5), p99: stats.at(0.99))
}

private func assignSynthetic(
    _ workload: SyntheticWorkload, eventsPerSecond: Int, in data: DataDirectory, _ executor: ProcessExecutor
) throws -> RunAssignment {
    try RunAssignment.create(
        in: data, instanceID: Identifier.generate(), instanceName: "workload", experiment: Synthetic.self,
        config: [
            "logs": .integer(Int64(workload.logs)), "results": .integer(Int64(workload.results)),
            "progress": .integer(Int64(workload.progressUpdates)),
            "events_per_second": .integer(Int64(eventsPerSecond)),
        ],
        executor: executor.name)
}

/// `AthanorBench workload --data DIR [--scale S] [--runs C]`: one measurement as a JSON line,
/// for `tools/bench_peers.py`.
func workloadCommand(_ arguments: [String]) async throws {
    var options: [String: String] = [:]
    var index = 0
    while index + 1 < arguments.count {
        options[arguments[index]] = arguments[index + 1]
        index += 2
    }
    guard let directory = options["--data"], index == arguments.count else {
        throw BenchUsage(
            message: "usage: AthanorBench workload --data DIR [--scale S] [--runs C] [--visibility yes|no]")
    }
    guard let scale = Double(options["--scale"] ?? "1"), scale > 0, let runs = Int(options["--runs"] ?? "1"), runs > 0
    else { throw BenchUsage(message: "--scale must be a positive number and --runs a positive integer") }
    guard let visibility = ["yes": true, "no": false][options["--visibility"] ?? "yes"] else {
        throw BenchUsage(message: "--visibility must be yes or no")
    }
    let measurement = try await measureWorkload(
        in: DataDirectory(path: directory), scale: scale, runs: runs, visibility: visibility)
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(measurement), as: UTF8.self))
}

/// The scaling table: W × 10 in one run, 100 concurrent runs of W / 100, each the median of
/// three (with min and max), and catalog start-up with 1,000 and 10,000 closed runs.
func scalingBenchmark() async throws -> [Row] {
    var rows: [Row] = []
    for (label, scale, runs) in [
        ("W (111,003 events), one run", 1.0, 1), ("W × 10 (1.1 M events), one run", 10, 1),
        ("W / 100 × 100 concurrent runs", 1, 100),
    ] {
        var samples: [WorkloadMeasurement] = []
        for _ in 0..<3 {
            let directory = try scratchDirectory("scaling")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            samples.append(
                try await measureWorkload(
                    in: DataDirectory(path: directory), scale: scale, runs: runs, visibility: false))
        }
        let times = Percentiles(samples.map(\.seconds))
        let events = samples[0].events
        rows.append(
            Row(
                name: "\(label): request → every journal closed (worker processes, default durability)",
                value:
                    "median \(format(times.at(0.5), 3)) s (min \(format(times.at(0), 3)), max \(format(times.at(1), 3))); \(millions(Double(events) / times.at(0.5)))",
                reference:
                    "\(events) events, \(format(Double(samples[0].bytes) / 1e6, 2)) MB in \(samples[0].files) files"))
    }
    rows += try catalogStartupBenchmark(count: 1_000)
    rows += try catalogStartupBenchmark(count: 10_000)
    return rows
}

/// The path of another product built beside this benchmark.
func siblingExecutable(_ name: String) -> String {
    URL(fileURLWithPath: ProcessExecutor.currentExecutable).deletingLastPathComponent().appendingPathComponent(name)
        .path
}

/// Wrong arguments to a benchmark command.
struct BenchUsage: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
