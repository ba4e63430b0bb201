import AthanorJournal
import Foundation
import Synchronization

/// Executes each run in its own worker process (this program re-executed as
/// `<executable> worker <journal>`), so a crash, `fatalError` or runaway memory in experiment
/// code fails only that run.
///
/// The executor watches its worker: when the worker exits without ending the run, it takes
/// the journal's lock and records `run_failed` with the exit status or signal. A stop request
/// (``cancel(runID:reason:)``, `athanor cancel` from another process, or the time limit) is
/// passed on as SIGTERM; a worker still running after the grace period is killed and the run
/// recorded as `run_cancelled` with `forced: true` (or failed, for a timeout).
public final class ProcessExecutor: Executor {
    public var name: String { "process" }

    /// How workers are started and stopped.
    public struct Options: Sendable {
        /// The program to re-execute; by default this process's own executable.
        public var executable: String
        /// Arguments before the journal path.
        public var arguments: [String]
        /// How long a worker may take to end gracefully once asked to stop.
        public var gracePeriod: Duration
        /// A wall-clock limit per run, if any.
        public var timeout: Duration?
        /// Whether a worker is kept started and waiting for the next run (see ``StandbyWorker``),
        /// for supervisors that start many runs (a server, a sweep): a run then starts without
        /// waiting for a new process to load. One idle process stays while this executor lives.
        public var keepsWorkerReady: Bool

        public init(
            executable: String = ProcessExecutor.currentExecutable, arguments: [String] = ["worker"],
            gracePeriod: Duration = .seconds(5), timeout: Duration? = nil, keepsWorkerReady: Bool = false
        ) {
            self.executable = executable
            self.arguments = arguments
            self.gracePeriod = gracePeriod
            self.timeout = timeout
            self.keepsWorkerReady = keepsWorkerReady
        }
    }

    /// The path of the running program.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    private let options: Options
    private let workers = Mutex<[String: String]>([:])
    private let ready = Mutex<StandbyWorker?>(nil)

    public init(options: Options = Options()) {
        self.options = options
    }

    deinit {
        ready.withLock { $0?.dismiss() }
    }

    public func execute(_ assignment: RunAssignment) async throws -> RunEvent {
        let lease = try assignment.lease ?? JournalLease.acquire(assignment.journalPath)
        defer { lease.release() }
        // Cancelled while waiting for a slot: no worker needed.
        if let ending = try Self.recordStopRequested(in: lease) { return ending }
        let (process, lifeline) = try startWorker(journal: assignment.journalPath, program: assignment.program, lease: lease)
        workers.withLock { $0[assignment.runID] = assignment.journalPath }
        defer {
            workers.withLock { $0[assignment.runID] = nil }
            StopRequest.clear(forJournal: assignment.journalPath)
        }
        let forcedStop = await supervise(
            process, journal: assignment.journalPath, timeout: assignment.timeout ?? options.timeout)
        close(lifeline)
        let termination = await process.waitUntilExit()
        let ending =
            forcedStop.map { RunExecution.stoppedEnding($0, forced: true) }
            ?? .failed(error: Self.describe(termination))
        if forcedStop == nil, termination == .exited(WorkerProcess.ExitStatus.completed),
            !FileManager.default.fileExists(atPath: lease.path)
        {
            // Recorded as completed and closed by the worker: no need to read the journal.
            return .completed
        }
        return try Self.record(ending, in: lease)
    }

    /// Starts a worker for `journal` (or hands the run to the worker kept ready): it inherits
    /// the journal's lock as its standard input (see JournalLease), writes its output to this
    /// process's standard error, and holds the read end of its ``Lifeline``, whose write end
    /// (returned) this process alone holds until the worker has ended: the worker learns at
    /// once if this process dies.
    func startWorker(journal: String, program: ProgramExperiment? = nil, lease: JournalLease) throws -> (
        ChildProcess, lifeline: Int32
    ) {
        let arguments =
            [journal, "--lifeline", String(Lifeline.workerDescriptor), "--grace", String(RunTimeout.seconds(options.gracePeriod))]
            + (program?.workerArguments ?? [])
        if options.keepsWorkerReady, let standby = ready.withLock({ ready in defer { ready = nil }; return ready }),
            standby.hand(arguments: arguments, lease: lease)
        {
            // The run is on its way: the next one's worker starts meanwhile.
            keepWorkerReady()
            return (standby.process, standby.lifeline)
        }
        let lifeline = try Lifeline.make()
        defer { close(lifeline.read) }
        do {
            let worker = try ChildProcess.spawn(
                executable: options.executable, arguments: options.arguments + arguments,
                descriptors: [
                    0: lease.descriptor, 1: STDERR_FILENO, 2: STDERR_FILENO, Lifeline.workerDescriptor: lifeline.read,
                ])
            if options.keepsWorkerReady { keepWorkerReady() }
            return (worker, lifeline.write)
        } catch {
            close(lifeline.write)
            throw error
        }
    }

