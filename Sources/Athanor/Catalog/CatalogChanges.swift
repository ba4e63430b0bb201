import AthanorJournal
import Foundation
import Synchronization

/// One change in a catalog, as subscribers of ``CatalogChanges`` receive it.
public enum CatalogChange: Sendable, Equatable {
    /// An instance changed (or one of its runs did): its listing.
    case instance(InstanceListing)
    /// A run changed: its summary.
    case run(RunSummary)
}

/// Keeps a catalog current and tells subscribers what changed, in order.
///
/// It reads exactly the journals inotify reports as changed (growing live journals only from
/// where they were), with a full look every ten seconds as a safety net, so runs written by any
/// process appear. The files are read outside every lock; snapshots are compared and sent in
/// one step, so a subscriber never sees a run go back in time.
public final class CatalogChanges: Sendable {
    private struct State {
        var subscribers: [UUID: AsyncStream<CatalogChange>.Continuation] = [:]
        var instances: [String: InstanceState] = [:]
        var runs: [String: RunSummary] = [:]
        /// Whether `instances` and `runs` lag behind the catalog (nobody was subscribed to
        /// hear what changed, so nothing was compared).
        var stale = false

        mutating func take(_ catalog: Catalog) {
            let (instances, runs) = catalog.snapshot()
            self.instances = Dictionary(instances.map { ($0.instanceID, $0) }) { $1 }
            self.runs = Dictionary(runs.map { ($0.runID, $0) }) { $1 }
            stale = false
        }
    }

    let catalog: Catalog
    let interval: Duration
    private let state = Mutex(State())

    /// Changes of `catalog`, as of its current state; `interval` is how often it is read whole
    /// where inotify is not available.
    public init(catalog: Catalog, interval: Duration = .milliseconds(200)) {
        self.catalog = catalog
        self.interval = interval
        state.withLock { $0.take(catalog) }
    }

    /// Every change from now on; the stream ends when the subscriber goes away. A subscriber
    /// that does not keep up loses the oldest changes beyond 10,000 (a page then reloads).
    public func subscribe() -> AsyncStream<CatalogChange> {
        let (stream, continuation) = AsyncStream<CatalogChange>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = UUID()
        state.withLock { state in
            if state.stale { state.take(catalog) }
            state.subscribers[id] = continuation
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Keeps the catalog current until the task is cancelled: woken by inotify for exactly the
    /// files that changed, with a full look every ten seconds as a safety net (and every
    /// ``interval`` where inotify is not available or cannot see the writes: a data directory
    /// on a network file system, or `--poll`; see ``FilePolling``).
    public func watch() async {
        let polled = FilePolling.applies(to: catalog.data.path)
        guard !polled, let watcher = try? DirectoryWatcher() else {
            while !Task.isCancelled {
                refreshAndBroadcast()
                try? await Task.sleep(for: polled ? FilePolling.catalogInterval : interval)
            }
            return
        }
        let data = catalog.data
        watcher.watch(data.instancesPath)
        watcher.watch(data.runsPath)
        for directory in Self.subdirectories(of: data.runsPath) { watcher.watch(directory) }
        refreshAndBroadcast()
        while !Task.isCancelled {
            let changed = await watcher.changes(timeout: .seconds(10))
            guard !Task.isCancelled else { return }
            if var changed, !changed.isEmpty {
                // A new instance directory: watch it, and read what was written before the watch.
                for path in changed where (path as NSString).deletingLastPathComponent == data.runsPath {
                    watcher.watch(path)
                    changed.formUnion(Self.files(in: path))
                }
                refreshAndBroadcast(changed: changed)
            } else {
                refreshAndBroadcast()
            }
            // Let a burst of writes settle into one refresh.
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private static func subdirectories(of directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).map { directory + "/" + $0 }
    }

    private static func files(in directory: String) -> [String] {
        subdirectories(of: directory)
    }

    /// Reads what changed (only `changed`, when given) and sends an event for every instance
    /// and run that differs.
    ///
    /// The files are read first, outside this object's lock; the catalog's state is then taken,
    /// compared and sent in one step under the lock, so that whichever of two concurrent calls
    /// sends second sends the newer state: subscribers never see a run go back in time.
    public func refreshAndBroadcast(changed: Set<String>? = nil) {
        if let changed {
            try? catalog.refresh(changedPaths: changed)
        } else {
            try? catalog.refresh()
        }
        state.withLock { state in
            // With nobody listening (a command, not a server), there is nothing to compare:
            // the next subscriber starts from the catalog as it is then.
            guard !state.subscribers.isEmpty else {
                state.stale = true
                return
            }
            if state.stale { state.take(catalog) }
            let (instances, runs) = catalog.snapshot()
            var changedInstances: Set<String> = []
            var changes: [CatalogChange] = []
            for run in runs where state.runs[run.runID] != run {
                state.runs[run.runID] = run
                changedInstances.insert(run.instanceID)
                changes.append(.run(run))
            }
            let runsByInstance = Dictionary(grouping: runs, by: \.instanceID)
            for instance in instances
            where state.instances[instance.instanceID] != instance || changedInstances.contains(instance.instanceID) {
                state.instances[instance.instanceID] = instance
                changes.append(
                    .instance(InstanceListing(instance: instance, runs: runsByInstance[instance.instanceID] ?? [])))
            }
            // Yielding only buffers (each subscriber's stream keeps the newest 10,000 changes).
            for subscriber in state.subscribers.values {
                for change in changes { subscriber.yield(change) }
            }
        }
    }
}
