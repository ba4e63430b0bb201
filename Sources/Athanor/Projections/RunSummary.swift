import AthanorJournal

/// Everything a list or a status line shows about a run: a pure fold over its journal.
///
/// ``apply(_:)`` does no I/O, so the same code serves a live run, a replay up to any `seq`
/// ("the run as it was at event N") and a rebuild from disk.
public struct RunSummary: Sendable, Hashable {
    /// Log events counted by level.
    public struct LogCounts: Sendable, Hashable {
        public var debug = 0
        public var info = 0
        public var warn = 0
        public var error = 0

        public var total: Int { debug + info + warn + error }

        mutating func count(_ level: LogLevel) {
            switch level {
            case .debug: debug += 1
            case .info: info += 1
            case .warn: warn += 1
            case .error: error += 1
            }
        }
    }

    public var runID = ""
    public var instanceID = ""
    public var instanceName = ""
    public var experiment = ""
    public var config: JSONValue = .null
    public var executor = ""
    /// The sweep trial this run is (`run_created`'s `sweep` and `trial`), if any.
    public var trial: SweepTrial?
    public var status = RunStatus.pending
    public var createdAt: Timestamp?
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    public var pid: Int?
    public var host: String?
    /// The scheduler's job, for a queued run (`run_queued`).
    public var jobID: String?
    /// How many times the scheduler requeued the run.
    public var requeues = 0
    /// The latest progress report.
    public var progress: ProgressUpdate?
    public var logCounts = LogCounts()
    public var resultCount = 0
    /// Distinct result keys in the order first recorded.
    public private(set) var resultKeys: [String] = []
    /// Each metric curve in brief, in the order first recorded.
    public internal(set) var metrics = MetricSummaries()
    /// `resultKeys` as a set, for constant-time folding of runs with many results.
    private var knownKeys: Set<String> = []
    /// Problems noted beyond ``maximumProblems``, summarized in the last entry.
    private var droppedProblemCount = 0
    /// Why the run failed, or why it was cancelled.
    public var error: String?
    /// For a cancelled run: whether the worker had to be killed.
    public var forced = false
    /// The last `seq` applied.
    public var lastSeq = 0
    /// What is wrong with the journal, each naming its file and, where there is one, its line:
    /// invalid lines, `seq` gaps and repeats, a damaged zstd frame, a file that is not a run
    /// journal. Reading skips past each, so the rest of the summary is what could be read.
    /// Empty for a sound journal; at most ``maximumProblems`` entries, the last saying how
    /// many more there were.
    public internal(set) var problems: [String] = []

    /// How many problems a summary keeps (`athanor verify` lists them all).
    public static let maximumProblems = 20

    public init() {}

    /// The summary of a whole list of events.
    public init(events: some Sequence<JournalEvent<RunEvent>>) {
        for event in events { apply(event) }
    }

    /// Folds one event in.
    public mutating func apply(_ event: JournalEvent<RunEvent>) {
        lastSeq = event.seq
        switch event.payload {
        case .created(let created):
            runID = created.run
            instanceID = created.instance
            instanceName = created.instanceName
            experiment = created.experiment
            config = created.config
            executor = created.executor
            trial = created.trial
            createdAt = event.timestamp
        case .queued(let queued):
            status = .queued
            jobID = queued.jobID
        case .started(let pid, let host, let jobID):
            status = .running
            startedAt = event.timestamp
            self.pid = pid
            self.host = host
            if let jobID { self.jobID = jobID }
        case .requeued:
            status = .queued
            requeues += 1
        case .log(let record):
            logCounts.count(record.level)
        case .progress(let update):
            progress = update
        case .result(let key, _):
            noteResultKey(key)
            resultCount += 1
        case .metric(let record):
            metrics.add(record)
        case .completed:
            finish(.completed, at: event.timestamp)
        case .failed(let error):
            finish(.failed, at: event.timestamp)
            self.error = error
        case .cancelled(let reason, let forced):
            finish(.cancelled, at: event.timestamp)
            error = reason
            self.forced = forced
        }
    }

    /// Notes a problem found while reading the journal (see ``problems``).
    mutating func noteProblem(_ description: String) {
        guard problems.count == Self.maximumProblems else {
            problems.append(description)
            return
        }
        // The last entry becomes the count of what is not kept (itself included).
        droppedProblemCount = droppedProblemCount == 0 ? 2 : droppedProblemCount + 1
        problems[problems.count - 1] = "… and \(droppedProblemCount) more problems; `athanor verify` lists them all"
    }

    mutating func noteResultKey(_ key: String) {
        if knownKeys.insert(key).inserted { resultKeys.append(key) }
    }

    private mutating func finish(_ status: RunStatus, at time: Timestamp) {
        self.status = status
        finishedAt = time
    }

    /// Seconds from start (or creation) to the end, or to `now` while running.
    public func duration(now: Timestamp = .now()) -> Double? {
        guard let start = startedAt ?? createdAt else { return nil }
        let end = finishedAt ?? (status.isFinished ? start : now)
        return Double(end.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 1_000_000
    }
}
