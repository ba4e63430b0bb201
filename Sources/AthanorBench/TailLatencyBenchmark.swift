import AthanorJournal
import Foundation

/// Append → follower latency across processes: a child process (this benchmark in writer
/// mode) appends; this process follows with a `TailFollower` and, for every event, takes
/// "now" minus the event's `ts` (stamped inside `append`, just before it returns).
func tailLatencyBenchmark(label: String, count: Int, eventsPerSecond: Double?) async throws -> [Row] {
    let directory = try scratchDirectory("tail-\(label)")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/run.jsonl"
    let writer = try JournalWriter<RunEvent>(creating: path)
    try writer.append(SyntheticWorkload().createdEvent(run: "tail"))
    try writer.close()

    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["write-paced", path, String(count), eventsPerSecond.map { String($0) } ?? "0"]
    try child.run()

    var latencies: [Double] = []
    latencies.reserveCapacity(count)
    var firstAppend: Int64?
    var lastAppend: Int64 = 0
    for try await event in TailFollower<RunEvent>(path: path, from: 2) {
        let now = Timestamp.now().microsecondsSinceEpoch
        if case .log = event.payload {
            latencies.append(Double(now - event.timestamp.microsecondsSinceEpoch) / 1000)
            firstAppend = firstAppend ?? event.timestamp.microsecondsSinceEpoch
            lastAppend = event.timestamp.microsecondsSinceEpoch
        }
    }
    child.waitUntilExit()
    let stats = Percentiles(latencies)
    let pace =
        eventsPerSecond.map { $0 < 1000 ? "one event every \(format(1000 / $0, 1)) ms" : "\(Int($0)) events/s" }
        ?? "writer at full speed"
    return [
        Row(
            name: "tail latency, other process, \(pace) (\(latencies.count) events)",
            value:
                "median \(format(stats.at(0.5), 3)) ms, p99 \(format(stats.at(0.99), 3)) ms, max \(format(stats.at(1), 1)) ms",
            reference:
                "writer achieved \(millions(Double(latencies.count) / (Double(lastAppend - (firstAppend ?? 0)) / 1e6)))"
        )
    ]
}

/// Writer mode for ``tailLatencyBenchmark``: appends `count` log events at `rate` per second
/// (0: as fast as possible), then ends and closes the run.
func writePaced(path: String, count: Int, rate: Double) throws {
    let writer = try JournalWriter<RunEvent>(appendingTo: path)
    let start = Timestamp.now().microsecondsSinceEpoch
    for index in 0..<count {
        if rate > 0 {
            let due = start + Int64(Double(index) / rate * 1_000_000)
            let wait = due - Timestamp.now().microsecondsSinceEpoch
            if wait > 0 { usleep(UInt32(wait)) }
        }
        try writer.append(.log(LogRecord(.info, "event \(index)")))
    }
    try writer.append(.completed)
    try writer.close()
}
