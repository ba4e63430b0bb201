import AthanorJournal
import Foundation

/// What a sweep is: an experiment, a base configuration, a parameter space and how to run its
/// trials. Recorded whole in `sweep_created`, so the same trials can be expanded again.
public struct SweepDefinition: Sendable, Equatable {
    /// What happens to the other trials when one fails.
    public enum FailurePolicy: String, Sendable, CaseIterable {
        /// Every trial runs.
        case `continue`
        /// No trial starts after one fails (those running finish).
        case stop
    }

    /// Whether lower or higher values of the ranking metric are better.
    public enum Goal: String, Sendable, CaseIterable {
        case min, max
    }

    /// More trials than this need `force`.
    public static let trialLimit = 10_000

    public var name: String
    public var experiment: String
    /// The base configuration; each trial sets its parameters over it.
    public var config: JSONValue
    public var space: SweepSpace
    /// The seed of the random draws.
    public var seed: Int
    /// Random draws per grid combination (needed when the space has random parameters).
    public var count: Int
    /// Runs of each parameter set.
    public var repeats: Int
    /// At most this many trials at once.
    public var concurrency: Int
    public var onFailure: FailurePolicy
    /// A metric (its last value) or scalar result to rank trials by.
    public var metric: String?
    public var goal: Goal

    public init(
        name: String, experiment: String, config: JSONValue = [:], space: SweepSpace, seed: Int = 0, count: Int = 0,
        repeats: Int = 1, concurrency: Int = 1, onFailure: FailurePolicy = .continue, metric: String? = nil,
        goal: Goal = .min
    ) {
        self.name = name
        self.experiment = experiment
        self.config = config
        self.space = space
        self.seed = seed
        self.count = count
        self.repeats = repeats
        self.concurrency = concurrency
        self.onFailure = onFailure
        self.metric = metric
        self.goal = goal
    }

    /// The settings a sweep cannot run with, each with its path (`count`, `concurrency`…).
    var settingProblems: [ConfigError] {
        var problems: [ConfigError] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ConfigError(path: "name", message: "must not be empty"))
        }
        if space.isRandom, count < 1 {
            problems.append(ConfigError(path: "count", message: "random parameters need a count of draws, at least 1"))
        }
        if !space.isRandom, count != 0 {
            problems.append(ConfigError(path: "count", message: "a grid has no random draws: leave count out"))
        }
        if !(1...1000).contains(repeats) {
            problems.append(ConfigError(path: "repeats", message: "must be from 1 to 1,000, not \(repeats)"))
        }
        if !(1...10_000).contains(concurrency) {
            problems.append(ConfigError(path: "concurrency", message: "must be from 1 to 10,000, not \(concurrency)"))
        }
        if seed < 0 { problems.append(ConfigError(path: "seed", message: "must be 0 or more, not \(seed)")) }
        if let metric, metric.isEmpty { problems.append(ConfigError(path: "metric", message: "must not be empty")) }
        return problems
    }

    /// How many trials the sweep has, without expanding it (saturating on overflow).
    public var trialCount: Int {
        var total = max(1, space.isRandom ? count : 1).multipliedReportingOverflow(by: repeats)
        for parameter in space.parameters {
            guard case .grid(let values) = parameter.values, !total.overflow else { continue }
            total = total.partialValue.multipliedReportingOverflow(by: values.count)
        }
        return total.overflow ? Int.max : total.partialValue
    }

    /// The `sweep_created` of this definition.
    func created(sweep: String, instance: String) -> SweepCreated {
        SweepCreated(
            sweep: sweep, name: name, experiment: experiment, instance: instance, config: config, space: space.json,
            method: space.isRandom ? "random" : "grid", seed: seed, count: count, repeats: repeats,
            concurrency: concurrency, onFailure: onFailure.rawValue, metric: metric, goal: goal.rawValue)
    }

    /// The definition a `sweep_created` records.
    /// - Throws: ``HarnessError/invalidSweep(_:)`` for a journal edited by hand.
    init(_ created: SweepCreated) throws(HarnessError) {
        let space = try SweepSpace(json: created.space)
        guard let onFailure = FailurePolicy(rawValue: created.onFailure), let goal = Goal(rawValue: created.goal) else {
            throw .invalidSweep([ConfigError(path: "on_failure", message: "unknown policy or goal in the journal")])
        }
        self.init(
            name: created.name, experiment: created.experiment, config: created.config, space: space,
            seed: created.seed, count: created.count, repeats: created.repeats, concurrency: created.concurrency,
            onFailure: onFailure, metric: created.metric, goal: goal)
    }
}
