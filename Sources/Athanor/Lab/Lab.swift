import AthanorJournal
import Foundation

/// Every use case of Athanor over one data directory, in one place: the web API, the MCP tools
/// and the command line are thin adapters over it (parse the input, call one method, encode the
/// answer).
///
/// It keeps its own projections current: what it changes itself is read back at once, and
/// ``watch()`` follows what other processes write. No caller refreshes anything.
///
/// ```swift
/// let lab = try Lab(data: DataDirectory(path: "data"), registry: registry, recovery: .inBackground)
/// let instance = try lab.createInstance(experiment: "demo", name: "first", config: ["iterations": 10])
/// let run = try lab.startRun(of: instance.instance.instanceID)
/// ```
public final class Lab: Sendable {
    /// When runs whose writer died are closed (`run_failed`, "interrupted").
    public enum Recovery: Sendable {
        /// Before anything is read: a command that shows runs never shows a dead one as running.
        case first
        /// On another thread, beside whatever starts: starting a run never waits on it.
        case inBackground
        /// Never, and nothing is written, not even the data directory's folders: `athanor verify`
        /// reports such runs rather than repairing them.
        case never
    }

    public let data: DataDirectory
    public let registry: ExperimentRegistry
    /// What changes in the catalog, in order, for live views.
    public let changes: CatalogChanges
    let catalog: Catalog
    let store: InstanceStore
    let supervisor: Supervisor
    let runData = RunDataCache()
    let scalarResultsCache = ScalarResultsCache()
    let metricCache: MetricCache
    let eventFollowers = SharedFollowers<RunEventLine>()
    let sweepDrivers = SweepDrivers()
    private let recovery: Task<Void, Never>?

    /// The lab of `data`; runs it starts execute through `executor`, at most
    /// `maxConcurrentRuns` at once (the rest wait, `pending`).
    public init(
        data: DataDirectory, registry: ExperimentRegistry, executor: any Executor = ProcessExecutor(),
        maxConcurrentRuns: Int = ProcessInfo.processInfo.activeProcessorCount, recovery: Recovery
    ) throws(HarnessError) {
        var recovered: [JournalRecovery.Outcome] = []
        do {
            switch recovery {
            case .first:
                try data.prepare()
                recovered = try JournalRecovery.recoverRuns(under: data.runsPath)
            case .inBackground: try data.prepare()
            case .never: break
            }
        } catch {
            throw .storage(path: data.path, reason: "\(error)")
        }
        self.data = data
        self.registry = registry
        catalog = Catalog(data: data)
        metricCache = MetricCache(directory: data.path + "/.cache/metrics")
        store = InstanceStore(data: data, registry: registry)
        supervisor = Supervisor(
            data: data, registry: registry, executor: executor, maxConcurrentRuns: maxConcurrentRuns)
        changes = CatalogChanges(catalog: catalog)
        guard case .inBackground = recovery else {
            self.recovery = nil
            supervisor.resumeScheduled(ScheduledRuns.found(in: recovered))
            return
        }
        self.recovery = Task.detached { [catalog = catalog, changes = changes, supervisor = supervisor] in
            let outcomes = (try? JournalRecovery.recoverRuns(under: catalog.data.runsPath)) ?? []
            supervisor.resumeScheduled(ScheduledRuns.found(in: outcomes))
            // A catalog not read yet reads the recovered journals when it is.
            if catalog.hasRead { changes.refreshAndBroadcast() }
        }
    }

    /// The catalog, after it has read the data directory once (a lab that only starts runs
    /// never reads it).
    var current: Catalog {
        catalog.readIfNeeded()
        return catalog
    }

    /// Keeps the projections current with what other processes write, until the task is
    /// cancelled (see ``CatalogChanges/watch()``).
    public func watch() async {
        _ = current
        await changes.watch()
    }

    /// Returns once the start-up recovery (``Recovery/inBackground``) is done.
    public func recovered() async {
        await recovery?.value
    }

    /// Journals that could not be read, each with the reason.
    public var problems: [String] { current.problems }

    /// How many runs started here are executing or waiting for a slot.
    public var supervisedRunCount: Int { supervisor.supervisedRunCount }

    /// How many sweeps this process runs in the background.
    public var sweepDriverCount: Int { sweepDrivers.count }

    /// Where runs started here execute (`process`, `slurm`).
    public var executorName: String { supervisor.executor.name }

    /// Calls made to the scheduler in the last minute (`nil` for an executor without one).
    public var schedulerCallsPerMinute: Int? { (supervisor.executor as? SlurmExecutor)?.schedulerCallsPerMinute }

    /// How journals are followed here: `inotify`, or `polling` (a network file system, or `--poll`).
    public var following: String { FilePolling.applies(to: data.path) ? "polling" : "inotify" }

    /// Reads back what this lab itself just changed, and tells subscribers.
    func noteChanged(_ paths: String...) {
        changes.refreshAndBroadcast(changed: Set(paths))
    }

    // MARK: Experiments

    /// The experiments that can run now (programs in the experiment folders looked at again:
    /// a file added or changed appears), and the files that declare none, with why.
    public func experiments() -> AvailableExperiments {
        registry.available()
    }

    // MARK: Instances

    /// Instances, oldest first, with their run counts and last runs; deleted ones only when asked.
    public func instances(includingDeleted: Bool = false) -> [InstanceListing] {
        let catalog = current
        let runs = Dictionary(grouping: catalog.runs().map(\.summary), by: \.instanceID)
        return catalog.instances(includingDeleted: includingDeleted).map { instance in
            InstanceListing(instance: instance, runs: runs[instance.instanceID] ?? [])
        }
    }

    /// The instance whose ID is `prefix` or starts with it, with its runs.
    public func instance(_ prefix: String) throws(HarnessError) -> InstanceDetails {
        let instance = try current.instance(prefix)
        let runs = catalog.runs(instance: instance.instanceID).map(\.summary)
        return InstanceDetails(listing: InstanceListing(instance: instance, runs: runs), runs: runs)
    }

    /// Records a new instance of `experiment`, its configuration validated (every error with
    /// its field path) and defaults applied, with what its runs ask Slurm for (`nil`: the
    /// executor's defaults).
    public func createInstance(
        experiment: String, name: String, description: String = "", config: JSONValue,
        resources: SlurmResources? = nil
    ) throws(HarnessError) -> InstanceListing {
        let created = try store.create(
            experiment: experiment, name: name, description: description, config: config, resources: resources)
        noteChanged(data.instanceJournal(created.instanceID))
        return InstanceListing(instance: created, runs: [])
    }

    /// Changes an instance's name, description, configuration or Slurm resources (`config`
    /// replaces the whole configuration and is validated first; `resources` replaces the whole
    /// set); fields left `nil` stay.
    public func updateInstance(
        _ prefix: String, name: String? = nil, description: String? = nil, config: JSONValue? = nil,
        resources: SlurmResources? = nil
    ) throws(HarnessError) -> InstanceListing {
        let id = try current.instance(prefix).instanceID
        let updated = try store.update(
            id, name: name, description: description, config: config, resources: resources)
        noteChanged(data.instanceJournal(id))
        return InstanceListing(instance: updated, runs: catalog.runs(instance: id).map(\.summary))
    }

    /// Marks an instance deleted; its journal and its runs stay, as the record of what happened.
    public func deleteInstance(_ prefix: String) throws(HarnessError) -> InstanceListing {
        let id = try current.instance(prefix).instanceID
        try store.delete(id)
        noteChanged(data.instanceJournal(id))
        return InstanceListing(instance: try store.load(id), runs: catalog.runs(instance: id).map(\.summary))
    }
}
