import ArgumentParser
import Athanor
import AthanorJournal

/// `athanor experiments`: the experiments this program offers, and the files that declare none.
struct ExperimentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments",
        abstract: "List the experiments you can create instances of, with their configuration fields.",
        discussion: """
            Lists the bundled Swift experiments and those found in the experiment folders \
            (--experiments, $ATHANOR_EXPERIMENTS, or ./experiments): every *.py file that declares \
            experiments, and every executable file that speaks the run protocol. A file that \
            cannot be used (it fails to import, or declares a name twice) is listed as broken, \
            with its error; with --json, as {"experiments": [...], "broken": [...]}.
            """)

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let available = data.registry.available()
        let experiments = available.experiments
        let broken = available.problems
        if output.json {
            try Output.json([
                "experiments": .array(experiments.map(ExperimentRegistry.json(of:))),
                "broken": .array(broken.map(\.json)),
            ])
            return
        }
        for experiment in experiments {
            let origin = experiment.program.map { " [\($0.language): \($0.file)]" } ?? ""
            print("\(experiment.name): \(experiment.description)\(origin)")
            for field in experiment.configSchema.fields {
                let defaultText = field.defaultValue.flatMap { try? $0.jsonText() }.map { " (default \($0))" } ?? ""
                let required = field.isRequired && field.defaultValue == nil ? " (required)" : ""
                print(
                    "  \(field.name): \(field.kind.displayName)\(defaultText)\(required)\(field.description.map { "  \($0)" } ?? "")"
                )
            }
        }
        for problem in broken {
            print("broken: \(problem.file)")
            for line in problem.message.split(separator: "\n", omittingEmptySubsequences: false) { print("  \(line)") }
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
