import Athanor
import AthanorJournal
import Foundation

/// What the HTTP layer works with: the data directory's catalog, the instance store, the
/// supervisor (runs execute in worker processes) and the stream of catalog changes.
final class ServerHarness: Sendable {
    let data: DataDirectory
    let registry: ExperimentRegistry
    let catalog: Catalog
    let store: InstanceStore
    let supervisor: Supervisor
    let changes: CatalogChanges
    let runData = RunDataCache()
    /// Closes the runs whose writer died, begun at start-up, off every request's path: starting
    /// a run never waits on it.
    let recovery: Task<Void, Never>

    init(data: DataDirectory, registry: ExperimentRegistry, executor: any Executor, maxConcurrentRuns: Int) throws {
        self.data = data
        self.registry = registry
        // Dead runs are recovered once the server listens (see CatalogChangesService).
        catalog = try Catalog.open(data, recoveringDeadRuns: false)
        store = InstanceStore(data: data, registry: registry)
        supervisor = Supervisor(
            data: data, registry: registry, executor: executor, maxConcurrentRuns: maxConcurrentRuns)
        changes = CatalogChanges(catalog: catalog)
        recovery = Task.detached { [catalog, changes] in
            _ = try? JournalRecovery.recoverRuns(under: catalog.data.runsPath)
            changes.poke()
        }
    }
}
