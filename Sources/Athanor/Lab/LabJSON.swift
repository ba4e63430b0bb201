import AthanorJournal

// Every JSON shape the surfaces answer with is built here, once: the API, MCP, the CLI's
// `--json` and the catalog change stream all encode through these.

extension InstanceListing {
    /// The instance's JSON plus `run_count` and `last_run`.
    public var json: JSONValue {
        var object = instance.json.objectValue ?? [:]
        object["run_count"] = .integer(Int64(runCount))
        object["last_run"] = lastRun.map(\.json) ?? .null
        return .object(object)
    }
}

extension InstanceDetails {
    /// The listing's JSON plus `run_counts` (by status) and `runs` (oldest first).
    public var json: JSONValue {
        var object = listing.json.objectValue ?? [:]
        var counts: JSONObject = [:]
        for status in RunStatus.allCases {
            counts[status.rawValue] = .integer(Int64(runs.count { $0.status == status }))
        }
        object["run_counts"] = .object(counts)
        object["runs"] = .array(runs.map(\.json))
        return .object(object)
    }
}

extension Catalog.RunEntry {
    /// The summary's JSON plus `journal`, the path of the journal's file as it is now.
    public var json: JSONValue {
        var object = summary.json.objectValue ?? [:]
        object["journal"] = .string(currentFilePath)
        return .object(object)
    }
}

extension RunLogs.Entry {
    /// `{seq, ts, level, message, metadata}`.
    public var json: JSONValue {
        [
            "seq": .integer(Int64(seq)), "ts": .string(timestamp.rfc3339), "level": .string(record.level.rawValue),
            "message": .string(record.message), "metadata": record.metadata ?? .null,
        ]
    }
}

extension RunResults.Entry {
    /// `{seq, ts, key, value}`.
    public var json: JSONValue {
        ["seq": .integer(Int64(seq)), "ts": .string(timestamp.rfc3339), "key": .string(key), "value": value]
    }
}

extension ConfigError {
    /// `{path, message}`.
    public var json: JSONValue {
        ["path": .string(path), "message": .string(message)]
    }
}

extension HarnessError {
    /// The problem as surfaces report it: a stable `code`, the `message`, and `details` (each
    /// configuration error with its field path).
    public var problem: (code: String, message: String, details: [JSONValue]) {
        switch self {
        case .invalidConfig(_, let validation): ("invalid_config", description, validation.errors.map(\.json))
        case .invalidSweep(let problems): ("invalid_sweep", description, problems.map(\.json))
        case .invalidResources(let field, let reason):
            ("invalid_resources", description, [["path": .string(field), "message": .string(reason)]])
        case .unknownExperiment, .unknownID: ("not_found", description, [])
        case .invalidID, .configDecoding, .invalidRequest: ("bad_request", description, [])
        case .ambiguousID: ("ambiguous_id", description, [])
        case .instanceDeleted, .runAlreadyEnded, .runEnded, .brokenExperiment, .sweepRunning, .sweepEnded:
            ("conflict", description, [])
        case .resultEncoding, .invalidMetric, .journal, .storage: ("internal", description, [])
        }
    }
}

extension RunReplay {
    /// The run's summary JSON with `results` (key → latest value) added.
    public var stateJSON: JSONValue {
        var object = summary.json.objectValue ?? [:]
        object["results"] = .object(JSONObject(results.entries.map { .init(key: $0.key, value: $0.value) }))
        return .object(object)
    }

    /// `{run, at_seq, state, timeline: [{seq, ts, offset_seconds, type}], timeline_total}`.
    public var json: JSONValue {
        [
            "run": .string(summary.runID), "at_seq": .integer(Int64(summary.lastSeq)), "state": stateJSON,
            "timeline": .array(
                timeline.map { moment in
                    [
                        "seq": .integer(Int64(moment.seq)), "ts": .string(moment.timestamp.rfc3339),
                        "offset_seconds": .double(moment.offset), "type": .string(moment.type),
                    ]
                }),
            "timeline_total": .integer(Int64(timelineTotal)),
        ]
    }
}

extension SampledCurve {
    /// `{count, raw, x, y, buckets: [{first, min, max, last}]}`, each bucket point `[x, y]`.
    public var json: JSONValue {
        func point(_ point: Point) -> JSONValue { [.double(point.x), .double(point.y)] }
        return [
            "count": .integer(Int64(count)), "raw": .bool(isRaw), "x": .array(xs.map(JSONValue.double)),
            "y": .array(ys.map(JSONValue.double)),
            "buckets": .array(
                buckets.map { bucket in
                    [
                        "first": point(bucket.first), "min": point(bucket.min), "max": point(bucket.max),
                        "last": point(bucket.last),
                    ]
                }),
        ]
    }
}

extension RunCurves {
    /// `{run, series: [{key, count, raw, x, y, buckets, smoothed?}]}`.
    public var json: JSONValue {
        [
            "run": .string(run.summary.runID),
            "series": .array(
                curves.map { curve in
                    var object = curve.sampled.json.objectValue ?? [:]
                    object["key"] = .string(curve.key)
                    if let smoothed = curve.smoothed { object["smoothed"] = smoothed.json }
                    return .object(object)
                }),
        ]
    }
}

extension RunComparison {
    /// `{runs, config: [{key, values, differs}], results: [{key, values}], metrics: [{key, values:
    /// [{count, last, min, max} or null]}]}`.
    public var json: JSONValue {
        [
            "runs": .array(runs.map(\.json)),
            "config": .array(
                config.map { row in
                    [
                        "key": .string(row.key), "values": .array(row.values.map { $0 ?? .null }),
                        "differs": .bool(Self.differs(row)),
                    ]
                }),
            "results": .array(
                results.map { row in ["key": .string(row.key), "values": .array(row.values.map { $0 ?? .null })] }),
            "metrics": .array(
                metrics.map { row in
                    [
                        "key": .string(row.key),
                        "values": .array(
                            row.values.map { summary in
                                summary.map { summary in
                                    [
                                        "count": .integer(Int64(summary.count)), "last": .double(summary.last.value),
                                        "min": .double(summary.min.value), "max": .double(summary.max.value),
                                    ]
                                } ?? .null
                            }),
                    ]
                }),
        ]
    }
}
