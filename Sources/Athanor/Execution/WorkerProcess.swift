import AthanorJournal
import Dispatch
import Foundation

/// The body of a worker process (`athanor worker <journal>`): executes the one run whose
/// journal it is given, isolated from the process that started it.
///
/// A stop request (SIGTERM, or the run's `.stop` marker) sets the run's cancellation flag and
/// cancels its task, so the experiment sees `isCancelled` and `Task.isCancelled` and can end
/// gracefully; the supervisor kills the worker if it does not within the grace period.
public enum WorkerProcess {
    /// Exit statuses of a worker whose run's end is recorded and its journal closed: the
    /// supervisor learns how the run ended without reading the journal again when it completed.
    public enum ExitStatus {
        /// The run completed.
        public static let completed: Int32 = 0
        /// The run failed or was cancelled (the journal says why).
        public static let endedOtherwise: Int32 = 3
        /// The scheduler stopped the job and the run goes on at its next start (its journal
        /// is left open).
        public static let rescheduled: Int32 = 4
    }

    /// What ties a worker to its supervisor.
    public struct Supervision: Sendable {
        /// The worker's end of its ``Lifeline``.
        public var lifeline: Int32
        /// How long the experiment may take to stop once the supervisor is gone; after it, the
        /// worker records the run's end itself and exits.
        public var gracePeriod: Duration

        public init(lifeline: Int32, gracePeriod: Duration) {
            self.lifeline = lifeline
            self.gracePeriod = gracePeriod
        }
    }

    /// Executes the run and returns the process exit status: one of ``ExitStatus`` once the
    /// run's end is recorded, 1 when the worker could not execute it.
    ///
    /// With `supervision`, the worker watches its lifeline: when the supervisor dies, the run
    /// is asked to stop and ends as `run_failed` ("supervisor exited: …"), after at most the
    /// grace period even if the experiment ignores the request. With `program` (the file of a
    /// program experiment and the Python interpreter), the worker starts that program rather
    /// than looking the experiment up in `registry`. A `scheduled` worker runs in a Slurm job
    /// (see ``ScheduledJob``): it takes the journal's lock itself, and a SIGTERM without a stop
    /// request is its time limit, or the job stopping to be requeued (the run then goes on).
    public static func run(
        journal path: String, registry: ExperimentRegistry, program: (file: String, python: String)? = nil,
        supervision: Supervision?, scheduled: Bool = false, grace: Duration = .seconds(5)
    ) async -> Int32 {
        // Whatever way the run ends, no program of it outlives the worker.
        defer { ProgramSession.endAll() }
        do {
            var assignment = try assignment(fromJournal: path)
            // The supervisor hands the journal's lock down as standard input; a scheduled
            // worker has none, and takes the lock (if two attempts ever race, one writes).
            let job = scheduled ? ScheduledJob.current() : nil
            assignment.lease = scheduled ? try await ScheduledJob.takeLock(of: path) : JournalLease.inherited(0, path: path)
            let experiment =
                if let program {
                    ExperimentDefinition(
                        program: ProgramExperiment(name: assignment.experiment, file: program.file, python: program.python),
                        description: "", configSchema: ConfigSchema(fields: []))
                } else {
                    try registry.experiment(named: assignment.experiment)
                }
            let flag = CancellationFlag()
            let task = Task { () async throws(JournalError) -> RunEvent? in
                try await RunExecution.perform(assignment, experiment: experiment, cancellation: flag, job: job)
            }
            let stop: @Sendable () -> Void = {
                flag.set(
                    StopRequest.pending(forJournal: path) ?? job?.stopRequest(grace: grace)
                        ?? StopRequest(kind: .cancel, reason: "cancelled (SIGTERM)"))
                task.cancel()
            }
            let signalSource = watchTerminationSignal(stop)
            if let supervision {
                Lifeline.watch(supervision.lifeline) {
                    flag.set(
                        StopRequest(
                            kind: .supervisorExited,
                            reason: "supervisor exited: the process supervising this run ended before the run did"))
                    task.cancel()
                    Task {
                        try? await Task.sleep(for: supervision.gracePeriod)
                        flag.force()
                    }
                }
            }
            let markerWatch = Task {
                while !Task.isCancelled {
                    if StopRequest.pending(forJournal: path) != nil {
                        stop()
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer {
                signalSource.cancel()
                markerWatch.cancel()
            }
            switch try await task.value {
            case .completed?: return ExitStatus.completed
            case nil: return ExitStatus.rescheduled
            default: return ExitStatus.endedOtherwise
            }
        } catch {
            FileHandle.standardError.write(Data("athanor worker: \(error)\n".utf8))
            return 1
        }
    }

    /// What to run, read from the journal's `run_created`.
    public static func assignment(fromJournal path: String) throws -> RunAssignment {
        let reader = try JournalReader<RunEvent>(path: path)
        guard case .event(let first) = try reader.next(), case .created(let created) = first.payload else {
            throw JournalError.invalidLine(
                path: path, line: 1, lastGoodSeq: nil, reason: "the first event is not run_created")
        }
        return RunAssignment(
            runID: created.run, instanceID: created.instance, experiment: created.experiment, config: created.config,
            journalPath: JournalFile(path).plainPath)
    }

    private static func watchTerminationSignal(_ handler: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
