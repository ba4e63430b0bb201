import AthanorJournal
import Foundation

/// What a sweep's driver reports as it goes, for a live display.
public enum SweepProgress: Sendable {
    /// A trial started as a run.
    case trialStarted(SweepTrialPlan, run: String)
    /// A trial's run ended (its summary says how: errors are reported as they happen).
    case trialEnded(SweepTrialPlan, RunSummary)
}

/// Runs one sweep: starts the trials that need a run through the lab's supervisor and
/// executor, at most the sweep's concurrency at once (counting trials still live from an
/// earlier drive), records each start, and ends with `sweep_completed`, or `sweep_cancelled`
/// when asked to stop (the stop marker beside the sweep's journal, left by
/// ``Lab/cancelSweep(_:reason:)`` from any process).
///
/// The driver holds the sweep journal's lock while it runs: a second driver is refused, and a
/// killed one loses nothing (the journals say which trials ran; `resume` starts the rest).
final class SweepDriver: Sendable {
    let lab: Lab
    let sweep: String
    private let retryFailed: Bool
    private let writer: JournalWriter<SweepEvent>

    private var journal: String { lab.data.sweepJournal(sweep) }

    /// An ended trial run, or a tick (`nil`) to look for a stop request.
    private typealias Wake = String?

    /// Takes the sweep up: holds its journal's lock from now on (recording `sweep_resumed`
    /// when `resuming`, and forgetting an earlier cancel). Start it with ``drive(report:)``.
    /// - Throws: ``HarnessError/sweepRunning(id:)`` when another driver holds it.
    init(lab: Lab, sweep: String, resuming: Bool, retryFailed: Bool) throws(HarnessError) {
        self.lab = lab
        self.sweep = sweep
        self.retryFailed = retryFailed
        do {
            writer = try JournalWriter<SweepEvent>(
                appendingTo: lab.data.sweepJournal(sweep), options: .init(compressOnClose: false))
        } catch .locked {
            throw .sweepRunning(id: sweep)
        } catch {
            throw .journal(error)
        }
        if resuming {
            StopRequest.clear(forJournal: lab.data.sweepJournal(sweep))
            do {
                try append(.resumed(retryFailed: retryFailed))
            } catch {
                try? writer.close()
                throw error
            }
        }
    }

