import AthanorJournal
import Foundation

extension Lab {
    /// Records a new sweep after checking it against its experiment's schema (every problem
    /// with its path; nothing is created then): an instance with the base configuration, whose
    /// runs will be the trials, and the sweep's journal. Run it with ``runSweep(_:resuming:retryFailed:report:)``.
    /// - Throws: ``HarnessError/invalidSweep(_:)``, or an unknown experiment.
    public func createSweep(_ definition: SweepDefinition, force: Bool = false) async throws(HarnessError) -> SweepView {
        let experiment = try registry.experiment(named: definition.experiment)
        let validated = try ValidatedSweep(definition, experiment: experiment, force: force)
        let id = Identifier.generate()
        let instance = try store.create(
            experiment: definition.experiment, name: definition.name,
            description: "The trials of sweep \(id).", config: validated.definition.config)
        let path = data.sweepJournal(id)
        do {
            try FileManager.default.createDirectory(atPath: data.sweepsPath, withIntermediateDirectories: true)
            let writer = try JournalWriter<SweepEvent>(creating: path, options: .init(compressOnClose: false))
            defer { try? writer.close() }
            try writer.append(.created(validated.definition.created(sweep: id, instance: instance.instanceID)))
        } catch let error as JournalError {
            throw .journal(error)
        } catch {
            throw .storage(path: data.sweepsPath, reason: "\(error)")
        }
        noteChanged(data.instanceJournal(instance.instanceID))
        return try await sweepView(id)
    }

    /// Every sweep, newest first, with its status and counts.
    public func sweeps() async -> [SweepView] {
        var views: [SweepView] = []
        for id in sweepIDs() {
            if let view = try? await sweepView(id) { views.append(view) }
        }
        return views.sorted { ($0.createdAt?.rfc3339 ?? "") > ($1.createdAt?.rfc3339 ?? "") }
    }

    /// The sweep whose ID is `prefix` or starts with it, with every trial.
    public func sweep(_ prefix: String) async throws(HarnessError) -> SweepView {
        try await sweepView(try IDResolution.resolve(prefix, kind: "sweep", among: sweepIDs()))
    }

    /// Runs the sweep `prefix` here until every trial it is to start has ended (or it is
    /// cancelled): the trials with no completed run start, at most its concurrency at once,
    /// those that failed only with `retryFailed`. See ``SweepDriver``.
    /// - Throws: ``HarnessError/sweepRunning(id:)`` when another process runs it.
    public func runSweep(
        _ prefix: String, resuming: Bool, retryFailed: Bool = false,
        report: @escaping @Sendable (SweepProgress) -> Void = { _ in }
    ) async throws(HarnessError) -> SweepView {
        let id = try IDResolution.resolve(prefix, kind: "sweep", among: sweepIDs())
        let driver = try SweepDriver(lab: self, sweep: id, resuming: resuming, retryFailed: retryFailed)
        return try await driver.drive(report: report)
    }

    /// Starts running the sweep `prefix` in this process, in the background (the server's way):
    /// returns once its driver holds it, with the sweep as it starts.
    /// - Throws: ``HarnessError/sweepRunning(id:)`` when another driver runs it.
    @discardableResult
    public func startSweep(_ prefix: String, resuming: Bool, retryFailed: Bool = false) async throws(HarnessError)
        -> SweepView
    {
        let id = try IDResolution.resolve(prefix, kind: "sweep", among: sweepIDs())
        let driver = try SweepDriver(lab: self, sweep: id, resuming: resuming, retryFailed: retryFailed)
        sweepDrivers.start(id) { _ = try? await driver.drive(report: { _ in }) }
        return try await sweepView(id)
    }

