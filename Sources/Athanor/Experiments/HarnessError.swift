import AthanorJournal

/// What went wrong in the harness, naming the experiment, instance, run or field involved.
public enum HarnessError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownExperiment(name: String, known: [String])
    /// An experiment whose program cannot be used (it fails to import, or its name is declared twice).
    case brokenExperiment(name: String, String)
    /// Text that cannot be an ID (only the 26-character ID alphabet, or a prefix of it, is accepted).
    case invalidID(kind: String, text: String)
    case unknownID(kind: String, prefix: String)
    case ambiguousID(kind: String, prefix: String, matches: [String])
    /// An instance that was deleted cannot be run or updated.
    case instanceDeleted(id: String)
    case invalidConfig(experiment: String, ConfigValidationError)
    /// Another process is running the sweep (it holds the sweep journal's lock).
    case sweepRunning(id: String)
    /// The sweep has ended (completed or cancelled): nothing to cancel.
    case sweepEnded(id: String, status: String)
    /// A sweep that cannot run: every problem with its path (`space.lr`, `count`).
    case invalidSweep([ConfigError])
    /// An instance's scheduler resources are not what Slurm takes (`field`: `resources.cpus`…).
    case invalidResources(field: String, reason: String)
    case configDecoding(type: String, reason: String)
    case resultEncoding(key: String, reason: String)
    /// A metric point that cannot be recorded (a non-finite value, a negative step, an empty key).
    case invalidMetric(key: String, reason: String)
    case runAlreadyEnded(run: String)
    /// A request that asks for something impossible (too many runs at once, say).
    case invalidRequest(String)
    /// A run that has ended cannot be cancelled.
    case runEnded(run: String, status: RunStatus)
    case journal(JournalError)
    case storage(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownExperiment(let name, let known):
            return "unknown experiment \"\(Self.shown(name))\" (known: \(known.joined(separator: ", ")))"
        case .brokenExperiment(let name, let problem):
            return "experiment \"\(Self.shown(name))\" cannot be used: \(problem)"
        case .invalidID(let kind, let text):
            return
                "\"\(Self.shown(text))\" is not a valid \(kind) ID (IDs are 26 characters of 0-9 and a-z without i, l, o, u; a unique prefix works too)"
        case .unknownID(let kind, let prefix):
            return "no \(kind) with an ID starting \"\(Self.shown(prefix))\""
        case .ambiguousID(let kind, let prefix, let matches):
            return
                "\"\(Self.shown(prefix))\" matches \(matches.count) \(kind)s (\(matches.prefix(5).joined(separator: ", "))\(matches.count > 5 ? ", …" : "")); give more characters"
        case .instanceDeleted(let id):
            return "instance \(id) is deleted"
        case .invalidConfig(let experiment, let error):
            return "\(experiment): \(error)"
        case .sweepEnded(let id, let status):
            return "sweep \(id) has already ended (\(status)); nothing to cancel (resume it to run its remaining trials)"
        case .sweepRunning(let id):
            return "sweep \(id) is being run by another process; cancel it there, or wait for it to end"
        case .invalidSweep(let problems):
            return "invalid sweep: " + problems.map(\.description).joined(separator: "; ")
        case .invalidResources(let field, let reason):
            return "\(field): \(reason)"
        case .configDecoding(let type, let reason):
            return "the configuration does not decode as \(type): \(reason)"
        case .resultEncoding(let key, let reason):
            return "result \"\(key)\" could not be recorded: \(reason)"
        case .invalidMetric(let key, let reason):
            return "metric \"\(Self.shown(key))\" could not be recorded: \(reason)"
        case .invalidRequest(let reason):
            return reason
        case .runAlreadyEnded(let run):
            return "run \(run) has already ended; nothing more can be recorded"
        case .runEnded(let run, let status):
            return "run \(run) has already ended (\(status.rawValue)); nothing to cancel"
        case .journal(let error):
            return error.description
        case .storage(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    /// Text someone gave, shortened: an error quoting a megabyte of it would bury the message.
    static func shown(_ text: String) -> String {
        text.count <= 100 ? text : "\(text.prefix(100))… (\(text.count) characters)"
    }
}
