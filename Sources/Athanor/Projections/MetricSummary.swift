import AthanorJournal

/// One metric curve of a run in brief: how many points, and its first, last, lowest and highest
/// points (the first point with the lowest or highest value).
public struct MetricSummary: Sendable, Hashable {
    /// A value at a step.
    public struct Point: Sendable, Hashable {
        public var step: Int
        public var value: Double

        public init(step: Int, value: Double) {
            self.step = step
            self.value = value
        }
    }

    public var key: String
    public var count: Int
    public var first: Point
    public var last: Point
    public var min: Point
    public var max: Point

    /// A curve of one point.
    public init(key: String, point: Point) {
        self.key = key
        count = 1
        first = point
        last = point
        min = point
        max = point
    }

    /// Folds one more point in.
    mutating func add(_ point: Point) {
        count += 1
        last = point
        if point.value < min.value { min = point }
        if point.value > max.value { max = point }
    }
}

/// Every metric curve of a run in brief, in the order their keys were first recorded.
public struct MetricSummaries: Sendable, Hashable {
    public private(set) var all: [MetricSummary] = []
    private var indexByKey: [String: Int] = [:]

    public init() {}

    /// The summary of `key`, if the run recorded it.
    public subscript(key: String) -> MetricSummary? {
        indexByKey[key].map { all[$0] }
    }

    /// Folds the points of one `metric` event in.
    mutating func add(_ record: MetricRecord) {
        for value in record.values {
            add(key: value.key, MetricSummary.Point(step: record.step, value: value.value))
        }
    }

    /// Folds one point in (or a whole summary, read back from a cache, when it is new).
    mutating func add(key: String, _ point: MetricSummary.Point) {
        if let index = indexByKey[key] {
            all[index].add(point)
        } else {
            indexByKey[key] = all.count
            all.append(MetricSummary(key: key, point: point))
        }
    }

    /// Adds a summary read back from elsewhere (a cache).
    mutating func restore(_ summary: MetricSummary) {
        guard indexByKey[summary.key] == nil else { return }
        indexByKey[summary.key] = all.count
        all.append(summary)
    }
}
