import Foundation

/// An experiment written in another language: a program that Athanor starts for each run and
/// that records through the run protocol (docs/run-protocol.md), JSON lines on a pipe.
///
/// A Python file is started through the Python SDK (`python3 -m athanor FILE run NAME`); any
/// other executable file is started itself (`FILE run NAME`). The worker process stays the
/// journal's only writer: it validates every line the program sends and appends the event.
public struct ProgramExperiment: Sendable, Equatable {
    /// The experiment's name (a file may declare several).
    public let name: String
    /// The file that declares it, as an absolute path.
    public let file: String
    /// The Python interpreter for a Python file.
    public let python: String

    /// The experiment `name` declared by `file`, a Python file being run by `python`.
    public init(name: String, file: String, python: String) {
        self.name = name
        self.file = file
        self.python = python
    }

    /// Whether the file is Python (run through the SDK) rather than a program of its own.
    public var isPython: Bool { file.hasSuffix(".py") }

    /// The language, for lists: `python`, or `program` for any other executable.
    public var language: String { isPython ? "python" : "program" }

    /// The executable and the arguments that start the file with `verb` (`describe`, or `run`
    /// with the experiment's name).
    func command(_ verb: [String]) throws(ProgramError) -> (executable: String, arguments: [String]) {
        if isPython {
            guard let interpreter = ExecutableLookup.find(python) else { throw .noInterpreter(python) }
            return (interpreter, ["-m", "athanor", file] + verb)
        }
        return (file, verb)
    }
}

/// Finds programs the way a shell does.
enum ExecutableLookup {
    /// The absolute path of `name`: itself when it holds a slash, else the first executable
    /// file of that name in `PATH`.
    static func find(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

extension ProgramExperiment {
    /// The options that tell `athanor worker` (and `athanor supervise`) which program to start.
    public var workerArguments: [String] { ["--program", file, "--python", python] }
}
