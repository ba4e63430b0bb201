import AthanorJournal

extension Catalog {
    /// An instance as lists show it: its JSON plus `run_count` and `last_run`.
    public func listing(of instance: InstanceState) -> JSONValue {
        let runs = runs(instance: instance.instanceID)
        var object = instance.json.objectValue ?? [:]
        object["run_count"] = .integer(Int64(runs.count))
        object["last_run"] = runs.last.map { $0.summary.json } ?? .null
        return .object(object)
    }
}
