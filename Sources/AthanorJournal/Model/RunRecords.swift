/// The body of `run_created`: what was run, with which configuration, by which executor.
public struct RunCreated: Sendable, Hashable {
    /// Journal format version (``RunEvent/formatVersion``).
    public var format: Int
    /// The run's ID.
    public var run: String
    /// The instance's ID.
    public var instance: String
    /// The instance's name when the run was created.
    public var instanceName: String
    /// The experiment's name.
    public var experiment: String
    /// The full, validated configuration snapshot.
    public var config: JSONValue
    /// Which executor runs it (`process`, `inline`, …).
    public var executor: String
    /// The sweep trial this run is, if any.
    public var trial: SweepTrial?

    public init(
        format: Int = RunEvent.formatVersion, run: String, instance: String, instanceName: String,
        experiment: String, config: JSONValue, executor: String, trial: SweepTrial? = nil
    ) {
        self.format = format
        self.run = run
        self.instance = instance
        self.instanceName = instanceName
        self.experiment = experiment
        self.config = config
        self.executor = executor
        self.trial = trial
    }
}

/// A run's place in a sweep: `run_created`'s `sweep` and `trial` (the trial's key).
public struct SweepTrial: Sendable, Hashable {
    /// The sweep's ID.
    public var sweep: String
    /// The trial's key: a hash of its parameters and its repeat index.
    public var key: String

    public init(sweep: String, key: String) {
        self.sweep = sweep
        self.key = key
    }

    /// From a `run_created`'s fields: `nil` when it names no sweep.
    init?(_ fields: EventFields) throws(EventDecodingError) {
        guard let sweep = try fields.optionalString("sweep") else { return nil }
        self.init(sweep: sweep, key: try fields.string("trial"))
    }
}

/// The body of `run_queued`: the scheduler's job that will run the run, and what was asked for.
public struct RunQueued: Sendable, Hashable {
    /// The executor that queued it (`slurm`).
    public var executor: String
    /// The scheduler's job ID.
    public var jobID: String
    /// The resources asked for (`{"partition": "gpu", "time": "1:00:00", "gres": "gpu:1", …}`).
    public var resources: JSONValue

    public init(executor: String, jobID: String, resources: JSONValue) {
        self.executor = executor
        self.jobID = jobID
        self.resources = resources
    }
}

/// The body of a `log` event.
public struct LogRecord: Sendable, Hashable, Codable {
    public var level: LogLevel
    public var message: String
    /// Any JSON, or `nil` when the line has no `metadata` field.
    public var metadata: JSONValue?

    public init(_ level: LogLevel, _ message: String, metadata: JSONValue? = nil) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}

/// The body of a `progress` event: `current` of `total`, with an optional message.
public struct ProgressUpdate: Sendable, Hashable, Codable {
    public var current: Int
    public var total: Int
    public var message: String?

    public init(current: Int, total: Int, message: String? = nil) {
        self.current = current
        self.total = total
        self.message = message
    }
}

/// The body of a `metric` event: one or more values of named curves at one step.
public struct MetricRecord: Sendable, Hashable {
    /// One named value.
    public struct Value: Sendable, Hashable {
        public var key: String
        public var value: Double

        public init(_ key: String, _ value: Double) {
            self.key = key
            self.value = value
        }
    }

    /// The step (iteration, epoch, sample…) the values belong to.
    public var step: Int
    /// The values, in the order they were given (one or more).
    public var values: [Value]

    public init(step: Int, values: [Value]) {
        self.step = step
        self.values = values
    }
}
