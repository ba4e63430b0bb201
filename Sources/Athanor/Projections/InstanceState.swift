import AthanorJournal

/// An instance as its journal says it is now: a pure fold over instance events.
public struct InstanceState: Sendable, Hashable {
    public var instanceID = ""
    public var name = ""
    public var description = ""
    public var experiment = ""
    public var config: JSONValue = .null
    /// What its runs ask a scheduler (Slurm) for, as recorded: an object, empty when the
    /// executor's defaults apply.
    public var resources: JSONValue = [:]
    public var createdAt: Timestamp?
    public var updatedAt: Timestamp?
    /// Deleted instances keep their journal and runs, but lists hide them.
    public var isDeleted = false
    public var lastSeq = 0

    public init() {}

    /// The state after a whole list of events.
    public init(events: some Sequence<JournalEvent<InstanceEvent>>) {
        for event in events { apply(event) }
    }

    /// Folds one event in.
    public mutating func apply(_ event: JournalEvent<InstanceEvent>) {
        lastSeq = event.seq
        switch event.payload {
        case .created(let created):
            instanceID = created.instance
            name = created.name
            description = created.description
            experiment = created.experiment
            config = created.config
            resources = created.resources ?? [:]
            createdAt = event.timestamp
            updatedAt = event.timestamp
        case .updated(let update):
            if let name = update.name { self.name = name }
            if let description = update.description { self.description = description }
            if let config = update.config { self.config = config }
            if let resources = update.resources { self.resources = resources }
            updatedAt = event.timestamp
        case .deleted:
            isDeleted = true
            updatedAt = event.timestamp
        }
    }
}

extension InstanceState {
    /// ``resources`` as Slurm takes them (`nil` when the instance has none of its own).
    /// - Throws: ``HarnessError/invalidResources(field:reason:)`` for a journal edited by hand.
    public func slurmResources() throws(HarnessError) -> SlurmResources? {
        let parsed = try SlurmResources(json: resources)
        return parsed == SlurmResources() ? nil : parsed
    }
}
