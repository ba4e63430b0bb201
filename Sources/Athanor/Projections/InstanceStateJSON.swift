import AthanorJournal

extension InstanceState {
    /// The instance as JSON with a fixed key order (what `--json` prints and the API returns).
    public var json: JSONValue {
        [
            "instance": .string(instanceID), "name": .string(name), "description": .string(description),
            "experiment": .string(experiment), "config": config, "resources": resources,
            "created_at": createdAt.map { .string($0.rfc3339) } ?? .null,
            "updated_at": updatedAt.map { .string($0.rfc3339) } ?? .null, "deleted": .bool(isDeleted),
        ]
    }
}
