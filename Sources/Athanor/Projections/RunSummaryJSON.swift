import AthanorJournal

extension RunSummary {
    /// The summary as JSON with a fixed key order: what `--json` prints, the API returns and
    /// the catalog's cache stores. Times are RFC 3339; `duration` is in seconds.
    public var json: JSONValue {
        var object: JSONObject = [
            "run": .string(runID), "instance": .string(instanceID), "instance_name": .string(instanceName),
            "experiment": .string(experiment), "status": .string(status.rawValue), "executor": .string(executor),
            "created_at": createdAt.json, "started_at": startedAt.json, "finished_at": finishedAt.json,
            "duration": duration().map(JSONValue.double) ?? .null,
        ]
        object["pid"] = pid.map { .integer(Int64($0)) } ?? .null
        object["host"] = host.map(JSONValue.string) ?? .null
        object["job_id"] = jobID.map(JSONValue.string) ?? .null
        object["requeues"] = .integer(Int64(requeues))
        object["sweep"] = trial.map { .string($0.sweep) } ?? .null
        object["trial"] = trial.map { .string($0.key) } ?? .null
        object["progress"] =
            progress.map { update in
                [
                    "current": .integer(Int64(update.current)), "total": .integer(Int64(update.total)),
                    "message": update.message.map(JSONValue.string) ?? .null,
                ]
            } ?? .null
        object["log_counts"] = [
            "debug": .integer(Int64(logCounts.debug)), "info": .integer(Int64(logCounts.info)),
            "warn": .integer(Int64(logCounts.warn)), "error": .integer(Int64(logCounts.error)),
        ]
        object["result_count"] = .integer(Int64(resultCount))
        object["result_keys"] = .array(resultKeys.map(JSONValue.string))
        object["metrics"] = .object(JSONObject(metrics.all.map { .init(key: $0.key, value: $0.json) }))
        object["error"] = error.map(JSONValue.string) ?? .null
        object["forced"] = .bool(forced)
        object["last_seq"] = .integer(Int64(lastSeq))
        object["problems"] = .array(problems.map(JSONValue.string))
        object["config"] = config
        return .object(object)
    }

    /// Reads a summary written by ``json``; `nil` when it is not one.
    public init?(json: JSONValue) {
        guard let run = json["run"]?.stringValue, let statusName = json["status"]?.stringValue,
            let status = RunStatus(rawValue: statusName)
        else { return nil }
        self.init()
        runID = run
        instanceID = json["instance"]?.stringValue ?? ""
        instanceName = json["instance_name"]?.stringValue ?? ""
        experiment = json["experiment"]?.stringValue ?? ""
        executor = json["executor"]?.stringValue ?? ""
        self.status = status
        createdAt = json["created_at"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
        startedAt = json["started_at"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
        finishedAt = json["finished_at"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
        pid = json["pid"]?.integerValue.map { Int($0) }
        host = json["host"]?.stringValue
        jobID = json["job_id"]?.stringValue
        requeues = Int(json["requeues"]?.integerValue ?? 0)
        if let sweep = json["sweep"]?.stringValue, let key = json["trial"]?.stringValue {
            trial = SweepTrial(sweep: sweep, key: key)
        }
        if let update = json["progress"], let current = update["current"]?.integerValue,
            let total = update["total"]?.integerValue
        {
            progress = ProgressUpdate(current: Int(current), total: Int(total), message: update["message"]?.stringValue)
        }
        let counts = json["log_counts"]
        logCounts = LogCounts(
            debug: Int(counts?["debug"]?.integerValue ?? 0), info: Int(counts?["info"]?.integerValue ?? 0),
            warn: Int(counts?["warn"]?.integerValue ?? 0), error: Int(counts?["error"]?.integerValue ?? 0))
        for key in json["result_keys"]?.arrayValue?.compactMap(\.stringValue) ?? [] { noteResultKey(key) }
        resultCount = Int(json["result_count"]?.integerValue ?? 0)
        for member in json["metrics"]?.objectValue ?? [:] {
            if let summary = MetricSummary(key: member.key, json: member.value) { metrics.restore(summary) }
        }
        error = json["error"]?.stringValue
        forced = json["forced"]?.boolValue ?? false
        lastSeq = Int(json["last_seq"]?.integerValue ?? 0)
        problems = json["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []
        config = json["config"] ?? .null
    }
}

extension Optional where Wrapped == Timestamp {
    fileprivate var json: JSONValue { map { .string($0.rfc3339) } ?? .null }
}

extension MetricSummary {
    /// `{count, first, last, min, max}`, each point `{step, value}`.
    public var json: JSONValue {
        [
            "count": .integer(Int64(count)), "first": first.json, "last": last.json, "min": min.json,
            "max": max.json,
        ]
    }

    /// Reads a summary written by ``json``; `nil` when it is not one.
    init?(key: String, json: JSONValue) {
        guard let count = json["count"]?.integerValue, let first = Point(json: json["first"]),
            let last = Point(json: json["last"]), let min = Point(json: json["min"]), let max = Point(json: json["max"])
        else { return nil }
        self.init(key: key, point: first)
        self.count = Int(count)
        self.last = last
        self.min = min
        self.max = max
    }
}

extension MetricSummary.Point {
    /// `{step, value}`.
    public var json: JSONValue { ["step": .integer(Int64(step)), "value": .double(value)] }

    init?(json: JSONValue?) {
        guard let step = json?["step"]?.integerValue, let value = json?["value"]?.doubleValue else { return nil }
        self.init(step: Int(step), value: value)
    }
}