    /// Cancels the sweep `prefix`: no more of its trials start, and its queued and running ones
    /// are cancelled. Its driver, wherever it runs, records `sweep_cancelled`; with none, it is
    /// recorded here.
    /// - Throws: ``HarnessError/sweepEnded(id:status:)`` for a sweep that completed or was
    ///   cancelled, as for a run that has ended.
    public func cancelSweep(_ prefix: String, reason: String) async throws(HarnessError) -> SweepView {
        let id = try IDResolution.resolve(prefix, kind: "sweep", among: sweepIDs())
        let status = try await sweepView(id).status
        if status == .completed || status == .cancelled { throw .sweepEnded(id: id, status: status.rawValue) }
        let path = data.sweepJournal(id)
        do {
            try StopRequest(kind: .cancel, reason: reason).post(forJournal: path)
        } catch {
            throw .storage(path: path, reason: "\(error)")
        }
        for trial in try await sweepView(id).trials {
            guard let run = trial.latest, !run.status.isFinished,
                let entry = try? self.run(run.runID)
            else { continue }
            _ = try? RunControl.requestStop(journal: entry.journalPath, reason: "sweep cancelled: \(reason)")
        }
        // No driver holds the journal: record the cancel here (unless a driver ended it meanwhile).
        if let writer = try? JournalWriter<SweepEvent>(appendingTo: path, options: .init(compressOnClose: false)) {
            defer { try? writer.close() }
            StopRequest.clear(forJournal: path)
            if case .open = try sweepState(id).outcome {
                do {
                    try writer.append(.cancelled(reason: reason))
                } catch {
                    throw .journal(error)
                }
            }
        }
        return try await sweepView(id)
    }

    /// The IDs of every sweep journal.
    func sweepIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: data.sweepsPath)) ?? []
        return names.filter(JournalFile.isPlainName).map { JournalFile($0).id }
    }

    func sweepState(_ id: String) throws(HarnessError) -> SweepState {
        guard Identifier.isValidPrefix(id) else { throw .invalidID(kind: "sweep", text: id) }
        do {
            return SweepState(events: try JournalReader<SweepEvent>.readAll(path: data.sweepJournal(id)))
        } catch .notFound {
            throw .unknownID(kind: "sweep", prefix: id)
        } catch {
            throw .journal(error)
        }
    }

    /// The sweep `id` now: its trials (expanded again from `sweep_created`), each with its runs
    /// from the catalog, and its ranking values.
    func sweepView(_ id: String) async throws(HarnessError) -> SweepView {
        let path = data.sweepJournal(id)
        let state = try sweepState(id)
        guard let created = state.created else {
            throw .journal(
                .invalidLine(path: path, line: 1, lastGoodSeq: nil, reason: "the first event is not sweep_created"))
        }
        let definition = try SweepDefinition(created)
        var runsByTrial: [String: [Catalog.RunEntry]] = [:]
        for entry in current.runs(instance: created.instance) where entry.summary.trial?.sweep == id {
            runsByTrial[entry.summary.trial?.key ?? "", default: []].append(entry)
        }
        var trials: [SweepView.Trial] = []
        var needResults: [(index: Int, entry: Catalog.RunEntry)] = []
        for plan in definition.trials() {
            let entries = (runsByTrial[plan.key] ?? []).sorted {
                ($0.summary.createdAt?.rfc3339 ?? "", $0.summary.runID) < ($1.summary.createdAt?.rfc3339 ?? "", $1.summary.runID)
            }
            var trial = SweepView.Trial(plan: plan, runs: entries.map(\.summary), value: nil)
            if let metric = created.metric, let latest = entries.last, latest.summary.status == .completed {
                if let summary = latest.summary.metrics[metric] {
                    trial.value = summary.last.value
                } else if latest.summary.resultKeys.contains(metric) {
                    needResults.append((trials.count, latest))
                }
            }
            trials.append(trial)
        }
        if let metric = created.metric, !needResults.isEmpty {
            let results = try await scalarResults(of: needResults.map(\.entry))
            for (slot, members) in zip(needResults, results) {
                trials[slot.index].value = members.last { $0.key == metric }?.value.doubleValue
            }
        }
        let status: SweepView.Status
        switch state.outcome {
        case _ where JournalLock.isHeld(path): status = .running
        case .open: status = .stopped
        case .cancelled: status = .cancelled
        case .completed: status = .completed
        }
        return SweepView(
            created: created, status: status, createdAt: state.createdAt, updatedAt: state.updatedAt, trials: trials)
    }
}
