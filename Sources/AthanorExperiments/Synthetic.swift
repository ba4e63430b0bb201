import Athanor
import AthanorJournal
import Foundation

/// Records a synthetic workload through the runtime API, as fast as it can or at a steady
/// rate: by default the benchmark workload W (100,000 logs, 10,000 results of about 200
/// bytes, 1,000 progress updates). Used by `tools/bench` and the load test, and handy to try
/// the web UI, pandas or DuckDB on a run of realistic size.
public struct Synthetic: Experiment {
    public static let name = "synthetic"
    public static let description =
        "Records N logs, results, progress updates and metric points through the runtime API (the benchmark workload W by default)."
    public static let configSchema = ConfigSchema {
        Field.integer("logs", default: 100_000, min: 0, label: "Log lines")
        Field.integer("results", default: 10_000, min: 0, label: "Results")
        Field.integer("progress", default: 1_000, min: 0, label: "Progress updates")
        Field.integer(
            "metrics", default: 0, min: 0, label: "Metric points",
            description: "Points of a loss-like curve `loss`, one per step, after the other events.")
        Field.integer(
            "events_per_second", default: 0, min: 0, label: "Events per second",
            description: "Pace the events at this rate (0: as fast as possible).")
    }

    struct Config: Decodable {
        var logs: Int
        var results: Int
        var progress: Int
        var metrics: Int
        var eventsPerSecond: Int
    }

    public init() {}

    public func run(_ ctx: RunContext) async throws {
        let config = try ctx.config(as: Config.self)
        let workload = SyntheticWorkload(
            logs: config.logs, results: config.results, progressUpdates: config.progress)
        var pacing = Pacing(eventsPerSecond: config.eventsPerSecond)
        for event in workload.bodyEvents {
            switch event {
            case .log(let record): ctx.log(record.level, record.message, metadata: record.metadata)
            case .result(let key, let value): try ctx.result(key, value)
            case .progress(let update): ctx.progress(update.current, of: update.total, update.message)
            default: break
            }
            try await pacing.next(ctx)
        }
        for step in 0..<config.metrics {
            // Falling like a loss, with deterministic noise and a spike every 1,000 steps.
            let noise = 0.02 * sin(Double(step) * 0.37) + (step % 1000 == 999 ? 1 : 0)
            try ctx.metric("loss", 1 / (1 + Double(step) / 100) + noise, step: step)
            try await pacing.next(ctx)
        }
    }

    /// Paces events at a steady rate, in slices of a millisecond's worth of them.
    struct Pacing {
        let eventsPerSecond: Int
        let clock = ContinuousClock()
        let start = ContinuousClock.now
        var count = 0

        /// Counts one event; checks for cancellation and, when pacing, waits until it is due.
        mutating func next(_ ctx: RunContext) async throws {
            count += 1
            if count.isMultiple(of: 1000) { try ctx.checkCancellation() }
            guard eventsPerSecond > 0, count.isMultiple(of: max(1, eventsPerSecond / 1000)) else { return }
            let due = start + .microseconds(Int64(count) * 1_000_000 / Int64(eventsPerSecond))
            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
        }
    }
}
