import AthanorJournal
import Foundation

/// One run's curves as a chart asked for them.
public struct RunCurves: Sendable {
    /// One curve: sampled as asked, and its smoothed form when smoothing was asked for.
    public struct Curve: Sendable {
        public var key: String
        public var sampled: SampledCurve
        public var smoothed: SampledCurve?
    }

    public var run: Catalog.RunEntry
    public var curves: [Curve]
}

/// Runs side by side: their configurations, scalar results and metric summaries, key by key.
public struct RunComparison: Sendable {
    /// One key and its value in each run (`nil` where a run has none).
    public struct Row<Value: Sendable>: Sendable {
        public var key: String
        public var values: [Value?]
    }

    public var runs: [RunSummary]
    /// Every configuration key, nested ones flattened (`a.b`, `a[0]`), in first-seen order.
    public var config: [Row<JSONValue>]
    /// Every result key whose values are scalars (numbers, strings, booleans, null).
    public var results: [Row<JSONValue>]
    public var metrics: [Row<MetricSummary>]

    /// Whether a configuration row differs between the runs.
    public static func differs(_ row: Row<JSONValue>) -> Bool {
        Set(row.values.map { $0.map { (try? $0.jsonText()) ?? "" } ?? "\u{0}absent" }).count > 1
    }
}

extension Lab {
    /// How many runs one metrics or comparison request may name.
    public static let maximumComparedRuns = 100

    /// The curves of `runs` (IDs or unique prefixes), only `keys` when given, as `query` asks:
    /// every point when there are at most `query.points`, else buckets that keep each bucket's
    /// extremes. Smoothing is computed on every point, before sampling.
    public func metrics(of runs: [String], keys: [String]? = nil, query: MetricQuery) throws(HarnessError)
        -> [RunCurves]
    {
        try checkCount(runs)
        var answers: [RunCurves] = []
        for prefix in runs {
            let entry = try run(prefix)
            let metrics: RunMetrics
            do throws(JournalError) {
                metrics = try metricCache.metrics(of: entry)
            } catch {
                throw .journal(error)
            }
            let origin = metrics.origin ?? 0
            let wanted = keys.map(Set.init)
            let curves = metrics.series.filter { wanted?.contains($0.key) ?? true }.map { series in
                let xs = series.xs(on: query.axis, origin: origin)
                return RunCurves.Curve(
                    key: series.key, sampled: SampledCurve(xs: xs, ys: series.values, query: query),
                    smoothed: query.smoothing > 0
                        ? SampledCurve(
                            xs: xs, ys: SampledCurve.smoothed(series.values, weight: query.smoothing), query: query)
                        : nil)
            }
            answers.append(RunCurves(run: entry, curves: curves))
        }
        return answers
    }

    /// `runs` (IDs or unique prefixes, in the order given) side by side.
    public func compare(_ runs: [String]) async throws(HarnessError) -> RunComparison {
        try checkCount(runs)
        var entries: [Catalog.RunEntry] = []
        for prefix in runs { entries.append(try run(prefix)) }
        let summaries = entries.map(\.summary)
        let configs = summaries.map { FlatJSON($0.config) }
        return RunComparison(
            runs: summaries,
            config: Self.rows(configs.map(\.members)),
            results: Self.rows(try await scalarResults(of: entries)),
            metrics: Self.rows(summaries.map { $0.metrics.all.map { (key: $0.key, value: $0) } }))
    }

    /// Each run's results whose values are scalars: kept for closed runs, and the journals of
    /// the others read side by side, as many at once as there are cores.
    func scalarResults(of entries: [Catalog.RunEntry]) async throws(HarnessError) -> [ScalarResultsCache.Members] {
        var found = entries.map { scalarResultsCache.members(of: $0) }
        let missing = found.indices.filter { found[$0] == nil }
        let loaded = await withTaskGroup(of: (Int, Result<ScalarResultsCache.Members, HarnessError>).self) { group in
            var next = missing.makeIterator()
            func start() {
                guard let index = next.next() else { return }
                let entry = entries[index]
                group.addTask { [runData] in
                    do {
                        return (index, .success(FlatJSON(results: try await runData.data(for: entry).results).members))
                    } catch {
                        return (index, .failure(.storage(path: entry.currentFilePath, reason: "\(error)")))
                    }
                }
            }
            for _ in 0..<ProcessInfo.processInfo.activeProcessorCount { start() }
            var answers: [(Int, Result<ScalarResultsCache.Members, HarnessError>)] = []
            while let answer = await group.next() {
                answers.append(answer)
                start()
            }
            return answers
        }
        for (index, result) in loaded {
            let members = try result.get()
            scalarResultsCache.store(members, for: entries[index])
            found[index] = members
        }
        return found.map { $0 ?? [] }
    }

    private func checkCount(_ runs: [String]) throws(HarnessError) {
        guard !runs.isEmpty, runs.count <= Self.maximumComparedRuns else {
            throw .invalidRequest("name 1 to \(Self.maximumComparedRuns) runs, not \(runs.count)")
        }
    }

    /// One row per key (in first-seen order across the runs), with each run's value.
    private static func rows<Value>(_ perRun: [[(key: String, value: Value)]]) -> [RunComparison.Row<Value>] {
        var order: [String] = []
        var seen: Set<String> = []
        var lookup: [[String: Value]] = []
        for members in perRun {
            var values: [String: Value] = [:]
            for member in members {
                values[member.key] = member.value
                if seen.insert(member.key).inserted { order.append(member.key) }
            }
            lookup.append(values)
        }
        return order.map { key in RunComparison.Row(key: key, values: lookup.map { $0[key] }) }
    }
}

/// A JSON value's leaves by path (`a.b`, `a[0]`), in order.
private struct FlatJSON {
    var members: [(key: String, value: JSONValue)] = []

    init(_ value: JSONValue) {
        flatten(value, path: "")
    }

    /// The results whose values are scalars.
    init(results: RunResults) {
        for entry in results.entries {
            switch entry.value {
            case .array, .object: continue
            default: members.append((entry.key, entry.value))
            }
        }
    }

    private mutating func flatten(_ value: JSONValue, path: String) {
        switch value {
        case .object(let object) where !object.isEmpty:
            for member in object { flatten(member.value, path: path.isEmpty ? member.key : path + "." + member.key) }
        case .array(let elements) where !elements.isEmpty:
            for (index, element) in elements.enumerated() { flatten(element, path: path + "[\(index)]") }
        default:
            members.append((path, value))
        }
    }
}
