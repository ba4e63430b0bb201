import ArgumentParser
import Athanor

/// `--timeout` and `--grace` of `athanor run` (and the internal `supervise`), checked and
/// turned into the executor's options.
enum TimeLimitArguments {
    static func validate(timeout: Double?, grace: Double) throws {
        if let timeout, RunTimeout.duration(seconds: timeout) == nil {
            throw ValidationError("--timeout must be \(RunTimeout.requirement), not \(timeout)")
        }
        guard RunTimeout.duration(seconds: grace, allowingZero: true) != nil else {
            throw ValidationError("--grace must be 0 or \(RunTimeout.requirement), not \(grace)")
        }
    }

    /// The options for validated arguments.
    static func executorOptions(timeout: Double?, grace: Double, keepsWorkerReady: Bool = false) -> ProcessExecutor.Options {
        ProcessExecutor.Options(
            gracePeriod: RunTimeout.duration(seconds: grace, allowingZero: true) ?? .seconds(5),
            timeout: timeout.flatMap { RunTimeout.duration(seconds: $0) }, keepsWorkerReady: keepsWorkerReady)
    }
}
