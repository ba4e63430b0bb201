import ArgumentParser
import Athanor
import AthanorJournal

/// `athanor metrics`: a run's metric curves in brief.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Show a run's metrics: points, last, min and max of each key, and its curve as a sparkline.")

    @Argument(help: "The run's ID or a unique prefix of it.")
    var runID: String

    @Option(help: "Only this metric key.")
    var key: String?

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let lab = try data.openLab()
        let run = try lab.run(runID)
        run.summary.warnAboutProblems()
        let summaries = run.summary.metrics.all.filter { key == nil || $0.key == key }
        if let key, summaries.isEmpty { throw CommandFailure("run \(run.summary.runID) has no metric \"\(key)\"") }
        if output.json {
            try Output.json([
                "run": .string(run.summary.runID),
                "metrics": .object(JSONObject(summaries.map { .init(key: $0.key, value: $0.json) })),
            ])
            return
        }
        let width = 40
        let curves = try lab.metrics(
            of: [run.summary.runID], keys: summaries.map(\.key), query: MetricQuery(points: width * 4))
        let sparklines = Dictionary(
            (curves.first?.curves ?? []).map { ($0.key, Sparkline.draw($0.sampled, width: width)) }) { $1 }
        Output.table(
            ["KEY", "POINTS", "LAST", "MIN", "MAX", "CURVE"],
            summaries.map { summary in
                [
                    summary.key, "\(summary.count)", Self.point(summary.last), Self.point(summary.min),
                    Self.point(summary.max), sparklines[summary.key] ?? "",
                ]
            })
    }

    private static func point(_ point: MetricSummary.Point) -> String {
        "\(Output.number(point.value)) @\(point.step)"
    }
}

/// `athanor compare`: runs side by side.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs: the configuration keys that differ, scalar results and metrics, side by side.")

    @Argument(help: "Two or more run IDs (unique prefixes work).")
    var runIDs: [String]

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard runIDs.count >= 2 else { throw ValidationError("name at least two runs to compare") }
    }

    func run() async throws {
        let comparison = try await data.openLab().compare(runIDs)
        if output.json {
            try Output.json(comparison.json)
            return
        }
        let header = ["KEY"] + comparison.runs.map { Output.short($0.runID) }
        let differing = comparison.config.filter(RunComparison.differs)
        print("configuration: \(differing.count) of \(comparison.config.count) keys differ")
        if !differing.isEmpty { Output.table(header, differing.map { [$0.key] + $0.values.map(Self.text) }) }
        if !comparison.results.isEmpty {
            print("\nresults")
            Output.table(header, comparison.results.map { [$0.key] + $0.values.map(Self.text) })
        }
        if !comparison.metrics.isEmpty {
            print("\nmetrics (last; min..max)")
            Output.table(
                header,
                comparison.metrics.map { row in
                    [row.key]
                        + row.values.map { summary in
                            summary.map {
                                "\(Output.number($0.last.value)); \(Output.number($0.min.value))..\(Output.number($0.max.value))"
                            } ?? "-"
                        }
                })
        }
    }

    private static func text(_ value: JSONValue?) -> String {
        guard let value else { return "-" }
        if case .string(let text) = value { return text }
        return (try? value.jsonText()) ?? ""
    }
}

/// A curve in eight levels of block characters, one per column.
enum Sparkline {
    private static let levels = Array("▁▂▃▄▅▆▇█")

    /// `curve` in `width` columns (fewer for fewer points): each column's highest point, so that a
    /// spike shows.
    static func draw(_ curve: SampledCurve, width: Int) -> String {
        let points: [SampledCurve.Point] =
            curve.isRaw
            ? zip(curve.xs, curve.ys).map { (x: $0, y: $1) } : curve.buckets.map { $0.max }
        guard let low = points.map(\.y).min(), let high = points.map(\.y).max(), let first = points.first?.x,
            let last = points.last?.x
        else { return "" }
        let columns = min(width, points.count)
        var tops = [Double?](repeating: nil, count: columns)
        for point in points {
            let column = last > first ? min(columns - 1, Int((point.x - first) / (last - first) * Double(columns))) : 0
            tops[column] = max(tops[column] ?? point.y, point.y)
        }
        var previous = low
        return String(
            tops.map { top in
                let value = top ?? previous
                previous = value
                let level = high > low ? Int((value - low) / (high - low) * Double(levels.count - 1)) : 0
                return levels[level]
            })
    }
}
