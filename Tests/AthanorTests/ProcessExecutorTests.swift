import AthanorExperiments
import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// The `stubborn` experiment of the AthanorTestWorker program, as far as creating its runs goes:
/// its runs execute there, never here.
struct StubbornInWorker: Experiment {
    struct NotHere: Error {}

    static let name = "stubborn"
    static let description = "Executes only in the AthanorTestWorker program."
    static let configSchema = ConfigSchema {}

    func run(_ ctx: RunContext) async throws { throw NotHere() }
}

/// Runs in real worker processes (the `AthanorTestWorker` program: the demo and a stubborn
/// experiment that ignores cancellation).
@Suite struct ProcessExecutorTests {
    private let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-process-\(Identifier.generate())")

    private static var worker: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("AthanorTestWorker").path),
            directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("AthanorTestWorker").path
    }

    private func executor(grace: Duration = .seconds(5), timeout: Duration? = nil) -> ProcessExecutor {
        ProcessExecutor(options: .init(executable: Self.worker, gracePeriod: grace, timeout: timeout))
    }

    private func assignment(_ experiment: any Experiment.Type, _ config: JSONValue) throws -> RunAssignment {
        try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "process test", experiment: experiment,
            config: config, executor: "process")
    }

    private func events(_ run: RunAssignment) throws -> [RunEvent] {
        try JournalReader<RunEvent>.readAll(path: run.journalPath).map(\.payload)
    }

    private func waitUntilRunning(_ run: RunAssignment) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        while try Catalog.summarize(run.journalPath).logCounts.total < 2 {
            try #require(ContinuousClock.now < deadline, "the worker should start logging")
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func aRunCompletesInItsOwnProcess() async throws {
        let run = try assignment(Demo.self, ["iterations": 5, "delay_ms": 1])
        #expect(try await executor().execute(run) == .completed)
        let events = try events(run)
        guard case .started(let pid, _, _) = events[1] else {
            Issue.record("run_started should follow run_created")
            return
        }
        #expect(pid != Int(getpid()), "the run executed in another process")
        #expect(events.filter { if case .result = $0 { true } else { false } }.count == 5)
    }

    @Test func aCrashFailsOnlyThatRunWithTheSignal() async throws {
        let run = try assignment(Demo.self, ["iterations": 5, "delay_ms": 1, "crash_at": 3])
        let ending = try await executor().execute(run)
        guard case .failed(let error) = ending else {
            Issue.record("a crashed run fails, not \(ending)")
            return
        }
        #expect(error.hasPrefix("worker crashed: killed by signal"))
        let recorded = try events(run)
        #expect(recorded.last == ending)
        #expect(
            recorded.filter { if case .result = $0 { true } else { false } }.count == 2, "what reached the disk stays")
    }

    @Test func cancellationIsGracefulWhenTheExperimentCooperates() async throws {
        let run = try assignment(Demo.self, ["iterations": 100_000, "delay_ms": 5])
        let executor = executor()
        let execution = Task { try await executor.execute(run) }
        try await waitUntilRunning(run)
        #expect(executor.cancel(runID: run.runID, reason: "enough"))
        #expect(try await execution.value == .cancelled(reason: "enough", forced: false))
        #expect(!FileManager.default.fileExists(atPath: StopRequest.markerPath(forJournal: run.journalPath)))
    }

    @Test func aStubbornWorkerIsKilledAfterTheGracePeriod() async throws {
        let run = try assignment(StubbornInWorker.self, [:])
        let executor = executor(grace: .milliseconds(300))
        let execution = Task { try await executor.execute(run) }
        try await waitUntilRunning(run)
        try RunControl.requestStop(journal: run.journalPath, reason: "from another process")
        #expect(try await execution.value == .cancelled(reason: "from another process", forced: true))
        #expect(try events(run).last == .cancelled(reason: "from another process", forced: true))
    }

    @Test func aTimeoutFailsTheRun() async throws {
        let run = try assignment(Demo.self, ["iterations": 100_000, "delay_ms": 5])
        let ending = try await executor(timeout: .milliseconds(500)).execute(run)
        guard case .failed(let error) = ending else {
            Issue.record("a timed-out run fails, not \(ending)")
            return
        }
        #expect(error.hasPrefix("timed out after"))
    }

    @Test func theSupervisorCapsConcurrentRuns() async throws {
        let store = InstanceStore(data: data, registry: ExperimentRegistry([Demo.self]))
        let instance = try store.create(experiment: "demo", name: "capped", config: ["iterations": 3, "delay_ms": 50])
        let supervisor = Supervisor(
            data: data, registry: ExperimentRegistry([Demo.self]), executor: executor(), maxConcurrentRuns: 1)
        let first = try supervisor.start(instance)
        let second = try supervisor.start(instance)
        try await waitUntilRunning(first)
        #expect(try Catalog.summarize(second.journalPath).status == .pending, "the second run waits for a slot")
        #expect(try await supervisor.wait(for: first) == .completed)
        #expect(try await supervisor.wait(for: second) == .completed)
        let firstEnd = try #require(try Catalog.summarize(first.journalPath).finishedAt)
        let secondStart = try #require(try Catalog.summarize(second.journalPath).startedAt)
        #expect(secondStart >= firstEnd)
    }

    /// A server or a sweep keeps a worker started and waiting: the next run is handed to it (it
    /// records run_started with its pid), and a new one waits; it leaves with its executor.
    @Test func aWorkerKeptReadyTakesTheNextRunAndLeavesWithItsExecutor() async throws {
        var executor: ProcessExecutor? = ProcessExecutor(options: .init(executable: Self.worker, keepsWorkerReady: true))
        let first = try assignment(Demo.self, ["iterations": 2, "delay_ms": 1])
        #expect(try await executor?.execute(first) == .completed)
        let standby = try #require(executor?.readyWorker)
        let second = try assignment(Demo.self, ["iterations": 2, "delay_ms": 1])
        #expect(try await executor?.execute(second) == .completed)
        let started = try events(second).compactMap { event -> Int? in
            if case .started(let started) = event { return started.pid }
            return nil
        }
        #expect(started == [Int(standby.pid)])
        #expect(await standby.waitUntilExit() == .exited(WorkerProcess.ExitStatus.completed))
        let next = try #require(executor?.readyWorker)
        #expect(next.pid != standby.pid)
        executor = nil
        #expect(await next.waitUntilExit() == .exited(0), "let go without a run, it exits")
    }

    /// Starts a worker as ProcessExecutor does, with a lifeline this test holds: closing it is
    /// exactly what the supervisor's death does, whatever killed it.
    /// With `fromStandby`, the run is handed to a worker started beforehand (see StandbyWorker).
    private func workerWithLifeline(_ run: RunAssignment, grace: Duration, fromStandby: Bool = false) async throws
        -> (ChildProcess, lifeline: Int32)
    {
        let lease = try #require(run.lease)
        defer { lease.release() }
        let executor = ProcessExecutor(
            options: .init(executable: Self.worker, gracePeriod: grace, keepsWorkerReady: fromStandby))
        if fromStandby {
            // The first start of such an executor leaves a worker waiting for the next.
            let other = try assignment(Demo.self, [:])
            try #require(try await executor.execute(other) == .completed)
            let standby = try #require(executor.readyWorker)
            let started = try executor.startWorker(journal: run.journalPath, lease: lease)
            #expect(started.0.pid == standby.pid)
            return started
        }
        return try executor.startWorker(journal: run.journalPath, lease: lease)
    }

    @Test(arguments: [false, true])
    func aWorkerWhoseSupervisorDiesFailsTheRunGracefully(fromStandby: Bool) async throws {
        let run = try assignment(Demo.self, ["iterations": 100_000, "delay_ms": 5])
        let (worker, lifeline) = try await workerWithLifeline(run, grace: .seconds(30), fromStandby: fromStandby)
        try await waitUntilRunning(run)
        close(lifeline)
        #expect(await worker.waitUntilExit() == .exited(WorkerProcess.ExitStatus.endedOtherwise))
        #expect(
            try events(run).last
                == .failed(error: "supervisor exited: the process supervising this run ended before the run did"))
        #expect(!FileManager.default.fileExists(atPath: run.journalPath), "the worker closed (compressed) the journal")
    }

    @Test func aStubbornWorkerWhoseSupervisorDiesEndsTheRunAfterTheGracePeriod() async throws {
        let run = try assignment(StubbornInWorker.self, [:])
        let (worker, lifeline) = try await workerWithLifeline(run, grace: .milliseconds(200))
        try await waitUntilRunning(run)
        close(lifeline)
        #expect(await worker.waitUntilExit() == .exited(WorkerProcess.ExitStatus.endedOtherwise))
        let recorded = try events(run)
        #expect(
            recorded.last
                == .failed(
                    error: "supervisor exited: the process supervising this run ended before the run did"
                        + " (the experiment did not stop within the grace period)"))
        #expect(recorded.filter(\.isTerminal).count == 1)
    }

    @Test func stoppingARunNeverSignalsAProcessThatIsNotItsWriter() async throws {
        // A dead run whose journal names a pid now used by another process (here, a sleep).
        let stranger = try ChildProcess.spawn(
            executable: "/bin/sleep", arguments: ["60"],
            descriptors: [0: STDIN_FILENO, 1: STDERR_FILENO, 2: STDERR_FILENO])
        defer { stranger.send(SIGKILL) }
        let run = try assignment(Demo.self, [:])
        run.lease?.release()
        let writer = try JournalWriter<RunEvent>(appendingTo: run.journalPath)
        try writer.append(.started(pid: Int(stranger.pid), host: ProcessInfo.processInfo.hostName))
        try writer.close()

        #expect(try RunControl.requestStop(journal: run.journalPath, reason: "stop") == .cancelledNow)
        await stranger.exited.wait(upTo: .milliseconds(300))
        #expect(stranger.isRunning, "the process that reused the pid got no signal")
        #expect(try events(run).last == .cancelled(reason: "stop", forced: false))
    }

    @Test func theSupervisorForgetsRunsOnceTheyEnd() async throws {
        let store = InstanceStore(data: data, registry: testRegistry)
        let instance = try store.create(experiment: "counter", name: "many", config: ["steps": 1])
        let supervisor = Supervisor(
            data: data, registry: testRegistry, executor: InlineExecutor(registry: testRegistry), maxConcurrentRuns: 4)
        var runs: [RunAssignment] = []
        for _ in 0..<1_000 { runs.append(try supervisor.start(instance)) }
        for run in runs { #expect(try await supervisor.wait(for: run) == .completed) }
        #expect(supervisor.supervisedRunCount == 0)
        // An ended run is still answered, from its journal.
        #expect(try await supervisor.wait(for: runs[0]) == .completed)
    }
}
