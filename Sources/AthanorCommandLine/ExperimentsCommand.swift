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
            try Output.json(
                .array(
                    experiments.map { experiment in
                        [
                            "name": .string(experiment.name), "description": .string(experiment.description),
                            "config_schema": experiment.configSchema.jsonSchema,
                        ]
                    }))
            return
        }
        for experiment in experiments {
            print("\(experiment.name): \(experiment.description)")
            for field in experiment.configSchema.fields {
                let defaultText = field.defaultValue.flatMap { try? $0.jsonText() }.map { " (default \($0))" } ?? ""
                let required = field.isRequired && field.defaultValue == nil ? " (required)" : ""
                print(
                    "  \(field.name): \(field.kind.name)\(defaultText)\(required)\(field.description.map { "  \($0)" } ?? "")"
                )
            }
        }
    }
}

extension ConfigField.Kind {
    /// The type's name as the schema documentation uses it.
    var name: String {
        switch self {
        case .integer: "integer"
        case .float: "float"
        case .string(let options): options.map { "one of " + $0.joined(separator: ", ") } ?? "string"
        case .boolean: "boolean"
        case .list: "list"
        case .group: "group"
        }
    }
}
