/// A run event read only for its metrics: `metric` lines in full, `run_created` as the run's
/// origin in time, every other line skipped undecoded. For readers of metric curves, which a
/// run with a million log lines must not make slow.
public enum RunMetricLine: JournalDecodable {
    /// `run_created`: the time the run's curves count from.
    case origin
    /// A `metric` line.
    case metric(MetricRecord)

    public var typeName: String {
        switch self {
        case .origin: "run_created"
        case .metric: "metric"
        }
    }

    public var isTerminal: Bool { false }

    public static func decode(typeName: String, fields: EventFields) throws(EventDecodingError) -> RunMetricLine? {
        switch typeName {
        case "metric": .metric(try RunEvent.decodeMetric(fields))
        case "run_created": .origin
        default: nil
        }
    }
}
