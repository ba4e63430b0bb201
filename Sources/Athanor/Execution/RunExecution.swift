import AthanorJournal
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The part of a run every executor shares: take over the journal, record `run_started`, run
/// the experiment, record how it ended, and close (compress) the journal.
enum RunExecution {
    /// Executes `assignment` in this process and returns the terminal event recorded, or `nil`
    /// when its scheduler stopped the job (``StopRequest/Kind/rescheduled``) and the journal is
    /// left open. A `job` (a scheduler's, on a compute node) is noted in `run_started`, and a
    /// run that had started before (its job requeued) first records `run_requeued`.
    static func perform(
        _ assignment: RunAssignment, experiment: ExperimentDefinition, cancellation: CancellationFlag,
        job: ScheduledJob? = nil
    ) async throws(JournalError) -> RunEvent? {
        let writer: JournalWriter<RunEvent>
        if let lease = assignment.lease {
            writer = try JournalWriter<RunEvent>(lease: lease)
        } else {
            writer = try JournalWriter<RunEvent>(appendingTo: assignment.journalPath)
        }
        do {
            if let terminal = try terminalEvent(of: writer) { return terminal }
            if let job, try hasStarted(writer.path) { try writer.append(.requeued(reason: job.requeueReason)) }
            try writer.append(.started(pid: Int(getpid()), host: ProcessInfo.processInfo.hostName, jobID: job?.id))
            let context = RunContext(
                runID: assignment.runID, instanceID: assignment.instanceID, config: assignment.config, writer: writer,
                cancellation: cancellation)
            var ending = await outcomeUnlessForced(of: experiment, in: context, cancellation: cancellation)
            if let explicit = context.ending {
                ending = explicit
            } else if cancellation.request?.kind == .rescheduled {
                try writer.close()  // no terminal event: left plain and open
                return nil
            } else {
                try writer.append(ending)
            }
            closeEnded(writer)
            return ending
        } catch {
            try? writer.close()
            throw error
        }
    }

    /// The experiment's outcome or, if the run is forced to end first (see
    /// ``CancellationFlag/force()``), the forced ending; the experiment's code may then still
    /// be running, and its later events are refused.
    private static func outcomeUnlessForced(
        of experiment: ExperimentDefinition, in context: RunContext, cancellation: CancellationFlag
    ) async -> RunEvent {
        let work = Task { await outcome(of: experiment, in: context, cancellation: cancellation) }
        let first = FirstEnding()
        let forcing = Task {
            await cancellation.forced.wait()
            if !Task.isCancelled { first.offer(stoppedEnding(cancellation.request, forced: true)) }
        }
        defer { forcing.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                first.deliver(to: continuation)
                Task { first.offer(await work.value) }
            }
        } onCancel: {
            work.cancel()
        }
    }

    private static func outcome(
        of experiment: ExperimentDefinition, in context: RunContext, cancellation: CancellationFlag
    ) async -> RunEvent {
        let ending: RunEvent
        do {
            try await experiment.body(context)
            ending = .completed
        } catch is CancellationError {
            ending = stoppedEnding(cancellation.request)
        } catch {
            ending =
                context.isCancelled ? stoppedEnding(cancellation.request) : .failed(error: String(describing: error))
        }
        // A run whose events could not all be recorded has failed, whatever else happened.
        if let error = context.writeError { return .failed(error: "recording failed: \(error)") }
        return ending
    }

    /// Closes the journal of an ended run. The terminal event is already on disk, so a failure
    /// to compress (a full disk, say) leaves a complete plain journal, which reads the same
    /// and which `athanor recover` compresses later: the run's outcome stands.
    static func closeEnded(_ writer: JournalWriter<RunEvent>) {
        do {
            try writer.close()
        } catch {
            FileHandle.standardError.write(
                Data("athanor: the run ended but its journal stays uncompressed for now: \(error)\n".utf8))
        }
    }

    /// How a run that stopped on request ends: cancelled, or failed for a timeout.
    static func stoppedEnding(_ request: StopRequest?, forced: Bool = false) -> RunEvent {
        guard let request else { return .cancelled(reason: "cancelled", forced: forced) }
        switch request.kind {
        case .cancel:
            return .cancelled(reason: request.reason, forced: forced)
        case .timeout:
            return .failed(
                error: forced ? request.reason + " (the worker was killed after the grace period)" : request.reason)
        case .supervisorExited, .rescheduled:
            return .failed(
                error: forced
                    ? request.reason + " (the experiment did not stop within the grace period)" : request.reason)
        }
    }

    /// Whether the journal holds a `run_started` (a worker ran it before).
    private static func hasStarted(_ path: String) throws(JournalError) -> Bool {
        var started = false
        try JournalReader<RunEvent>(path: path).forEachEvent { event in
            if case .started = event.payload { started = true }
        }
        return started
    }

    /// The terminal event of an already-ended journal this writer took over.
    private static func terminalEvent(of writer: JournalWriter<RunEvent>) throws(JournalError) -> RunEvent? {
        guard writer.terminalSeq != nil else { return nil }
        closeEnded(writer)
        return try terminalEvent(ofEnded: writer.path)
    }

    /// The terminal event of a journal that has one.
    static func terminalEvent(ofEnded path: String) throws(JournalError) -> RunEvent {
        // Nearly always the last line; decoding only that one spares a long run's journal.
        if let last = try JournalReader<RunEvent>(path: path).lastLineEvent(), last.payload.isTerminal {
            return last.payload
        }
        let reader = try JournalReader<RunEvent>(path: path)
        var terminal: RunEvent?
        try reader.forEachEvent { if $0.payload.isTerminal { terminal = $0.payload } }
        guard let terminal else {
            throw .invalidLine(
                path: path, line: reader.lineCount, lastGoodSeq: reader.lastGoodSeq,
                reason: "the run has no terminal event")
        }
        return terminal
    }
}

/// Whichever of a run's possible endings comes first.
private final class FirstEnding: Sendable {
    private struct State {
        var continuation: CheckedContinuation<RunEvent, Never>?
        var ending: RunEvent?
    }

    private let state = Mutex(State())

    /// Hands over the continuation that receives the first ending.
    func deliver(to continuation: CheckedContinuation<RunEvent, Never>) {
        let ending = state.withLock { state -> RunEvent? in
            if state.ending == nil { state.continuation = continuation }
            return state.ending
        }
        if let ending { continuation.resume(returning: ending) }
    }

    /// Offers an ending; only the first one counts.
    func offer(_ ending: RunEvent) {
        let continuation = state.withLock { state -> CheckedContinuation<RunEvent, Never>? in
            guard state.ending == nil else { return nil }
            state.ending = ending
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: ending)
    }
}
