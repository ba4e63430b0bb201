// A program with its own experiments, built on the Athanor library and its command-line
// interface exactly as a user's package would be: the process-executor tests run its workers.
import Athanor
import AthanorCommandLine
import AthanorExperiments
import Foundation

/// Ignores every request to stop, so only a forced kill ends it.
struct Stubborn: Experiment {
    static let name = "stubborn"
    static let description = "Logs forever and never checks for cancellation."
    static let configSchema = ConfigSchema {}

    init() {}

    func run(_ ctx: RunContext) async throws {
        var beat = 0
        while true {
            beat += 1
            ctx.log(.info, "still here \(beat)")
            usleep(20_000)
        }
    }
}

await AthanorCLI.main(registry: ExperimentRegistry([Demo.self, Stubborn.self]))
