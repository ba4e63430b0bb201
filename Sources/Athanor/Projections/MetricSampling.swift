import Foundation

/// What a chart asks of a curve: the x axis, a range of it, at most how many points, and how
/// much smoothing.
public struct MetricQuery: Sendable, Equatable {
    public var axis: MetricAxis
    /// The range of x kept, inclusive; `nil` for the curve's own end.
    public var from: Double?
    public var to: Double?
    /// The most points an answer may hold.
    public var points: Int
    /// The weight of the debiased exponential moving average (0: none; below 1).
    public var smoothing: Double

    public static let maximumPoints = 10_000

    public init(axis: MetricAxis = .step, from: Double? = nil, to: Double? = nil, points: Int = 1000, smoothing: Double = 0) {
        self.axis = axis
        self.from = from
        self.to = to
        self.points = points
        self.smoothing = smoothing
    }
}

/// A curve as a chart draws it: every point when there are few enough, else buckets of equal
/// width in x that each keep their first, lowest, highest and last point, so that no spike is
/// ever lost (nothing is sampled at random).
public struct SampledCurve: Sendable, Equatable {
    /// A point: (x, y).
    public typealias Point = (x: Double, y: Double)

    /// One bucket's extremes and ends.
    public struct Bucket: Sendable, Equatable {
        public var first: Point
        public var min: Point
        public var max: Point
        public var last: Point

        public static func == (a: Bucket, b: Bucket) -> Bool {
            a.first == b.first && a.min == b.min && a.max == b.max && a.last == b.last
        }
    }

    /// The points of the curve in the range.
    public var count = 0
    /// Whether ``xs`` and ``ys`` hold every point (else ``buckets`` hold them in brief).
    public var isRaw = true
    public var xs: [Double] = []
    public var ys: [Double] = []
    public var buckets: [Bucket] = []

    /// `ys` at `xs` as `query` asks: the points in its range, raw or in `query.points / 4`
    /// buckets.
    public init(xs allX: [Double], ys allY: [Double], query: MetricQuery) {
        let from = query.from ?? -Double.infinity
        let to = query.to ?? Double.infinity
        var xs: [Double] = []
        var ys: [Double] = []
        for index in allX.indices where allX[index] >= from && allX[index] <= to {
            xs.append(allX[index])
            ys.append(allY[index])
        }
        count = xs.count
        let limit = max(4, min(query.points, MetricQuery.maximumPoints))
        guard count > limit, let low = xs.min(), let high = xs.max(), high > low else {
            self.xs = xs
            self.ys = ys
            return
        }
        isRaw = false
        let bucketCount = limit / 4
        var slots = [Bucket?](repeating: nil, count: bucketCount)
        let width = (high - low) / Double(bucketCount)
        for index in xs.indices {
            let point = (x: xs[index], y: ys[index])
            let slot = Swift.min(bucketCount - 1, Int((point.x - low) / width))
            if var bucket = slots[slot] {
                if point.y < bucket.min.y { bucket.min = point }
                if point.y > bucket.max.y { bucket.max = point }
                bucket.last = point
                slots[slot] = bucket
            } else {
                slots[slot] = Bucket(first: point, min: point, max: point, last: point)
            }
        }
        buckets = slots.compactMap { $0 }
    }

    /// TensorBoard's smoothing: an exponential moving average with weight `weight`, debiased so
    /// that the first points are not pulled towards zero.
    public static func smoothed(_ values: [Double], weight: Double) -> [Double] {
        var average = 0.0
        var smoothed: [Double] = []
        smoothed.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            average = average * weight + (1 - weight) * value
            smoothed.append(average / (1 - pow(weight, Double(index + 1))))
        }
        return smoothed
    }
}
