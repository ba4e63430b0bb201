import Athanor
import AthanorJournal
import Foundation

/// A small experiment that exercises every part of the harness: per iteration it logs, records
/// a result and reports progress; it can be told to fail or to crash its process at a given
/// iteration, and it stops promptly when cancelled.
public struct Demo: Experiment {
    public static let name = "demo"
    public static let description =
        "Counts iterations, logging, recording a result, a `loss` metric and progress for each; can fail or crash on purpose."
    public static let configSchema = ConfigSchema {
        Field.integer(
            "iterations", default: 10, min: 1, max: 1_000_000, label: "Iterations",
            description: "How many iterations to run.")
        Field.integer(
            "delay_ms", default: 100, min: 0, max: 60_000, label: "Delay (ms)",
            description: "Pause after each iteration, in milliseconds.")
        Field.integer(
            "fail_at", default: 0, min: 0, label: "Fail at",
            description: "Throw an error at this iteration (0: never).")
        Field.integer(
            "crash_at", default: 0, min: 0, label: "Crash at",
            description: "Crash the worker process at this iteration, to show isolation (0: never).")
    }

    struct Config: Decodable {
        var iterations: Int
        var delayMs: Int
        var failAt: Int
        var crashAt: Int
    }

    struct Failure: Error, CustomStringConvertible {
        var iteration: Int
        var description: String { "failed on purpose at iteration \(iteration) (fail_at)" }
    }

    struct Sample: Encodable {
        var iteration: Int
        var value: Double
        var even: Bool
    }

    public init() {}

    /// A loss-like curve: falling, with a little deterministic noise.
    static func loss(at iteration: Int) -> Double {
        1 / Double(iteration).squareRoot() + 0.05 * sin(Double(iteration) * 1.7)
    }

    public func run(_ ctx: RunContext) async throws {
        let config = try ctx.config(as: Config.self)
        ctx.log(
            .info, "Starting \(config.iterations) iterations", metadata: ["delay_ms": .integer(Int64(config.delayMs))])
        for iteration in 1...config.iterations {
            try ctx.checkCancellation()
            if iteration == config.crashAt {
                ctx.log(.warn, "Crashing the worker on purpose (crash_at = \(iteration))")
                fatalError("demo: crash_at = \(iteration)")
            }
            if iteration == config.failAt { throw Failure(iteration: iteration) }
            ctx.log(.debug, "Iteration \(iteration)", metadata: ["iteration": .integer(Int64(iteration))])
            try ctx.result(
                "iteration_\(iteration)",
                Sample(iteration: iteration, value: sin(Double(iteration)), even: iteration.isMultiple(of: 2)))
            try ctx.metric("loss", Self.loss(at: iteration), step: iteration)
            ctx.progress(iteration, of: config.iterations, "Iteration \(iteration) of \(config.iterations)")
            if config.delayMs > 0 { try await Task.sleep(for: .milliseconds(config.delayMs)) }
        }
        ctx.log(.info, "Done")
    }
}
