import AthanorJournal
import Foundation
import Testing

@testable import Athanor

@Suite struct InlineRunTests {
    private let data: DataDirectory
    private let root: String
    private let executor = InlineExecutor(registry: testRegistry)

    init() throws {
        root = NSTemporaryDirectory() + "athanor-inline-\(Identifier.generate())"
        data = DataDirectory(path: root)
    }

    private func start(_ experiment: any Experiment.Type, config: JSONValue = [:]) throws -> RunAssignment {
        try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "test", experiment: experiment, config: config,
            executor: executor.name)
    }

    private func events(_ assignment: RunAssignment) throws -> [RunEvent] {
        try JournalReader<RunEvent>.readAll(path: assignment.journalPath + ".zst").map(\.payload)
    }

    @Test func aReturningRunCompletesWithEverythingRecorded() async throws {
        let run = try start(Counter.self, config: ["steps": 3])
        #expect(try await executor.execute(run) == .completed)
        let events = try events(run)
        guard case .created(let created) = events.first else {
            Issue.record("first event should be run_created")
            return
        }
        #expect(created.config == ["steps": 3, "delay_ms": 0])
        #expect(created.experiment == "counter")
        #expect(created.executor == "inline")
        guard case .started = events[1] else {
            Issue.record("second event should be run_started")
            return
        }
        #expect(events[2] == .log(LogRecord(.info, "Counting to 3", metadata: ["steps": 3])))
        #expect(events[3] == .result(key: "step_1", value: ["index": 1, "square": 1]))
        #expect(events[4] == .progress(ProgressUpdate(current: 1, total: 3, message: "step 1")))
        #expect(events.last == .completed)
        #expect(events.count == 10)
        #expect(!FileManager.default.fileExists(atPath: run.journalPath))
    }

    @Test func anInvalidConfigurationIsRefusedBeforeAnythingIsWritten() throws {
        #expect(throws: HarnessError.self) { try start(Counter.self, config: ["steps": 0, "extra": 1]) }
        do {
            _ = try start(Counter.self, config: ["steps": 0])
        } catch {
            #expect("\(error)" == "counter: invalid configuration: steps: 0 is below the minimum 1")
        }
        let written = (try? FileManager.default.subpathsOfDirectory(atPath: data.runsPath)) ?? []
        #expect(written.isEmpty)
    }

    @Test func aThrowingRunFailsWithTheErrorsDescription() async throws {
        let run = try start(Failing.self)
        #expect(try await executor.execute(run) == .failed(error: "the model refused"))
        #expect(try events(run).last == .failed(error: "the model refused"))
    }

    @Test func explicitEndingsWinAndHappenOnce() async throws {
        let failed = try start(Explicit.self, config: ["how": "fail"])
        #expect(try await executor.execute(failed) == .failed(error: "gave up early"))
        let failedEvents = try events(failed)
        #expect(failedEvents.last == .failed(error: "gave up early"))
        #expect(failedEvents.filter(\.isTerminal).count == 1)

        let completed = try start(Explicit.self, config: ["how": "complete"])
        #expect(try await executor.execute(completed) == .completed)
        #expect(try events(completed).filter(\.isTerminal) == [.completed])
    }

    @Test func cancellationEndsTheRunAsCancelled() async throws {
        let run = try start(Counter.self, config: ["steps": 10_000, "delay_ms": 5])
        let execution = Task { try await executor.execute(run) }
        let journal = run.journalPath
        while (try? JournalReader<RunEvent>.readAll(path: journal).count) ?? 0 < 6 {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(executor.cancel(runID: run.runID, reason: "stopped by a test"))
        #expect(try await execution.value == .cancelled(reason: "stopped by a test", forced: false))
        #expect(try events(run).last == .cancelled(reason: "stopped by a test", forced: false))
        #expect(!executor.cancel(runID: run.runID, reason: "again"))
    }

    @Test func unrepresentableValuesAreReportedNotLost() async throws {
        let run = try start(Awkward.self)
        #expect(try await executor.execute(run) == .completed)
        let logs = try events(run).compactMap { event -> LogRecord? in
            if case .log(let record) = event { return record }
            return nil
        }
        #expect(logs.count == 2)
        #expect(logs[0].message == "loss diverged")
        #expect(logs[0].metadata?["unrecordable_metadata"]?.stringValue?.contains("metadata.loss is nan") == true)
        #expect(logs[1].message.hasPrefix("result \"loss\" could not be recorded: value is inf"))
    }

    @Test func manyTasksRecordSafelyAtOnce() async throws {
        let run = try start(Parallel.self, config: ["tasks": 8])
        #expect(try await executor.execute(run) == .completed)
        let journal = try JournalReader<RunEvent>.readAll(path: run.journalPath + ".zst")
        #expect(journal.map(\.seq) == Array(1...journal.count))
        #expect(journal.filter { if case .log = $0.payload { true } else { false } }.count == 8000)
        #expect(journal.filter { if case .result = $0.payload { true } else { false } }.count == 8)
    }

    @Test func anUnknownExperimentIsNamed() async throws {
        let run = try start(Counter.self)
        var unknown = run
        unknown.experiment = "nope"
        await #expect(
            throws: HarnessError.unknownExperiment(
                name: "nope", known: ["counter", "failing", "explicit", "awkward", "parallel", "curves"])
        ) {
            try await executor.execute(unknown)
        }
    }
}
