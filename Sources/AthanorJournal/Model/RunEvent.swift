/// An event of a run journal (`runs/<instance>/<run>.jsonl`), as listed in DESIGN.md section 2.
public enum RunEvent: JournalPayload, Hashable {
    /// The run was created with a validated configuration snapshot (always the first event).
    case created(RunCreated)
    /// The run was handed to a scheduler and waits for it (a Slurm batch job): no process
    /// writes the journal until its worker starts on the node the scheduler picks.
    case queued(RunQueued)
    /// A worker process began executing the run; `jobID` is the scheduler's job, if any.
    case started(pid: Int, host: String, jobID: String? = nil)
    /// The scheduler requeued the run (preemption, a node failure, `scontrol requeue`); it
    /// goes on in this journal, with a new `run_started`, when its job starts again.
    case requeued(reason: String)
    /// The experiment logged a message.
    case log(LogRecord)
    /// The experiment reported progress.
    case progress(ProgressUpdate)
    /// The experiment recorded a result.
    case result(key: String, value: JSONValue)
    /// The experiment recorded points of one or more metric curves (loss, accuracy…).
    case metric(MetricRecord)
    /// The run finished successfully.
    case completed
    /// The run failed; `error` says why.
    case failed(error: String)
    /// The run was cancelled; `forced` is true when the worker had to be killed after the grace period.
    case cancelled(reason: String, forced: Bool)

    /// Version of the journal format written in `run_created.format`.
    public static let formatVersion = 1

