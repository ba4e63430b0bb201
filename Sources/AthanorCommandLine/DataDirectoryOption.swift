import ArgumentParser
import Athanor
import AthanorJournal

#if canImport(Glibc)
    import Glibc
#endif

/// `--data DIR`: the data directory, `./data` unless `--data` or `ATHANOR_DATA` says otherwise.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data"), help: "The data directory (default: $ATHANOR_DATA, else ./data).")
    var explicitPath: String?

    var path: String {
        if let explicitPath { return explicitPath }
        if let environment = getenv("ATHANOR_DATA"), environment.pointee != 0 { return String(cString: environment) }
        return "data"
    }

    var directory: DataDirectory { DataDirectory(path: path) }

    /// The catalog of the data directory, after recovering runs whose writer died.
    func openCatalog() throws -> Catalog {
        try Catalog.open(directory)
    }

    /// Closes runs whose writer died, on another thread: for commands that must not wait on it
    /// (starting a run). A recovery that is itself killed is finished by the next command.
    func recoverInBackground() -> Task<Void, Never> {
        Task.detached { [directory] in _ = try? JournalRecovery.recoverRuns(under: directory.runsPath) }
    }

    var instanceStore: InstanceStore { InstanceStore(data: directory, registry: AthanorCLI.registry) }
}

/// `--json`: machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false
}
