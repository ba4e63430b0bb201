import AthanorJournal

/// A sweep with its trials as they stand: each trial's runs (from the catalog), its status and
/// its value of the ranking metric, and the best trial.
public struct SweepView: Sendable {
    /// Where a sweep is.
    public enum Status: String, Sendable {
        /// A driver is starting its trials (it holds the sweep journal's lock).
        case running
        case completed
        case cancelled
        /// Its driver stopped before the end (killed, or the server stopped): `resume` goes on.
        case stopped
    }

    /// One trial and what became of it.
    public struct Trial: Sendable {
        public var plan: SweepTrialPlan
        /// Its runs, oldest first (more than one after a retry or an interrupted drive).
        public var runs: [RunSummary]
        /// Its value of the sweep's metric: the metric's last point, or the scalar result.
        public var value: Double?

        public var latest: RunSummary? { runs.last }

        /// `waiting` (no run yet), or its latest run's status.
        public var status: String { latest?.status.rawValue ?? "waiting" }

        /// Whether a drive starts this trial: it has no run, or its latest run was cancelled or
        /// interrupted (its driver or worker died), or failed and failures are retried.
        func needsRun(retryFailed: Bool) -> Bool {
            guard let latest else { return true }
            switch latest.status {
            case .cancelled: return true
            case .failed: return retryFailed || Self.wasInterrupted(latest)
            default: return false
            }
        }

        static func wasInterrupted(_ run: RunSummary) -> Bool {
            guard let error = run.error else { return false }
            return error.hasPrefix("interrupted:") || error.hasPrefix("supervisor exited:")
        }
    }

    public var created: SweepCreated
    public var status: Status
    public var createdAt: Timestamp?
    public var updatedAt: Timestamp?
    public var trials: [Trial]

    /// The key of the best completed trial by the sweep's metric and goal, if any.
    public var best: String? {
        let ranked = trials.compactMap { trial in
            trial.latest?.status == .completed ? trial.value.map { (key: trial.plan.key, value: $0) } : nil
        }
        let lowerIsBetter = created.goal != SweepDefinition.Goal.max.rawValue
        return ranked.min { lowerIsBetter ? $0.value < $1.value : $0.value > $1.value }?.key
    }

    /// How many trials are in each status.
    public var counts: [String: Int] {
        Dictionary(grouping: trials, by: \.status).mapValues(\.count)
    }

    /// The sweep as JSON: its definition, status, counts, best trial and (with `trials`) each
    /// trial as `{key, params, repeat, status, run, runs, value, error, duration}`.
    public func json(trials includeTrials: Bool = true) -> JSONValue {
        var object: JSONObject = [
            "sweep": .string(created.sweep), "name": .string(created.name), "experiment": .string(created.experiment),
            "instance": .string(created.instance), "status": .string(status.rawValue),
            "created_at": createdAt.map { .string($0.rfc3339) } ?? .null,
            "updated_at": updatedAt.map { .string($0.rfc3339) } ?? .null, "method": .string(created.method),
            "space": created.space, "config": created.config, "seed": .integer(Int64(created.seed)),
            "count": .integer(Int64(created.count)), "repeats": .integer(Int64(created.repeats)),
            "concurrency": .integer(Int64(created.concurrency)), "on_failure": .string(created.onFailure),
            "metric": created.metric.map(JSONValue.string) ?? .null, "goal": .string(created.goal),
            "trial_count": .integer(Int64(trials.count)),
        ]
        let counts = counts
        object["counts"] = .object(
            JSONObject(
                ["waiting", "pending", "queued", "running", "completed", "failed", "cancelled"].map {
                    .init(key: $0, value: .integer(Int64(counts[$0] ?? 0)))
                }))
        let best = best
        object["best"] = best.map(JSONValue.string) ?? .null
        object["best_value"] = trials.first { $0.plan.key == best }?.value.map(JSONValue.double) ?? .null
        if includeTrials { object["trials"] = .array(trials.map(Self.json(of:))) }
        return .object(object)
    }

    private static func json(of trial: Trial) -> JSONValue {
        [
            "key": .string(trial.plan.key), "params": .object(trial.plan.params),
            "repeat": .integer(Int64(trial.plan.repeatIndex)), "status": .string(trial.status),
            "run": trial.latest.map { .string($0.runID) } ?? .null, "runs": .array(trial.runs.map { .string($0.runID) }),
            "value": trial.value.map(JSONValue.double) ?? .null, "error": trial.latest?.error.map(JSONValue.string) ?? .null,
            "duration": trial.latest?.duration().map(JSONValue.double) ?? .null,
        ]
    }
}