    public var typeName: String {
        switch self {
        case .created: "run_created"
        case .queued: "run_queued"
        case .started: "run_started"
        case .requeued: "run_requeued"
        case .log: "log"
        case .progress: "progress"
        case .result: "result"
        case .metric: "metric"
        case .completed: "run_completed"
        case .failed: "run_failed"
        case .cancelled: "run_cancelled"
        }
    }

    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled: true
        default: false
        }
    }

    /// Whether events of the type named `typeName` end a run journal.
    public static func isTerminal(typeName: String) -> Bool {
        typeName == "run_completed" || typeName == "run_failed" || typeName == "run_cancelled"
    }

    public var isLifecycle: Bool {
        switch self {
        case .log, .progress, .result, .metric: false
        default: true
        }
    }

    public func encodeFields(into encoder: inout JSONLineEncoder) throws(JSONEncodingError) {
        switch self {
        case .created(let created):
            encoder.appendRaw(#","type":"run_created","format":"#)
            encoder.appendInteger(Int64(created.format))
            encoder.appendKey("run")
            encoder.appendString(created.run)
            encoder.appendKey("instance")
            encoder.appendString(created.instance)
            encoder.appendKey("instance_name")
            encoder.appendString(created.instanceName)
            encoder.appendKey("experiment")
            encoder.appendString(created.experiment)
            encoder.appendKey("config")
            try encoder.appendValue(created.config, field: "config")
            encoder.appendKey("executor")
            encoder.appendString(created.executor)
            if let trial = created.trial {
                encoder.appendKey("sweep")
                encoder.appendString(trial.sweep)
                encoder.appendKey("trial")
                encoder.appendString(trial.key)
            }
        case .queued(let queued):
            encoder.appendRaw(#","type":"run_queued","executor":"#)
            encoder.appendString(queued.executor)
            encoder.appendKey("job_id")
            encoder.appendString(queued.jobID)
            encoder.appendKey("resources")
            try encoder.appendValue(queued.resources, field: "resources")
        case .started(let pid, let host, let jobID):
            encoder.appendRaw(#","type":"run_started","pid":"#)
            encoder.appendInteger(Int64(pid))
            encoder.appendKey("host")
            encoder.appendString(host)
            if let jobID {
                encoder.appendKey("job_id")
                encoder.appendString(jobID)
            }
        case .requeued(let reason):
            encoder.appendRaw(#","type":"run_requeued","reason":"#)
            encoder.appendString(reason)
        case .log(let record):
            switch record.level {
            case .debug: encoder.appendRaw(#","type":"log","level":"debug","message":"#)
            case .info: encoder.appendRaw(#","type":"log","level":"info","message":"#)
            case .warn: encoder.appendRaw(#","type":"log","level":"warn","message":"#)
            case .error: encoder.appendRaw(#","type":"log","level":"error","message":"#)
            }
            encoder.appendString(record.message)
            if let metadata = record.metadata {
                encoder.appendKey("metadata")
                try encoder.appendValue(metadata, field: "metadata")
            }
        case .progress(let update):
            encoder.appendRaw(#","type":"progress","current":"#)
            encoder.appendInteger(Int64(update.current))
            encoder.appendKey("total")
            encoder.appendInteger(Int64(update.total))
            if let message = update.message {
                encoder.appendKey("message")
                encoder.appendString(message)
            }
        case .result(let key, let value):
            encoder.appendRaw(#","type":"result","key":"#)
            encoder.appendString(key)
            encoder.appendKey("value")
            try encoder.appendValue(value, field: "value")
        case .metric(let record):
            try encode(record, into: &encoder)
        case .completed:
            encoder.appendRaw(#","type":"run_completed""#)
        case .failed(let error):
            encoder.appendRaw(#","type":"run_failed","error":"#)
            encoder.appendString(error)
        case .cancelled(let reason, let forced):
            encoder.appendRaw(#","type":"run_cancelled","reason":"#)
            encoder.appendString(reason)
            encoder.appendKey("forced")
            encoder.appendBool(forced)
        }
    }

    public static func decode(typeName: String, fields: EventFields) throws(EventDecodingError) -> RunEvent? {
        try decode(typeName: typeName, fields: fields, readingValues: true)
    }

    /// Reads an event; without `readingValues`, a result's `value` is `null` and a log's
    /// `metadata` absent, unread (see ``RunEventOutline``).
    static func decode(typeName: String, fields: EventFields, readingValues: Bool) throws(EventDecodingError)
        -> RunEvent?
    {
        switch typeName {
        case "log":
            let levelName = try fields.string("level")
            guard let level = LogLevel(name: levelName) else {
                throw EventDecodingError("field `level` must be debug, info, warn or error, not \"\(levelName)\"")
            }
            let metadata = readingValues ? try fields.optionalJSON("metadata") : nil
            return .log(LogRecord(level, try fields.string("message"), metadata: metadata))
        case "result":
            guard readingValues else {
                guard fields.contains("value") else { throw EventDecodingError("missing field `value`") }
                return .result(key: try fields.string("key"), value: .null)
            }
            return .result(key: try fields.string("key"), value: try fields.json("value"))
        case "metric":
            return .metric(try decodeMetric(fields))
        case "progress":
            return .progress(
                ProgressUpdate(
                    current: try fields.integer("current"), total: try fields.integer("total"),
                    message: try fields.optionalString("message")))
        case "run_created":
            return .created(
                RunCreated(
                    format: try fields.integer("format"), run: try fields.string("run"),
                    instance: try fields.string("instance"), instanceName: try fields.string("instance_name"),
                    experiment: try fields.string("experiment"), config: try fields.json("config"),
                    executor: try fields.string("executor"), trial: try SweepTrial(fields)))
        case "run_queued":
            return .queued(
                RunQueued(
                    executor: try fields.string("executor"), jobID: try fields.string("job_id"),
                    resources: try fields.optionalJSON("resources") ?? [:]))
        case "run_started":
            return .started(
                pid: try fields.integer("pid"), host: try fields.string("host"),
                jobID: try fields.optionalString("job_id"))
        case "run_requeued":
            return .requeued(reason: try fields.string("reason"))
        case "run_completed":
            return .completed
        case "run_failed":
            return .failed(error: try fields.string("error"))
        case "run_cancelled":
            return .cancelled(reason: try fields.string("reason"), forced: try fields.bool("forced"))
        default:
            return nil
        }
    }
}
