import Athanor

extension AgentTools {
    private static func tool(
        _ name: String, _ description: String, _ properties: JSONObject = [:], required: [String] = []
    )
        -> Definition
    {
        Definition(
            name: name, description: description,
            inputSchema: [
                "type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string)),
                "additionalProperties": false,
            ])
    }

    private static func string(_ description: String) -> JSONValue {
        ["type": "string", "description": .string(description)]
    }
    private static func integer(_ description: String) -> JSONValue {
        ["type": "integer", "description": .string(description)]
    }
    private static func number(_ description: String) -> JSONValue {
        ["type": "number", "description": .string(description)]
    }
    private static func object(_ description: String) -> JSONValue {
        ["type": "object", "description": .string(description)]
    }

    /// What `resources` holds, for the tools that take it.
    private static let resourcesHelp =
        "What this instance's runs ask Slurm for when the server runs them there: partition, time (30, 2:00:00, 1-00:00), gres (gpu:1), cpus (integer), mem (16G), options (further sbatch options); unset ones keep the server's --slurm-* defaults."

    static let definitions: [Definition] = [
        tool("list_experiments", "List every experiment instance with its run count and last run."),
        tool(
            "get_experiment", "Get one experiment instance: configuration, runs by status, last run.",
            ["id": string("Instance ID (or a unique prefix).")], required: ["id"]),
        tool(
            "create_experiment",
            "Create an experiment instance of a module (see list_available_modules) with a configuration validated against its schema.",
            [
                "name": string("Human-readable name."),
                "experiment_module": string("The experiment's name, from list_available_modules."),
                "description": string("What the instance is for."),
                "configuration": object("Configuration values; defaults fill the rest."),
                "resources": object(Self.resourcesHelp),
            ], required: ["name", "experiment_module"]),
        tool(
            "update_experiment",
            "Change an instance's name, description, whole configuration (validated first) or Slurm resources.",
            [
                "id": string("Instance ID."), "name": string("New name."), "description": string("New description."),
                "configuration": object("The new configuration (replaces the current one)."),
                "resources": object(Self.resourcesHelp + " Replaces the current set; {} for the server's defaults."),
            ], required: ["id"]),
        tool(
            "delete_experiment", "Delete an instance (its journal and runs are kept as the record).",
            ["id": string("Instance ID.")], required: ["id"]),
        tool(
            "list_available_modules",
            "List the experiment modules that can be instantiated (Swift, and Python files in the experiment folders), with their configuration fields; files that declare none are listed too, with `broken: true`, the file and its error."),
        tool(
            "get_config_schema", "The JSON Schema of an experiment module's configuration.",
            ["experiment_module": string("The experiment's name.")], required: ["experiment_module"]),
        tool(
            "validate_config", "Validate a configuration: `valid`, and every error with its field path.",
            [
                "experiment_module": string("The experiment's name."),
                "configuration": object("The configuration to check."),
            ],
            required: ["experiment_module", "configuration"]),
        tool(
            "list_runs", "List an instance's runs, oldest first, with status, timing, progress and counts.",
            ["experiment_id": string("Instance ID.")], required: ["experiment_id"]),
        tool(
            "get_run", "Get a run's status, timing, progress, log counts, result keys and error.",
            ["id": string("Run ID.")], required: ["id"]),
        tool(
            "start_run",
            "Start a run of an instance in an isolated worker process; returns at once (see wait_for_run).",
            ["experiment_id": string("Instance ID."), "timeout_seconds": number("Fail the run after this long.")],
            required: ["experiment_id"]),
        tool(
            "cancel_run", "Cancel a pending or running run (gracefully; killed after the grace period).",
            ["id": string("Run ID."), "reason": string("Recorded in run_cancelled.")], required: ["id"]),
        tool(
            "get_run_logs",
            "A run's log lines: the last `limit` (default 100), or with `after_seq` the next `limit` after that seq (a cursor: pass back next_after_seq).",
            [
                "run_id": string("Run ID."), "limit": integer("At most this many lines (1-5000)."),
                "level": string("Minimum level: debug, info, warn or error."),
                "after_seq": integer("Only lines after this seq."),
            ], required: ["run_id"]),
        tool(
            "list_results",
            "A run's results (latest value per key), `limit` at a time; pass next_cursor back as `cursor`.",
            [
                "run_id": string("Run ID."), "limit": integer("At most this many (1-5000)."),
                "cursor": integer("From next_cursor."),
            ],
            required: ["run_id"]),
        tool(
            "get_result_details", "Every value recorded under one result key in a run.",
            ["run_id": string("Run ID."), "key": string("The result key.")], required: ["run_id", "key"]),
        tool(
            "wait_for_run",
            "Block until the run has ended or the timeout passes; returns its final state (no polling needed).",
            ["id": string("Run ID."), "timeout_seconds": number("How long to wait (default 60, at most 3600).")],
            required: ["id"]),
        tool(
            "replay_run",
            "A run's timeline, and its projected state at any seq (time travel): status, progress, counts, results so far.",
            [
                "id": string("Run ID."), "at_seq": integer("The state as it was after this event (default: the end)."),
                "limit": integer("Timeline entries to return, the latest (default 200)."),
            ], required: ["id"]),
        tool(
            "get_run_metrics",
            "A run's metrics: without `key`, each metric's point count and first, last, min and max (with steps); with `key`, that curve, every point or (beyond `points`) buckets keeping each bucket's first, min, max and last point, so no spike is lost.",
            [
                "run_id": string("Run ID."), "key": string("A metric key, for its curve."),
                "points": integer("The most points of the curve (default 200, 4 to 10000)."),
                "x": string("The x of the curve: step (default), time (seconds since the run began) or wall (Unix seconds)."),
            ], required: ["run_id"]),
        tool(
            "compare_runs",
            "Compare runs side by side: configurations flattened (a.b, a[0]) with the keys that differ marked, scalar results, and each metric's last, min and max.",
            ["run_ids": ["type": "array", "items": ["type": "string"], "description": "Two to 100 run IDs."]],
            required: ["run_ids"]),
        tool(
            "create_sweep",
            "Create a sweep (many configurations of one experiment) and start running it on the server: its parameter space is checked against the experiment's schema first (every problem with its path).",
            [
                "experiment_module": string("The experiment's name, from list_available_modules."),
                "name": string("The sweep's name."),
                "space": object(
                    "Parameter path → values: a list or {\"grid\": […]} (every value, crossed with the other grids), {\"choice\": […]}, {\"uniform\": [low, high]}, {\"log_uniform\": [low, high]} or {\"int\": [low, high]} (drawn at random, `count` times)."
                ),
                "configuration": object("The base configuration; each trial sets its parameters over it."),
                "count": integer("Random draws per grid combination (needed with random parameters)."),
                "repeats": integer("Runs of each parameter set (default 1)."),
                "seed": integer("Seed of the random draws (default 0): the same seed gives the same trials."),
                "concurrency": integer("At most this many trials at once (default 1)."),
                "on_failure": string("continue (default: every trial runs) or stop (no trial starts after one fails)."),
                "metric": string("The metric (last value) or scalar result to rank trials by."),
                "goal": string("min (default) or max: which values of the metric are best."),
                "force": ["type": "boolean", "description": "Allow more than 10,000 trials."],
            ], required: ["experiment_module", "name", "space"]),
        tool(
            "get_sweep",
            "A sweep: its definition, status (running, completed, cancelled, stopped), counts, best trial, and every trial with its parameters, status, run and metric value.",
            ["id": string("Sweep ID.")], required: ["id"]),
        tool("list_sweeps", "Every sweep, newest first, with status, trial counts and best trial."),
        tool(
            "cancel_sweep", "Cancel a sweep: no more trials start, and its queued and running trials are cancelled.",
            ["id": string("Sweep ID."), "reason": string("Why (recorded).")], required: ["id"]),
        tool(
            "resume_sweep",
            "Resume a sweep on the server: starts the trials with no completed run (failed ones too with retry_failed), keeping its concurrency cap and trial keys.",
            ["id": string("Sweep ID."), "retry_failed": ["type": "boolean", "description": "Start failed trials again."]],
            required: ["id"]),
    ]
}
