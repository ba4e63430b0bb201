import AthanorJournal
import Foundation

@testable import Athanor

struct Counter: Experiment {
    static let name = "counter"
    static let description = "Counts, recording a log, a result and progress per step."
    static let configSchema = ConfigSchema {
        Field.integer("steps", default: 5, min: 1)
        Field.integer("delay_ms", default: 0, min: 0)
    }

    struct Config: Decodable {
        var steps: Int
        var delayMs: Int
    }

    struct Step: Encodable {
        var index: Int
        var square: Int
    }

    func run(_ ctx: RunContext) async throws {
        let config = try ctx.config(as: Config.self)
        ctx.log(.info, "Counting to \(config.steps)", metadata: ["steps": .integer(Int64(config.steps))])
        for index in 1...config.steps {
            try ctx.checkCancellation()
            if config.delayMs > 0 { try await Task.sleep(for: .milliseconds(config.delayMs)) }
            try ctx.result("step_\(index)", Step(index: index, square: index * index))
            ctx.progress(index, of: config.steps, "step \(index)")
        }
    }
}

struct Failing: Experiment {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "the model refused" }
    }

    static let name = "failing"
    static let description = "Throws."
    static let configSchema = ConfigSchema {}

    func run(_ ctx: RunContext) async throws {
        ctx.log(.warn, "about to fail")
        throw Boom()
    }
}

struct Explicit: Experiment {
    static let name = "explicit"
    static let description = "Ends itself explicitly, then returns or throws."
    static let configSchema = ConfigSchema { Field.string("how", default: "fail", options: ["fail", "complete"]) }

    func run(_ ctx: RunContext) async throws {
        if ctx.config["how"] == "fail" {
            try ctx.fail("gave up early")
            ctx.log(.info, "ignored: the run has ended")
            return
        }
        try ctx.complete()
        throw Failing.Boom()
    }
}

struct Awkward: Experiment {
    static let name = "awkward"
    static let description = "Records values JSON cannot hold."
    static let configSchema = ConfigSchema {}

    func run(_ ctx: RunContext) async throws {
        ctx.log(.info, "loss diverged", metadata: ["loss": .double(.nan)])
        do {
            try ctx.result("loss", .double(.infinity))
        } catch {
            ctx.log(.error, "\(error)")
        }
    }
}

struct Parallel: Experiment {
    static let name = "parallel"
    static let description = "Logs from many tasks at once."
    static let configSchema = ConfigSchema { Field.integer("tasks", default: 8) }

    func run(_ ctx: RunContext) async throws {
        let tasks = Int(ctx.config["tasks"]?.integerValue ?? 8)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for line in 0..<1000 { ctx.log(.debug, "task \(task) line \(line)") }
                    try? ctx.result("task_\(task)", .integer(Int64(task)))
                }
            }
        }
    }
}

let testRegistry = ExperimentRegistry([
    Counter.self, Failing.self, Explicit.self, Awkward.self, Parallel.self, Curves.self,
])

/// Records metric curves every way the API allows, and the points it must refuse.
struct Curves: Experiment {
    static let name = "curves"
    static let description = "Records metric points: explicit and implicit steps, batches, refusals."
    static let configSchema = ConfigSchema {}

    func run(_ ctx: RunContext) async throws {
        try ctx.metric("loss", 1.0)  // step 0
        try ctx.metric("loss", 0.5)  // step 1
        try ctx.metric("loss", 0.25, step: 10)
        try ctx.metric("loss", 0.2)  // step 11
        try ctx.metrics(["accuracy": 0.5, "loss": 0.1])  // step 12: the later of 0 and 12
        for refused in [Double.nan, .infinity, -.infinity] {
            do {
                try ctx.metric("loss", refused)
                ctx.log(.error, "\(refused) was recorded")
            } catch {
                ctx.log(.info, "\(error)")
            }
        }
        do {
            try ctx.metric("loss", 1, step: -1)
        } catch {
            ctx.log(.info, "\(error)")
        }
    }
}
