/// An event of a sweep journal (`sweeps/<sweep>.jsonl`): a sweep's definition and which run
/// each of its trials became. Like instance journals, sweep journals have no terminal event (a
/// finished sweep can be resumed) and stay plain text.
public enum SweepEvent: JournalPayload, Hashable {
    /// The sweep was created (always the first event).
    case created(SweepCreated)
    /// A driver took the sweep up again (`athanor sweep resume`).
    case resumed(retryFailed: Bool)
    /// A trial was started as the run `run`.
    case trialStarted(SweepTrialStarted)
    /// The sweep was cancelled: no more trials start, and its live ones were cancelled.
    case cancelled(reason: String)
    /// Every trial the driver was to start has ended.
    case completed

    public var typeName: String {
        switch self {
        case .created: "sweep_created"
        case .resumed: "sweep_resumed"
        case .trialStarted: "sweep_trial_started"
        case .cancelled: "sweep_cancelled"
        case .completed: "sweep_completed"
        }
    }

    public var isTerminal: Bool { false }

    public var isLifecycle: Bool { true }

    public func encodeFields(into encoder: inout JSONLineEncoder) throws(JSONEncodingError) {
        switch self {
        case .created(let created):
            encoder.appendRaw(#","type":"sweep_created","sweep":"#)
            encoder.appendString(created.sweep)
            encoder.appendKey("name")
            encoder.appendString(created.name)
            encoder.appendKey("experiment")
            encoder.appendString(created.experiment)
            encoder.appendKey("instance")
            encoder.appendString(created.instance)
            encoder.appendKey("config")
            try encoder.appendValue(created.config, field: "config")
            encoder.appendKey("space")
            try encoder.appendValue(created.space, field: "space")
            encoder.appendKey("method")
            encoder.appendString(created.method)
            encoder.appendKey("seed")
            encoder.appendInteger(Int64(created.seed))
            encoder.appendKey("count")
            encoder.appendInteger(Int64(created.count))
            encoder.appendKey("repeats")
            encoder.appendInteger(Int64(created.repeats))
            encoder.appendKey("concurrency")
            encoder.appendInteger(Int64(created.concurrency))
            encoder.appendKey("on_failure")
            encoder.appendString(created.onFailure)
            if let metric = created.metric {
                encoder.appendKey("metric")
                encoder.appendString(metric)
                encoder.appendKey("goal")
                encoder.appendString(created.goal)
            }
        case .resumed(let retryFailed):
            encoder.appendRaw(#","type":"sweep_resumed","retry_failed":"#)
            encoder.appendBool(retryFailed)
        case .trialStarted(let started):
            encoder.appendRaw(#","type":"sweep_trial_started","trial":"#)
            encoder.appendString(started.trial)
            encoder.appendKey("run")
            encoder.appendString(started.run)
            encoder.appendKey("params")
            try encoder.appendValue(started.params, field: "params")
            encoder.appendKey("repeat")
            encoder.appendInteger(Int64(started.repeatIndex))
        case .cancelled(let reason):
            encoder.appendRaw(#","type":"sweep_cancelled","reason":"#)
            encoder.appendString(reason)
        case .completed:
            encoder.appendRaw(#","type":"sweep_completed""#)
        }
    }

    public static func decode(typeName: String, fields: EventFields) throws(EventDecodingError) -> SweepEvent? {
        switch typeName {
        case "sweep_created":
            return .created(
                SweepCreated(
                    sweep: try fields.string("sweep"), name: try fields.string("name"),
                    experiment: try fields.string("experiment"), instance: try fields.string("instance"),
                    config: try fields.json("config"), space: try fields.json("space"),
                    method: try fields.string("method"), seed: try fields.integer("seed"),
                    count: try fields.integer("count"), repeats: try fields.integer("repeats"),
                    concurrency: try fields.integer("concurrency"), onFailure: try fields.string("on_failure"),
                    metric: try fields.optionalString("metric"), goal: try fields.optionalString("goal") ?? "min"))
        case "sweep_resumed":
            return .resumed(retryFailed: try fields.bool("retry_failed"))
        case "sweep_trial_started":
            return .trialStarted(
                SweepTrialStarted(
                    trial: try fields.string("trial"), run: try fields.string("run"), params: try fields.json("params"),
                    repeatIndex: try fields.integer("repeat")))
        case "sweep_cancelled":
            return .cancelled(reason: try fields.string("reason"))
        case "sweep_completed":
            return .completed
        default:
            return nil
        }
    }
}

/// The body of `sweep_created`: everything needed to expand the sweep into the same trials
/// again, and to rank them.
public struct SweepCreated: Sendable, Hashable {
    public var sweep: String
    public var name: String
    public var experiment: String
    /// The instance whose runs are the trials (created with the sweep, with the base configuration).
    public var instance: String
    /// The base configuration, validated; each trial sets its parameters over it.
    public var config: JSONValue
    /// The parameter space: parameter path → its values (`{"grid": […]}`, `{"uniform": [a, b]}`…).
    public var space: JSONValue
    /// `grid` or `random`.
    public var method: String
    /// The random method's seed.
    public var seed: Int
    /// How many parameter sets the random method draws (0 for a grid).
    public var count: Int
    /// How many runs of each parameter set.
    public var repeats: Int
    /// At most this many trials at once.
    public var concurrency: Int
    /// `continue` (every trial runs) or `stop` (no trial starts after one fails).
    public var onFailure: String
    /// The metric (or scalar result) to rank trials by, if any, and whether lower (`min`) or
    /// higher (`max`) is better.
    public var metric: String?
    public var goal: String

    public init(
        sweep: String, name: String, experiment: String, instance: String, config: JSONValue, space: JSONValue,
        method: String, seed: Int, count: Int, repeats: Int, concurrency: Int, onFailure: String, metric: String?,
        goal: String
    ) {
        self.sweep = sweep
        self.name = name
        self.experiment = experiment
        self.instance = instance
        self.config = config
        self.space = space
        self.method = method
        self.seed = seed
        self.count = count
        self.repeats = repeats
        self.concurrency = concurrency
        self.onFailure = onFailure
        self.metric = metric
        self.goal = goal
    }
}

/// The body of `sweep_trial_started`.
public struct SweepTrialStarted: Sendable, Hashable {
    /// The trial's key.
    public var trial: String
    /// The run it started as.
    public var run: String
    /// Its parameters (path → value).
    public var params: JSONValue
    /// Which repeat of its parameter set (0, 1, …).
    public var repeatIndex: Int

    public init(trial: String, run: String, params: JSONValue, repeatIndex: Int) {
        self.trial = trial
        self.run = run
        self.params = params
        self.repeatIndex = repeatIndex
    }
}
