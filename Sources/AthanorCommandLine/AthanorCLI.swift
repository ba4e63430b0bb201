import ArgumentParser
import Athanor
import Synchronization

/// The `athanor` command-line interface, for any set of experiments.
///
/// The bundled `athanor` executable runs it with the bundled experiments; a package with its
/// own experiments gets the same interface (worker processes included) with a two-line `main`:
///
/// ```swift
/// import AthanorCommandLine
/// await AthanorCLI.main(registry: ExperimentRegistry([MyExperiment.self]))
/// ```
public enum AthanorCLI {
    private static let current = Mutex(ExperimentRegistry([]))

    /// The experiments this program offers.
    static var registry: ExperimentRegistry { current.withLock { $0 } }

    /// Parses the command line and runs the command, then exits with its status.
    public static func main(registry: ExperimentRegistry) async {
        current.withLock { $0 = registry }
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.last == "--data", !arguments.dropLast().contains(where: { !$0.hasPrefix("-") }) {
            AthanorCommand.exit(
                withError: ValidationError(
                    "--data needs a directory: athanor --data DIR COMMAND, or athanor COMMAND --data DIR"))
        }
        await AthanorCommand.main(movingGlobalOptions(in: arguments))
    }

    /// `arguments` with the global `--data DIR` (or `--data=DIR`) given before the subcommand
    /// moved after it, where the subcommand parses it: `athanor --data D runs` works as
    /// `athanor runs --data D` does (as git's `-C` and docker's `--host` do).
    static func movingGlobalOptions(in arguments: [String]) -> [String] {
        var global: [String] = []
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-") {
            let argument = arguments[index]
            if argument == "--data" {
                global.append(contentsOf: arguments[index..<min(index + 2, arguments.count)])
                index += 2
            } else if argument.hasPrefix("--data=") {
                global.append(argument)
                index += 1
            } else {
                // Anything else before the subcommand (--help, --version) is the root command's.
                return arguments
            }
        }
        guard !global.isEmpty, index < arguments.count else { return arguments }
        return [arguments[index]] + global + arguments[(index + 1)...]
    }
}