    /// Starts the trials that need a run until all have ended or the sweep is cancelled; the
    /// journal is let go at the end. Returns the sweep as it ends.
    func drive(report: @escaping @Sendable (SweepProgress) -> Void) async throws(HarnessError) -> SweepView {
        defer { try? writer.close() }
        let view = try await lab.sweepView(sweep)
        let definition = try SweepDefinition(view.created)
        let experiment = try lab.registry.experiment(named: definition.experiment)
        let configs = Dictionary(
            try ValidatedSweep(definition, experiment: experiment, force: true).trials.map { ($0.plan.key, $0.config) }
        ) { first, _ in first }
        let instance = try lab.store.load(view.created.instance)

        let (wakes, wake) = AsyncStream<Wake>.makeStream()
        var live: [String: (plan: SweepTrialPlan, journal: String)] = [:]
        var watchers: [Task<Void, Never>] = []
        defer { for watcher in watchers { watcher.cancel() } }
        // Trials still live from an earlier drive (a Slurm job, say) count against the cap.
        for trial in view.trials {
            guard let run = trial.latest, !run.status.isFinished, let entry = try? lab.run(run.runID) else { continue }
            live[run.runID] = (trial.plan, entry.journalPath)
            watchers.append(Self.watchEnding(of: run.runID, journal: entry.journalPath, wake: wake))
        }
        watchers.append(
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    wake.yield(nil)
                }
            })
        var waiting = view.trials.filter { $0.needsRun(retryFailed: retryFailed) }.map(\.plan)[...]
        var notes = ChangeNotes(lab: lab)
        defer { notes.flush() }
        var stopReason: String?
        var stopStarting = false
        var abandonedQueued = false
        var wakeIterator = wakes.makeAsyncIterator()
        while true {
            if stopReason == nil, let request = StopRequest.pending(forJournal: journal) {
                stopReason = request.reason
                lab.supervisor.cancel(live.mapValues(\.journal), reason: "sweep cancelled: \(request.reason)")
            }
            func started(_ plan: SweepTrialPlan, as assignment: RunAssignment) throws(HarnessError) {
                notes.add(assignment.journalPath)
                try append(
                    .trialStarted(
                        SweepTrialStarted(
                            trial: plan.key, run: assignment.runID, params: .object(plan.params),
                            repeatIndex: plan.repeatIndex)))
                live[assignment.runID] = (plan, assignment.journalPath)
                report(.trialStarted(plan, run: assignment.runID))
                let supervisor = lab.supervisor
                watchers.append(
                    Task {
                        _ = try? await supervisor.wait(for: assignment)
                        wake.yield(assignment.runID)
                    })
            }
            // On Slurm, the trials waiting go together as one job array (Slurm keeps the cap),
            // once no trial of an earlier start is live to count against it.
            if stopReason == nil, !stopStarting, live.isEmpty, waiting.count > 1, lab.supervisor.startsArrays {
                let batch = waiting.prefix(SlurmExecutor.maxArrayTasks).compactMap { plan in
                    configs[plan.key].map { (plan: plan, config: $0) }
                }
                waiting = waiting.dropFirst(SlurmExecutor.maxArrayTasks)
                let trials = batch.map { (config: $0.config, trial: SweepTrial(sweep: sweep, key: $0.plan.key)) }
                let assignments = try lab.supervisor.startArray(instance, trials: trials, limit: definition.concurrency)
                for (trial, assignment) in zip(batch, assignments ?? []) { try started(trial.plan, as: assignment) }
            }
            while stopReason == nil, !stopStarting, live.count < definition.concurrency, let plan = waiting.first {
                waiting.removeFirst()
                guard let config = configs[plan.key] else { continue }
                try started(
                    plan, as: try lab.supervisor.start(instance, config: config, trial: SweepTrial(sweep: sweep, key: plan.key)))
            }
            if live.isEmpty, waiting.isEmpty || stopReason != nil || stopStarting { break }
            guard let next = await wakeIterator.next() else { return try await lab.sweepView(sweep) }
            guard let runID = next, let ended = live.removeValue(forKey: runID) else { continue }
            notes.add(ended.journal)
            guard let summary = try? Catalog.summarize(ended.journal) else { continue }
            report(.trialEnded(ended.plan, summary))
            if !stopStarting, summary.status == .failed, !SweepView.Trial.wasInterrupted(summary),
                definition.onFailure == .stop
            {
                stopStarting = true
                // Trials handed over together that have not started yet are not to start.
                let queued = live.filter { (try? Catalog.summarize($0.value.journal))?.status == .queued }
                abandonedQueued = !queued.isEmpty
                lab.supervisor.cancel(queued.mapValues(\.journal), reason: Self.stoppedOnFailure)
            }
        }
        notes.flush()
        if Task.isCancelled { return try await lab.sweepView(sweep) }
        // Stopped by a failure (on_failure stop) with trials left: cancelled, saying why.
        if stopReason == nil, stopStarting, !waiting.isEmpty || abandonedQueued {
            stopReason = Self.stoppedOnFailure
        }
        try append(stopReason.map { .cancelled(reason: $0) } ?? .completed)
        StopRequest.clear(forJournal: journal)
        try? writer.close()
        return try await lab.sweepView(sweep)
    }

    private static let stoppedOnFailure = "a trial failed and the sweep stops on failure (on_failure: stop)"

    private func append(_ event: SweepEvent) throws(HarnessError) {
        do {
            try writer.append(event)
        } catch {
            throw .journal(error)
        }
    }

    /// Wakes the driver when the run of `journal` (started by an earlier drive) has ended.
    private static func watchEnding(of runID: String, journal: String, wake: AsyncStream<Wake>.Continuation)
        -> Task<Void, Never>
    {
        Task {
            while !Task.isCancelled {
                if let summary = try? Catalog.summarize(journal), summary.status.isFinished { break }
                try? await Task.sleep(for: .milliseconds(250))
            }
            wake.yield(runID)
        }
    }
}

/// The journals a driver changed, told to the lab's catalog at most four times a second: each
/// telling compares the whole catalog (and saves its cache), so telling it of every trial's
/// start and end would cost a sweep of n trials n² work.
private struct ChangeNotes {
    let lab: Lab
    private var paths: Set<String> = []
    private var lastTold = ContinuousClock.now

    init(lab: Lab) {
        self.lab = lab
    }

    mutating func add(_ path: String) {
        paths.insert(path)
        if ContinuousClock.now - lastTold >= .milliseconds(250) { flush() }
    }

    mutating func flush() {
        guard !paths.isEmpty else { return }
        lab.changes.refreshAndBroadcast(changed: paths)
        paths = []
        lastTold = .now
    }
}
