import AthanorJournal

extension Catalog {
    /// An instance as lists show it: its JSON plus `run_count` and `last_run`.
    public func listing(of instance: InstanceState) -> JSONValue {
        Self.listing(of: instance, runs: runs(instance: instance.instanceID).map(\.summary))
    }

    /// The instance's JSON with its run count and last run, from its runs (oldest first).
    public static func listing(of instance: InstanceState, runs: [RunSummary]) -> JSONValue {
        var object = instance.json.objectValue ?? [:]
        object["run_count"] = .integer(Int64(runs.count))
        object["last_run"] = runs.last.map(\.json) ?? .null
        return .object(object)
    }
}
