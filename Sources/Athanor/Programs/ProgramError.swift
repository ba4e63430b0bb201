/// Why a program experiment could not be described or run.
public enum ProgramError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Python interpreter named is not an executable (nor on `PATH`).
    case noInterpreter(String)
    /// The program could not be started.
    case start(String)
    /// A line the program sent that cannot be recorded: the line (shortened) and what is wrong.
    case badLine(line: String, problem: String)
    /// The program ended without ending the run, with a non-zero status or killed by a signal.
    case exited(String)
    /// What a program declared (`describe`) is not a valid experiment declaration.
    case declaration(String)
    /// The program did not answer `describe` within this many seconds, and was stopped.
    case describeTimedOut(seconds: Double)

    public var description: String {
        switch self {
        case .noInterpreter(let python):
            return "no Python interpreter \"\(python)\" (give one with --python or ATHANOR_PYTHON)"
        case .start(let reason):
            return reason
        case .badLine(let line, let problem):
            return "the program sent a line that cannot be recorded (\(problem)): \(line)"
        case .exited(let how):
            return "the program \(how) without ending the run"
        case .declaration(let reason):
            return reason
        case .describeTimedOut(let seconds):
            let shown = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
            return "it did not say what it declares within \(shown) s (an import that hangs?) and was stopped; it is asked again when the file changes"
        }
    }

    /// At most 100 characters of a line, for an error that quotes it.
    static func quoted(_ line: some StringProtocol) -> String {
        line.count <= 100 ? String(line) : "\(line.prefix(100))… (\(line.count) characters)"
    }
}
