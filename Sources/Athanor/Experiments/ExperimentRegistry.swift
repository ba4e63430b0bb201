/// The experiments a program offers, by name: every surface (CLI, web, MCP) discovers them here.
///
/// Swift experiments are compiled in; with an ``ExperimentDiscovery``, programs found in
/// folders at runtime (Python files, say) join them, and files added or changed since the last
/// look are read again at each look.
public struct ExperimentRegistry: Sendable {
    /// The Swift experiments, in the order given.
    public let compiled: [ExperimentDefinition]
    /// Where programs are discovered, if anywhere.
    public let discovery: ExperimentDiscovery?

    /// A registry of Swift `experiments` (later duplicates of a name are ignored) and of the
    /// programs `discovery` finds.
    public init(_ experiments: [any Experiment.Type], discovering discovery: ExperimentDiscovery? = nil) {
        var seen: Set<String> = []
        compiled = experiments.filter { seen.insert($0.name).inserted }.map { ExperimentDefinition($0) }
        self.discovery = discovery
    }

    /// This registry's Swift experiments with the programs `discovery` finds.
    public func discovering(_ discovery: ExperimentDiscovery?) -> ExperimentRegistry {
        ExperimentRegistry(compiled: compiled, discovery: discovery)
    }

    private init(compiled: [ExperimentDefinition], discovery: ExperimentDiscovery?) {
        self.compiled = compiled
        self.discovery = discovery
    }

    /// What can run now, and what cannot, from one look at the experiment folders.
    public func available() -> AvailableExperiments {
        let found = discovery?.look(besides: compiled.map(\.name))
        return AvailableExperiments(
            experiments: compiled + (found?.experiments ?? []), problems: found?.problems ?? [])
    }

    /// Every experiment that can run: the Swift ones, then the programs discovered (sorted by
    /// name), leaving out names declared twice (see ``AvailableExperiments/problems``).
    public var experiments: [ExperimentDefinition] { available().experiments }

    /// The experiment named `name`.
    public subscript(name: String) -> ExperimentDefinition? {
        try? experiment(named: name)
    }

    /// The experiment named `name`, or an error listing the known names (or naming both files
    /// of a name declared twice).
    public func experiment(named name: String) throws(HarnessError) -> ExperimentDefinition {
        if let experiment = compiled.first(where: { $0.name == name }) { return experiment }
        let found = discovery?.look(besides: compiled.map(\.name))
        if let experiment = found?.experiments.first(where: { $0.name == name }) { return experiment }
        if let problem = found?.problems.first(where: { $0.experiment == name }) {
            throw .brokenExperiment(name: name, problem.description)
        }
        throw .unknownExperiment(
            name: name, known: compiled.map(\.name) + (found?.experiments.map(\.name) ?? []))
    }
}

/// The experiments a registry offers at one moment, and the program files that offer none.
public struct AvailableExperiments: Sendable {
    /// Every experiment that can run: the Swift ones, then the programs discovered, by name.
    public let experiments: [ExperimentDefinition]
    /// The program files that declare no runnable experiment, each with why: a file that fails
    /// to import, a declaration that is not valid, a name declared twice.
    public let problems: [ExperimentProblem]
}
