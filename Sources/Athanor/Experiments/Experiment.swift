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
