import AthanorJournal
import Foundation
import Testing

@testable import Athanor

@Suite struct CatalogTests {
    private let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-catalog-\(Identifier.generate())")
    private var store: InstanceStore { InstanceStore(data: data, registry: testRegistry) }

    @Test func instancesAreCreatedUpdatedAndDeletedThroughTheirJournals() throws {
        let created = try store.create(experiment: "counter", name: "Baseline", config: ["steps": 3])
        #expect(created.config == ["steps": 3, "delay_ms": 0])
        #expect(created.experiment == "counter")
        let renamed = try store.update(created.instanceID, name: "Renamed", config: ["steps": 4])
        #expect(renamed.name == "Renamed" && renamed.config == ["steps": 4, "delay_ms": 0])
        #expect(
            try store.update(created.instanceID, name: "Renamed").lastSeq == renamed.lastSeq,
            "no-op updates record nothing")
        try store.delete(created.instanceID)
        #expect(try store.load(created.instanceID).isDeleted)
        #expect(throws: HarnessError.instanceDeleted(id: created.instanceID)) {
            try store.update(created.instanceID, name: "x")
        }
        let lines = try String(contentsOfFile: data.instanceJournal(created.instanceID), encoding: .utf8)
        #expect(
            lines.split(separator: "\n").map {
                $0.contains("instance_created") || $0.contains("instance_updated") || $0.contains("instance_deleted")
            } == [true, true, true])
    }

    @Test func invalidConfigurationsAndUnknownExperimentsRecordNothing() throws {
        #expect(throws: HarnessError.self) {
            try store.create(experiment: "counter", name: "x", config: ["steps": "many"])
        }
        #expect(throws: HarnessError.unknownExperiment(name: "nope", known: testRegistry.experiments.map { $0.name })) {
            try store.create(experiment: "nope", name: "x", config: [:])
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: data.instancesPath)) ?? []
        #expect(files.isEmpty)
    }

    @Test func theCatalogSeesInstancesAndRunsAndResolvesPrefixes() async throws {
        let instance = try store.create(experiment: "counter", name: "Baseline", config: ["steps": 2])
        let executor = InlineExecutor(registry: testRegistry)
        var runIDs: [String] = []
        for _ in 0..<3 {
            let run = try RunAssignment.create(
                in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: Counter.self,
                config: instance.config, executor: executor.name)
            _ = try await executor.execute(run)
            runIDs.append(run.runID)
        }
        let pending = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: Counter.self,
            config: instance.config, executor: executor.name)

        let catalog = Catalog(data: data)
        try catalog.refresh()
        #expect(catalog.instances().map(\.name) == ["Baseline"])
        let runs = catalog.runs(instance: instance.instanceID)
        #expect(runs.map(\.summary.runID) == runIDs + [pending.runID])
        #expect(runs.map(\.summary.status) == [.completed, .completed, .completed, .pending])
        let first = try #require(runs.first?.summary)
        #expect(first.resultKeys == ["step_1", "step_2"])
        #expect(first.logCounts.info == 1)
        #expect(first.progress == ProgressUpdate(current: 2, total: 2, message: "step 2"))
        #expect(catalog.runs(status: .pending).count == 1)

        #expect(try catalog.run(String(pending.runID.prefix(26))).summary.runID == pending.runID)
        #expect(try catalog.instance(String(instance.instanceID.prefix(20))).instanceID == instance.instanceID)
        #expect(throws: HarnessError.invalidID(kind: "run", text: "../x")) { try catalog.run("../x") }
        #expect(throws: HarnessError.unknownID(kind: "run", prefix: "zzzz")) { try catalog.run("zzzz") }
        let shared = String(runIDs[0].prefix(2))
        #expect(throws: HarnessError.self) { try catalog.run(shared) }
    }

    @Test func runsWrittenElsewhereAppearAndClosedRunsComeFromTheCache() async throws {
        let instance = try store.create(experiment: "counter", name: "Cached", config: ["steps": 2])
        let catalog = Catalog(data: data)
        try catalog.refresh()
        #expect(catalog.runs().isEmpty)

        let run = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: Counter.self,
            config: instance.config, executor: "inline")
        try catalog.refresh()
        #expect(catalog.runs().map(\.summary.status) == [.pending])
        _ = try await InlineExecutor(registry: testRegistry).execute(run)
        try catalog.refresh()
        #expect(catalog.runs().map(\.summary.status) == [.completed])
        #expect(FileManager.default.fileExists(atPath: data.path + "/.cache/run-summaries.jsonl"))

        // A fresh catalog reads the summary from the cache: prove it by making the cache the only
        // source that says "cached" (the journal says otherwise).
        var cache = SummaryCache(directory: data.path + "/.cache")
        cache.load()
        let path = run.journalPath + ".zst"
        let identity = try #require(FileIdentity(path: path))
        var doctored = try #require(cache.summary(for: path, identity: identity))
        doctored.instanceName = "from the cache"
        cache.store(doctored, for: path, identity: identity)
        let changed = cache.takeChanges()
        #expect(SummaryCache.write(try #require(changed), to: cache.path))
        let warm = Catalog(data: data)
        try warm.refresh()
        #expect(warm.runs().first?.summary.instanceName == "from the cache")

        // A journal that changes invalidates its cache entry.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.write(to: URL(fileURLWithPath: path))
        let fresh = Catalog(data: data)
        try fresh.refresh()
        #expect(fresh.runs().first?.summary.instanceName == "Cached")
    }

    @Test func readsOfARunAreNeverOlderThanItsJournal() async throws {
        let instance = try store.create(experiment: "counter", name: "Fresh", config: ["steps": 2])
        let catalog = Catalog(data: data)
        try catalog.refresh()
        let run = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: Counter.self,
            config: instance.config, executor: "inline")
        // Never refreshed by hand from here on: a run created since the last refresh is found,
        // and each read reflects what the journal holds at that moment.
        #expect(try catalog.run(run.runID).summary.status == .pending)
        #expect(try await InlineExecutor(registry: testRegistry).execute(run) == .completed)
        #expect(try catalog.run(run.runID).summary.status == .completed)
        #expect(catalog.runs(instance: instance.instanceID).map(\.summary.status) == [.completed])
    }

    @Test func aListOfRunsIsNeverOlderThanTheirJournals() async throws {
        let instance = try store.create(experiment: "counter", name: "Listed", config: ["steps": 2])
        let run = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: Counter.self,
            config: instance.config, executor: "inline")
        let catalog = Catalog(data: data)
        try catalog.refresh()
        #expect(catalog.runs().map(\.summary.status) == [.pending])
        #expect(try await InlineExecutor(registry: testRegistry).execute(run) == .completed)
        #expect(catalog.runs().map(\.summary.status) == [.completed])
    }

    @Test func summariesFromOutlinesEqualSummariesFromWholeEvents() async throws {
        let instance = try store.create(experiment: "counter", name: "Outlined", config: ["steps": 4])
        let run = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: Counter.self,
            config: instance.config, executor: "inline")
        _ = try await InlineExecutor(registry: testRegistry).execute(run)
        let journal = JournalFile(run.journalPath).compressedPath
        let whole = RunSummary(events: try JournalReader<RunEvent>.readAll(path: journal))
        #expect(try Catalog.summarize(journal) == whole)
        #expect(whole.resultCount == 4 && whole.logCounts.info == 1)
        // An outline leaves values unread.
        let outlines = try JournalReader<RunEventOutline>.readAll(path: journal).map(\.payload.event)
        #expect(outlines.contains(.result(key: "step_1", value: .null)))
    }

    @Test func openingRecoversRunsWhoseWriterDied() throws {
        let instance = try store.create(experiment: "counter", name: "Crashed", config: [:])
        let run = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: Counter.self,
            config: instance.config, executor: "process")
        run.lease?.release()  // its supervisor is gone
        let writer = try JournalWriter<RunEvent>(appendingTo: run.journalPath)
        try writer.append(.started(pid: 1, host: "gone"))
        try writer.append(.log(LogRecord(.info, "working")))
        try writer.close()
        let catalog = try Catalog.open(data)
        let summary = try catalog.run(run.runID).summary
        #expect(summary.status == .failed)
        #expect(summary.error?.hasPrefix("interrupted:") == true)
        #expect(summary.logCounts.info == 1)
    }

    @Test func summariesFoldToAnySeq() throws {
        let events: [JournalEvent<RunEvent>] = [
            .init(
                seq: 1, timestamp: Timestamp(microsecondsSinceEpoch: 0),
                payload: SyntheticWorkload().createdEvent(run: "r")),
            .init(
                seq: 2, timestamp: Timestamp(microsecondsSinceEpoch: 1_000_000), payload: .started(pid: 3, host: "h")),
            .init(
                seq: 3, timestamp: Timestamp(microsecondsSinceEpoch: 1_500_000), payload: .log(LogRecord(.error, "x"))),
            .init(
                seq: 4, timestamp: Timestamp(microsecondsSinceEpoch: 2_000_000), payload: .result(key: "a", value: 1)),
            .init(
                seq: 5, timestamp: Timestamp(microsecondsSinceEpoch: 2_000_000), payload: .result(key: "a", value: 2)),
            .init(
                seq: 6, timestamp: Timestamp(microsecondsSinceEpoch: 3_500_000),
                payload: .cancelled(reason: "user", forced: true)),
        ]
        let atThree = RunSummary(events: events.prefix(3))
        #expect(atThree.status == .running)
        #expect(atThree.logCounts.error == 1)
        #expect(atThree.duration(now: Timestamp(microsecondsSinceEpoch: 4_000_000)) == 3.0)
        let whole = RunSummary(events: events)
        #expect(whole.status == .cancelled && whole.forced && whole.error == "user")
        #expect(whole.resultCount == 2 && whole.resultKeys == ["a"])
        #expect(whole.duration() == 2.5)
        #expect(RunSummary(json: whole.json) == whole)
        #expect(RunSummary(json: try JSONValue(parsing: try whole.json.jsonText())) == whole)
    }
}

