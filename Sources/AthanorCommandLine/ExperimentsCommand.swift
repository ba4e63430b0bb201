import ArgumentParser
import Athanor
import AthanorJournal

/// `athanor experiments`: the experiments this program offers.
struct ExperimentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments",
        abstract: "List the experiments you can create instances of, with their configuration fields.")

    @OptionGroup var output: OutputOptions

    func run() throws {
        let experiments = AthanorCLI.registry.experiments
        if output.json {
            try Output.json(.array(experiments.map(ExperimentRegistry.json(of:))))
            return
        }
        for experiment in experiments {
            print("\(experiment.name): \(experiment.description)")
            for field in experiment.configSchema.fields {
                let defaultText = field.defaultValue.flatMap { try? $0.jsonText() }.map { " (default \($0))" } ?? ""
                let required = field.isRequired && field.defaultValue == nil ? " (required)" : ""
                print(
                    "  \(field.name): \(field.kind.displayName)\(defaultText)\(required)\(field.description.map { "  \($0)" } ?? "")"
                )
            }
        }
    }
}

extension ConfigField.Kind {
    /// The type for people: its name, or the options of a choice.
    var displayName: String {
        if case .string(let options?) = self { return "one of " + options.joined(separator: ", ") }
        return typeName
    }
}
