import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `--data DIR`: the data directory, `./data` unless `--data` or `ATHANOR_DATA` says otherwise;
/// and where program experiments are found (`--experiments DIR`, `--python PATH`).
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data"), help: "The data directory (default: $ATHANOR_DATA, else ./data).")
    var explicitPath: String?

    var path: String {
        if let explicitPath { return explicitPath }
        return Self.environment("ATHANOR_DATA") ?? "data"
    }

    @Option(
        name: .customLong("experiments"),
        help: ArgumentHelp(
            "A folder of experiments in Python (or any language) to discover; repeat for several.",
            discussion: "Default: $ATHANOR_EXPERIMENTS (folders separated by :), else ./experiments when it exists.",
            valueName: "dir"))
    var experimentFolders: [String] = []

    @Option(
        name: .customLong("python"),
        help: ArgumentHelp(
            "The Python interpreter for Python experiments (default: $ATHANOR_PYTHON, else python3 on PATH).",
            valueName: "path"))
    var python: String?

    @Flag(
        help: ArgumentHelp(
            "Follow journals by polling (every 50 ms) rather than inotify.",
            discussion:
                "inotify does not see writes made on other hosts; polling is automatic on NFS, Lustre, GPFS and other network file systems. Also $ATHANOR_POLL=1."
        ))
    var poll = false

    var directory: DataDirectory { DataDirectory(path: path) }

    /// Puts `--poll` (or `ATHANOR_POLL=1`) in force for the whole process; ArgumentParser
    /// calls it once, before the command runs.
    func validate() throws {
        if poll || Self.environment("ATHANOR_POLL") == "1" { FilePolling.force() }
    }

    /// The folders searched for program experiments.
    var experimentSearchPath: [String] {
        if !experimentFolders.isEmpty { return experimentFolders }
        if let environment = Self.environment("ATHANOR_EXPERIMENTS") {
            return environment.split(separator: ":").map(String.init)
        }
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: "experiments", isDirectory: &isFolder) && isFolder.boolValue
            ? ["experiments"] : []
    }

    /// The Python interpreter for Python experiments.
    var pythonInterpreter: String { python ?? Self.environment("ATHANOR_PYTHON") ?? "python3" }

    /// The bundled experiments, with those discovered in ``experimentSearchPath``.
    var registry: ExperimentRegistry {
        let folders = experimentSearchPath
        return AthanorCLI.registry.discovering(
            folders.isEmpty
                ? nil
                : ExperimentDiscovery(
                    folders: folders, python: pythonInterpreter, cacheFile: path + "/.cache/experiments.json"))
    }

    /// The lab of the data directory with the bundled and discovered experiments; by default
    /// runs whose writer died are closed first, so that no command shows a dead run as running.
    func openLab(executor: any Executor = ProcessExecutor(), recovery: Lab.Recovery = .first) throws -> Lab {
        try Lab(data: directory, registry: registry, executor: executor, recovery: recovery)
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}

/// `--json`: machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false
}