@Suite struct LogAndResultProjectionTests {
    private func event(_ seq: Int, _ payload: RunEvent) -> JournalEvent<RunEvent> {
        JournalEvent(seq: seq, timestamp: Timestamp(microsecondsSinceEpoch: Int64(seq)), payload: payload)
    }

    @Test func logsFilterByLevelAndTextAndCountEverything() {
        var logs = RunLogs(filter: LogFilter(minimumLevel: .info, text: "LOSS"))
        for (seq, payload) in [
            RunEvent.log(LogRecord(.debug, "loss 0.5")), .log(LogRecord(.info, "Loss 0.4")),
            .log(LogRecord(.error, "diverged")), .result(key: "a", value: 1), .log(LogRecord(.warn, "loss nan")),
        ].enumerated() {
            logs.apply(event(seq + 1, payload))
        }
        #expect(logs.total == 4)
        #expect(logs.entries.map(\.seq) == [2, 5])
    }

    @Test func resultsKeepTheLatestValuePerKeyInFirstSeenOrder() {
        var results = RunResults()
        results.apply(event(1, .result(key: "b", value: 1)))
        results.apply(event(2, .result(key: "a", value: 2)))
        results.apply(event(3, .result(key: "b", value: 3)))
        #expect(results.entries.map(\.key) == ["b", "a"])
        #expect(results["b"]?.value == 3)
        #expect(results["b"]?.seq == 3)
        #expect(results["missing"] == nil)
    }
}

