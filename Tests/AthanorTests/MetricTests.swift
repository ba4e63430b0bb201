import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// Metrics: the event, its two line forms, the runtime API's steps and refusals, the fold, and
/// sampling that never loses a spike.
@Suite struct MetricTests {
    /// The line of `event` at seq 3, without its newline.
    private func line(_ event: RunEvent) throws -> String {
        var encoder = EventLineEncoder()
        return String(try encoder.line(JournalEvent(seq: 3, timestamp: .now(), payload: event)).dropLast())
    }

    /// What a line decodes to.
    private func decode(_ line: String) -> DecodedLine<RunEvent> {
        var decoder = EventLineDecoder<RunEvent>()
        return decoder.decode(line)
    }

    @Test func bothLineFormsRoundTripWithKeysInOrder() throws {
        let one = RunEvent.metric(MetricRecord(step: 120, values: [.init("loss", 0.31)]))
        let several = RunEvent.metric(
            MetricRecord(step: 7, values: [.init("zeta", 1), .init("alpha", -2.5), .init("mid", 3e-9)]))
        for event in [one, several] {
            guard case .event(let decoded) = decode(try line(event)) else {
                Issue.record("\(event) does not read back")
                continue
            }
            #expect(decoded.payload == event)
        }
        #expect(try line(one).hasSuffix(#","type":"metric","key":"loss","value":0.31,"step":120}"#))
        #expect(try line(several).hasSuffix(#","type":"metric","step":7,"values":{"zeta":1.0,"alpha":-2.5,"mid":3e-09}}"#))
        #expect(throws: JSONEncodingError.self) {
            try line(.metric(MetricRecord(step: 1, values: [.init("loss", .nan)])))
        }
    }

    @Test func aLineThatIsNotAMetricIsRefusedWithTheReason() {
        let start = #"{"seq":1,"ts":"2026-12-03T09:00:00.000000Z","type":"metric","#
        for (fields, reason) in [
            (#""key":"loss","value":"low","step":1}"#, "`value` must be a number"),
            (#""key":"loss","value":1}"#, "missing field `step`"),
            (#""step":1,"values":{}}"#, "one or more numbers"),
            (#""step":1,"values":{"a":null}}"#, "`values.a` must be a number"),
        ] {
            guard case .invalid(_, let why) = decode(start + fields) else {
                Issue.record("\(fields) was accepted")
                continue
            }
            #expect(why.contains(reason), "\(why)")
        }
    }

    @Test func theRuntimeAPIResolvesStepsAndRefusesWhatJSONCannotHold() async throws {
        let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-metrics-\(Identifier.generate())")
        let run = try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "curves", experiment: Curves.self, config: [:],
            executor: "inline")
        #expect(try await InlineExecutor(registry: testRegistry).execute(run) == .completed)
        let events = try JournalReader<RunEvent>.readAll(path: run.journalPath + ".zst").map(\.payload)
        let records = events.compactMap { event -> MetricRecord? in
            if case .metric(let record) = event { return record }
            return nil
        }
        #expect(records.map(\.step) == [0, 1, 10, 11, 12])
        #expect(records.last?.values == [.init("accuracy", 0.5), .init("loss", 0.1)])
        let messages = events.compactMap { event -> String? in
            if case .log(let record) = event { return record.message }
            return nil
        }
        #expect(messages.count == 4 && !messages.contains { $0.contains("was recorded") })
        #expect(messages[0] == #"metric "loss" could not be recorded: nan is not a finite number"#)
        #expect(messages[3] == #"metric "loss" could not be recorded: step -1 is negative"#)

        let summary = try Catalog.summarize(run.journalPath + ".zst")
        let loss = try #require(summary.metrics["loss"])
        #expect(loss.count == 5 && loss.first == .init(step: 0, value: 1) && loss.last == .init(step: 12, value: 0.1))
        #expect(loss.min == .init(step: 12, value: 0.1) && loss.max == .init(step: 0, value: 1))
        #expect(summary.metrics.all.map(\.key) == ["loss", "accuracy"])
        // The summary survives the catalog's cache.
        #expect(RunSummary(json: summary.json)?.metrics == summary.metrics)
    }

    @Test func samplingKeepsEveryBucketsExtremesSoASpikeIsNeverLost() throws {
        let count = 1_000_000
        var ys = (0..<count).map { 1 / (1 + Double($0) / 1000) }
        ys[777_777] = 1_000
        ys[123_456] = -1_000
        let xs = (0..<count).map(Double.init)
        let sampled = SampledCurve(xs: xs, ys: ys, query: MetricQuery(points: 1000))
        #expect(!sampled.isRaw && sampled.count == count && sampled.buckets.count == 250)
        #expect(sampled.buckets.contains { $0.max == (x: 777_777, y: 1_000) })
        #expect(sampled.buckets.contains { $0.min == (x: 123_456, y: -1_000) })
        let first = try #require(sampled.buckets.first?.first)
        #expect(first == (x: 0, y: 1) && sampled.buckets.last?.last.x == Double(count - 1))
        // A range at full resolution: every point in it, raw.
        let zoomed = SampledCurve(xs: xs, ys: ys, query: MetricQuery(from: 777_700, to: 777_900, points: 1000))
        #expect(zoomed.isRaw && zoomed.count == 201 && zoomed.xs.first == 777_700 && zoomed.ys.contains(1_000))
    }

    @Test func smoothingIsTensorBoardsDebiasedAverage() {
        let smoothed = SampledCurve.smoothed([10, 10, 10, 0], weight: 0.9)
        #expect(smoothed[0] == 10 && abs(smoothed[1] - 10) < 1e-12 && abs(smoothed[2] - 10) < 1e-12)
        // 10 * (1 - 0.9^3) * 0.9 / (1 - 0.9^4)
        #expect(abs(smoothed[3] - 10 * (1 - pow(0.9, 3)) * 0.9 / (1 - pow(0.9, 4))) < 1e-9)
        #expect(SampledCurve.smoothed([3, 5], weight: 0) == [3, 5])
    }
}

/// Closed runs' curves kept on disk beside the summary cache, and dropped when the journal changes.
@Suite struct MetricStoreTests {
    @Test func aClosedRunsCurvesAreReadBackFromTheStoreUntilItsJournalChanges() async throws {
        let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-metric-store-\(Identifier.generate())")
        let lab = try Lab(
            data: data, registry: testRegistry, executor: InlineExecutor(registry: testRegistry), recovery: .never)
        try data.prepare()
        let instance = try lab.createInstance(experiment: "curves", name: "stored", config: [:])
        let run = try lab.startRun(of: instance.instance.instanceID)
        #expect(try await lab.ending(of: run) == .completed)
        let runID = run.assignment.runID
        let first = try lab.metrics(of: [runID], query: MetricQuery())
        let stored = data.path + "/.cache/metrics/\(runID).bin"
        #expect(FileManager.default.fileExists(atPath: stored))
        #expect(first.first?.curves.map(\.key) == ["loss", "accuracy"])

        // A fresh lab answers from the store: prove it by doctoring the store (the journal says otherwise).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: stored))
        let lastValue = bytes.count - 8
        bytes.replaceSubrange(lastValue..<bytes.count, with: withUnsafeBytes(of: (42.0).bitPattern.littleEndian) { Data($0) })
        try bytes.write(to: URL(fileURLWithPath: stored))
        let fresh = try Lab(data: data, registry: testRegistry, recovery: .never)
        #expect(try fresh.metrics(of: [runID], keys: ["accuracy"], query: MetricQuery()).first?.curves.first?.sampled.ys == [42])

        // The journal rewritten (its identity changes): the curves are read from it again.
        let journal = run.assignment.journalPath + ".zst"
        try Data(contentsOf: URL(fileURLWithPath: journal)).write(to: URL(fileURLWithPath: journal))
        let again = try Lab(data: data, registry: testRegistry, recovery: .never)
        #expect(try again.metrics(of: [runID], keys: ["accuracy"], query: MetricQuery()).first?.curves.first?.sampled.ys == [0.5])
    }
}
