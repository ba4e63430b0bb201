/// The severity of a `log` event.
public enum LogLevel: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case debug
    case info
    case warn
    case error

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.order < rhs.order
    }

    private var order: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warn: 2
        case .error: 3
        }
    }

    /// Reads a level name; `warning` is accepted for `warn`.
    public init?(name: String) {
        // Plain comparisons: the read path calls this for every log line, and they beat the
        // synthesized `init(rawValue:)`'s string switch several times over.
        if name == "info" {
            self = .info
        } else if name == "debug" {
            self = .debug
        } else if name == "warn" || name == "warning" {
            self = .warn
        } else if name == "error" {
            self = .error
        } else {
            return nil
        }
    }
}
