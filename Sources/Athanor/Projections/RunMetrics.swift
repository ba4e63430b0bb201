import AthanorJournal

/// One metric curve of a run as columns: a point's step, its time (seconds since the Unix
/// epoch) and its value, in the order recorded.
public struct MetricSeries: Sendable, Equatable {
    public var key: String
    public var steps: [Int] = []
    public var times: [Double] = []
    public var values: [Double] = []

    public init(key: String) {
        self.key = key
    }

    /// How many points.
    public var count: Int { values.count }

    /// The x of every point on `axis`, `origin` being the run's first event (for ``MetricAxis/time``).
    public func xs(on axis: MetricAxis, origin: Double) -> [Double] {
        switch axis {
        case .step: steps.map(Double.init)
        case .time: times.map { $0 - origin }
        case .wall: times
        }
    }
}

/// The x axis of a metric chart.
public enum MetricAxis: String, Sendable, CaseIterable {
    /// The step each point was recorded at.
    case step
    /// Seconds since the run's first event.
    case time
    /// Seconds since the Unix epoch.
    case wall
}

/// Every metric curve of a run as columns, in the order their keys were first recorded: a pure
/// fold over its journal, which grows as a live run records.
public struct RunMetrics: Sendable, Equatable {
    public private(set) var series: [MetricSeries] = []
    /// The time of the run's first event (seconds since the Unix epoch), the origin of ``MetricAxis/time``.
    public private(set) var origin: Double?
    private var indexByKey: [String: Int] = [:]

    public init() {}

    /// Curves read back from elsewhere (a cache), in their order.
    init(series: [MetricSeries], origin: Double?) {
        self.series = series
        self.origin = origin
        indexByKey = Dictionary(series.enumerated().map { ($1.key, $0) }) { first, _ in first }
    }

    /// The curve of `key`, if the run recorded it.
    public subscript(key: String) -> MetricSeries? {
        indexByKey[key].map { series[$0] }
    }

    /// Folds one event in.
    public mutating func apply(_ event: JournalEvent<RunMetricLine>) {
        let time = Double(event.timestamp.microsecondsSinceEpoch) / 1e6
        if origin == nil { origin = time }
        guard case .metric(let record) = event.payload else { return }
        for value in record.values {
            let index: Int
            if let known = indexByKey[value.key] {
                index = known
            } else {
                index = series.count
                indexByKey[value.key] = index
                series.append(MetricSeries(key: value.key))
            }
            series[index].steps.append(record.step)
            series[index].times.append(time)
            series[index].values.append(value.value)
        }
    }
}
