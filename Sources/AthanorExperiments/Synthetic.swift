import Athanor
import AthanorJournal

/// Records a synthetic workload through the runtime API, as fast as it can or at a steady
/// rate: by default the benchmark workload W (100,000 logs, 10,000 results of about 200
/// bytes, 1,000 progress updates). Used by `tools/bench` and the load test, and handy to try
/// the web UI, pandas or DuckDB on a run of realistic size.
public struct Synthetic: Experiment {
    public static let name = "synthetic"
    public static let description =
        "Records N logs, results and progress updates through the runtime API (the benchmark workload W by default)."
    public static let configSchema = ConfigSchema {
        Field.integer("logs", default: 100_000, min: 0, label: "Log lines")
        Field.integer("results", default: 10_000, min: 0, label: "Results")
        Field.integer("progress", default: 1_000, min: 0, label: "Progress updates")
        Field.integer(
            "events_per_second", default: 0, min: 0, label: "Events per second",
            description: "Pace the events at this rate (0: as fast as possible).")
    }

    struct Config: Decodable {
        var logs: Int
        var results: Int
        var progress: Int
        var eventsPerSecond: Int
    }

    public init() {}

    public func run(_ ctx: RunContext) async throws {
        let config = try ctx.config(as: Config.self)
        let workload = SyntheticWorkload(
            logs: config.logs, results: config.results, progressUpdates: config.progress)
        let clock = ContinuousClock()
        let start = clock.now
        for (index, event) in workload.bodyEvents.enumerated() {
            switch event {
            case .log(let record): ctx.log(record.level, record.message, metadata: record.metadata)
            case .result(let key, let value): try ctx.result(key, value)
            case .progress(let update): ctx.progress(update.current, of: update.total, update.message)
            default: break
            }
            if (index + 1).isMultiple(of: 1000) { try ctx.checkCancellation() }
            // Pace in slices of a millisecond's worth of events.
            guard config.eventsPerSecond > 0, (index + 1).isMultiple(of: max(1, config.eventsPerSecond / 1000))
            else { continue }
            let due = start + .microseconds(Int64(index + 1) * 1_000_000 / Int64(config.eventsPerSecond))
            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
        }
    }
}
