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

    /// The lab of the data directory with the bundled experiments; by default runs whose writer
    /// died are closed first, so that no command shows a dead run as running.
    func openLab(executor: any Executor = ProcessExecutor(), recovery: Lab.Recovery = .first) throws -> Lab {
        try Lab(data: directory, registry: AthanorCLI.registry, executor: executor, recovery: recovery)
    }
}

/// `--json`: machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false
}