    /// The worker waiting for the next run, if any.
    var readyWorker: ChildProcess? { ready.withLock { $0?.process } }

    /// Starts a worker to wait for the next run, unless one already waits.
    private func keepWorkerReady() {
        guard ready.withLock({ $0 == nil }),
            let standby = try? StandbyWorker.spawn(executable: options.executable, arguments: options.arguments)
        else { return }
        let unneeded = ready.withLock { ready in
            guard ready == nil else { return Optional(standby) }
            ready = standby
            return nil
        }
        unneeded?.dismiss()
    }

    @discardableResult
    public func cancel(runID: String, reason: String) -> Bool {
        guard let journal = workers.withLock({ $0[runID] }) else { return false }
        try? StopRequest(kind: .cancel, reason: reason).post(forJournal: journal)
        return true
    }

    /// Waits for the worker to exit, passing on stop requests and the time limit; returns the
    /// request that had to be forced by SIGKILL, if any.
    private func supervise(_ process: ChildProcess, journal: String, timeout: Duration?) async -> StopRequest? {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var stopping: (request: StopRequest, since: ContinuousClock.Instant)?
        while process.isRunning {
            if stopping == nil, let deadline, clock.now >= deadline, let timeout {
                try? StopRequest(kind: .timeout, reason: "timed out after \(timeout)").post(forJournal: journal)
            }
            if stopping == nil, let request = StopRequest.pending(forJournal: journal) {
                stopping = (request, clock.now)
                process.send(SIGTERM)
            }
            if let stopping, clock.now - stopping.since >= options.gracePeriod {
                // Frozen first: a worker that saw its program killed would record that as the
                // run's ending, racing the forced one recorded here.
                process.send(SIGSTOP)
                ProcessTree.killChildGroups(of: process.pid)
                process.send(SIGKILL)
                _ = await process.waitUntilExit()
                return stopping.request
            }
            // An exit is seen at once; a stop request within 100 ms (each live run costs its
            // supervisor ten wake-ups a second, not a hundred).
            await process.exited.wait(upTo: .milliseconds(100))
        }
        return nil
    }

    /// The ending of a run asked to stop before it was handed to anything that executes it,
    /// recorded under `lease`; `nil` when no stop was asked.
    static func recordStopRequested(in lease: JournalLease) throws -> RunEvent? {
        guard let request = StopRequest.pending(forJournal: lease.path) else { return nil }
        StopRequest.clear(forJournal: lease.path)
        return try record(RunExecution.stoppedEnding(request), in: lease)
    }

    /// The run's terminal event: the one already recorded (by the worker), or `ending`, recorded
    /// now under the lease.
    static func record(_ ending: RunEvent, in lease: JournalLease) throws -> RunEvent {
        guard FileManager.default.fileExists(atPath: lease.path) else {
            // The worker ended and closed (compressed) the journal.
            return try RunExecution.terminalEvent(ofEnded: lease.path)
        }
        let writer = try JournalWriter<RunEvent>(lease: lease)
        do {
            if writer.terminalSeq != nil {
                RunExecution.closeEnded(writer)
                return try RunExecution.terminalEvent(ofEnded: lease.path)
            }
            try writer.append(ending)
            RunExecution.closeEnded(writer)
            return ending
        } catch {
            try? writer.close()
            throw error
        }
    }

    private static func describe(_ termination: ChildProcess.Termination) -> String {
        switch termination {
        case .signalled(let signal):
            return "worker crashed: killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        case .exited(let status) where status != 0:
            return "worker exited with status \(status) without ending the run"
        case .exited:
            return "worker exited without ending the run"
        }
    }
}
