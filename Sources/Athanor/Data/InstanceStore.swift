import AthanorJournal
import Foundation

/// Creates, updates and deletes instances, each as its own journal
/// (`instances/<id>.jsonl`). Every configuration is validated before it is recorded.
public struct InstanceStore: Sendable {
    public let data: DataDirectory
    public let registry: ExperimentRegistry

    public init(data: DataDirectory, registry: ExperimentRegistry) {
        self.data = data
        self.registry = registry
    }

    /// Records a new instance of `experiment`, with `config` validated and defaults applied, and
    /// what its runs ask a scheduler for when they run on one (`nil`: the executor's defaults).
    public func create(
        experiment name: String, name instanceName: String, description: String = "", config: JSONValue,
        resources: SlurmResources? = nil
    ) throws(HarnessError) -> InstanceState {
        let experiment = try registry.experiment(named: name)
        let validated = try validate(config, for: experiment)
        let id = Identifier.generate()
        let path = data.instanceJournal(id)
        try write(to: path, creating: true) { writer throws(JournalError) in
            try writer.append(
                .created(
                    InstanceCreated(
                        instance: id, name: instanceName, description: description, experiment: name,
                        config: validated, resources: resources == SlurmResources() ? nil : resources?.json)))
        }
        return try load(id)
    }

    /// Changes an instance's name, description, configuration or scheduler resources; `config`
    /// replaces the whole configuration and is validated first, `resources` replaces the whole
    /// set (empty: the executor's defaults). Unchanged fields are not recorded.
    public func update(
        _ id: String, name: String? = nil, description: String? = nil, config: JSONValue? = nil,
        resources: SlurmResources? = nil
    ) throws(HarnessError) -> InstanceState {
        let current = try load(id)
        guard !current.isDeleted else { throw .instanceDeleted(id: id) }
        var change = InstanceUpdate()
        if let name, name != current.name { change.name = name }
        if let description, description != current.description { change.description = description }
        if let config {
            let validated = try validate(config, for: try registry.experiment(named: current.experiment))
            if validated != current.config { change.config = validated }
        }
        if let resources, resources.json != current.resources { change.resources = resources.json }
        guard change != InstanceUpdate() else { return current }
        try write(to: data.instanceJournal(id), creating: false) { writer throws(JournalError) in
            try writer.append(.updated(change))
        }
        return try load(id)
    }

    /// Marks an instance deleted; its journal and its runs stay.
    public func delete(_ id: String) throws(HarnessError) {
        let current = try load(id)
        guard !current.isDeleted else { return }
        try write(to: data.instanceJournal(id), creating: false) { writer throws(JournalError) in
            try writer.append(.deleted)
        }
    }

    /// The instance whose ID is `prefix` or starts with it, read from the instance journals
    /// alone: no run journal is read (or recovered) on the way.
    public func resolve(_ prefix: String) throws(HarnessError) -> InstanceState {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: data.instancesPath)) ?? []
        let ids = names.filter(JournalFile.isPlainName).map { JournalFile($0).id }
        return try load(try IDResolution.resolve(prefix, kind: "instance", among: ids))
    }

    /// The instance with the full ID `id`, from its journal.
    public func load(_ id: String) throws(HarnessError) -> InstanceState {
        guard Identifier.isValidPrefix(id) else { throw .invalidID(kind: "instance", text: id) }
        do {
            return InstanceState(events: try JournalReader<InstanceEvent>.readAll(path: data.instanceJournal(id)))
        } catch .notFound {
            throw .unknownID(kind: "instance", prefix: id)
        } catch {
            throw .journal(error)
        }
    }

    private func validate(_ config: JSONValue, for experiment: ExperimentDefinition) throws(HarnessError) -> JSONValue {
        do {
            return try experiment.configSchema.validated(config)
        } catch {
            throw .invalidConfig(experiment: experiment.name, error)
        }
    }

    /// Opens the instance journal (waiting briefly while another process appends), runs `body`, closes.
    private func write(
        to path: String, creating: Bool, _ body: (JournalWriter<InstanceEvent>) throws(JournalError) -> Void
    ) throws(HarnessError) {
        let options = JournalWriter<InstanceEvent>.Options(compressOnClose: false)
        do {
            try data.prepare()
        } catch {
            throw .storage(path: data.path, reason: "\(error)")
        }
        var attempts = 0
        while true {
            do throws(JournalError) {
                let writer =
                    creating
                    ? try JournalWriter<InstanceEvent>(creating: path, options: options)
                    : try JournalWriter<InstanceEvent>(appendingTo: path, options: options)
                do {
                    try body(writer)
                } catch {
                    try? writer.close()
                    throw error
                }
                try writer.close()
                return
            } catch .locked where attempts < 200 {
                attempts += 1
                usleep(5_000)
            } catch {
                throw .journal(error)
            }
        }
    }
}
