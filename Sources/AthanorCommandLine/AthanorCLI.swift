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
        await AthanorCommand.main()
    }
}
