import AthanorJournal

/// What went wrong in the harness, naming the experiment, instance, run or field involved.
public enum HarnessError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownExperiment(name: String, known: [String])
    case invalidConfig(experiment: String, ConfigValidationError)
    case configDecoding(type: String, reason: String)
    case resultEncoding(key: String, reason: String)
    case runAlreadyEnded(run: String)
    case journal(JournalError)
    case storage(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownExperiment(let name, let known):
            return "unknown experiment \"\(name)\" (known: \(known.joined(separator: ", ")))"
        case .invalidConfig(let experiment, let error):
            return "\(experiment): \(error)"
        case .configDecoding(let type, let reason):
            return "the configuration does not decode as \(type): \(reason)"
        case .resultEncoding(let key, let reason):
            return "result \"\(key)\" could not be recorded: \(reason)"
        case .runAlreadyEnded(let run):
            return "run \(run) has already ended; nothing more can be recorded"
        case .journal(let error):
            return error.description
        case .storage(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
