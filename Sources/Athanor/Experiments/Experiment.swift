/// A piece of research code that Athanor can configure, run, watch and record.
///
/// Conforming types describe themselves statically (name, description, configuration schema)
/// and do their work in ``run(_:)``. Returning completes the run, throwing fails it with the
/// error's description, and cancellation (checked with ``RunContext/checkCancellation()`` or
/// Swift task cancellation) ends it as cancelled. Calling ``RunContext/complete()`` or
/// ``RunContext/fail(_:)`` first ends it explicitly; the return or throw is then ignored.
///
/// ```swift
/// struct Coin: Experiment {
///     static let name = "coin"
///     static let description = "Flips a coin"
///     static let configSchema = ConfigSchema { Field.integer("flips", default: 10, min: 1) }
///
///     func run(_ ctx: RunContext) async throws {
///         let flips = ctx.config["flips"]?.integerValue ?? 10
///         for flip in 1...flips {
///             try ctx.checkCancellation()
///             try ctx.result("flip_\(flip)", Bool.random())
///             ctx.progress(Int(flip), of: Int(flips))
///         }
///     }
/// }
/// ```
public protocol Experiment: Sendable {
    /// The unique name instances and journals refer to (`demo`).
    static var name: String { get }
    /// One or two sentences for lists and agents.
    static var description: String { get }
    /// The configuration it accepts.
    static var configSchema: ConfigSchema { get }

    /// A fresh experiment for one run.
    init()

    /// Does the work of one run, recording through `ctx`.
    func run(_ ctx: RunContext) async throws
}

/// The experiments a program offers, by name: every surface (CLI, web, MCP) discovers them here.
public struct ExperimentRegistry: Sendable {
    /// The experiments in the order given.
    public let experiments: [any Experiment.Type]

    /// A registry of `experiments`; later duplicates of a name are ignored.
    public init(_ experiments: [any Experiment.Type]) {
        var seen: Set<String> = []
        self.experiments = experiments.filter { seen.insert($0.name).inserted }
    }

    /// The experiment named `name`.
    public subscript(name: String) -> (any Experiment.Type)? {
        experiments.first { $0.name == name }
    }

    /// The experiment named `name`, or an error listing the known names.
    public func experiment(named name: String) throws(HarnessError) -> any Experiment.Type {
        guard let experiment = self[name] else {
            throw .unknownExperiment(name: name, known: experiments.map { $0.name })
        }
        return experiment
    }
}