@Suite struct TargetedRefreshTests {
    private let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-watch-\(Identifier.generate())")

    @Test func aWatcherReportsTheFilesThatChangedAndTheCatalogReadsOnlyThose() async throws {
        try data.prepare()
        let store = InstanceStore(data: data, registry: testRegistry)
        let instance = try store.create(experiment: "counter", name: "watched", config: ["steps": 2])
        let catalog = Catalog(data: data)
        try catalog.refresh()
        let watcher = try DirectoryWatcher()
        #expect(watcher.watch(data.runsPath))
        let run = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name, experiment: Counter.self,
            config: instance.config, executor: "inline")
        let directoryChange = try #require(await watcher.changes(timeout: .seconds(60)))
        #expect(directoryChange.contains(data.runsDirectory(of: instance.instanceID)))
        #expect(watcher.watch(data.runsDirectory(of: instance.instanceID)))

        try catalog.refresh(changedPaths: [run.journalPath])
        #expect(catalog.runs().map(\.summary.status) == [.pending])
        _ = try await InlineExecutor(registry: testRegistry).execute(run)
        let changed = try #require(await watcher.changes(timeout: .seconds(60)))
        #expect(changed.contains(run.journalPath + ".zst"))
        try catalog.refresh(changedPaths: changed)
        #expect(catalog.runs().map(\.summary.status) == [.completed])
        #expect(catalog.runs().first?.summary.resultCount == 2)
    }
}
