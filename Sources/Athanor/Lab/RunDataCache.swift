import AthanorJournal
import Foundation
import Synchronization

/// The logs and results of the few runs viewed last, so paging through a run with a million
/// log lines (a virtualized log view asks for one window at a time) reads its journal once.
///
/// A closed journal never changes, so its data stays valid while the file's size and
/// modification time do; a live journal is read again when it has grown. Requests that arrive
/// while a journal is being read (a page asks for logs and results at once) share that read.
final class RunDataCache: Sendable {
    /// Everything a run's pages ask for.
    struct RunData: Sendable {
        var logs: [RunLogs.Entry]
        var results: RunResults
        /// Why the journal could not be read to its end (a damaged compressed journal), if so.
        var failure: String?
        /// The log lines matching the last filter asked for, as indexes into `logs`.
        var lastFilter: (filter: LogFilter, matches: [Int])?
    }

    private struct Slot {
        var path: String
        var size: Int
        var modified: Date
        var data: RunData
    }

    private struct Version: Hashable {
        var path: String
        var size: Int
        var modified: Date
    }

    /// Runs with at least this many log lines are read ahead when their summary is asked for.
    static let prefetchThreshold = 10_000

    private let capacity: Int
    private let slots = Mutex<[Slot]>([])
    private let loading = Mutex<[Version: Task<RunData, any Error>]>([:])

    init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// The run's data, from the cache when its journal has not changed.
    func data(for entry: Catalog.RunEntry) async throws -> RunData {
        let path = entry.currentFilePath
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let version = Version(
            path: path, size: (attributes[.size] as? Int) ?? -1,
            modified: (attributes[.modificationDate] as? Date) ?? .distantPast)
        if let hit = slots.withLock({
            $0.first { $0.path == path && $0.size == version.size && $0.modified == version.modified }
        }) {
            return hit.data
        }
        let task = loading.withLock { loading in
            if let running = loading[version] { return running }
            let task = Task { try Self.read(path) }
            loading[version] = task
            return task
        }
        defer { loading.withLock { $0[version] = nil } }
        let data = try await task.value
        store(Slot(path: path, size: version.size, modified: version.modified, data: data))
        return data
    }

    private static func read(_ path: String) throws -> RunData {
        var data = RunData(logs: [], results: RunResults())
        var logs = RunLogs()
        let reader = try JournalReader<RunEvent>(path: path)
        do {
            try reader.forEachEvent { event in
                logs.apply(event)
                data.results.apply(event)
            }
        } catch {
            // A damaged compressed journal: serve what was read before the damage; the run's
            // summary (its `problems`) says what is wrong and where.
            data.failure = "\(error)"
        }
        data.logs = logs.entries
        return data
    }

    /// Indexes of the log lines that pass `filter`; the last answer is kept, since a view
    /// pages through one filter.
    func matches(in entry: Catalog.RunEntry, filter: LogFilter) async throws -> (RunData, [Int]) {
        let data = try await data(for: entry)
        if let last = data.lastFilter, last.filter == filter { return (data, last.matches) }
        var matches: [Int] = []
        for (index, line) in data.logs.enumerated() where filter.accepts(seq: line.seq, line.record) {
            matches.append(index)
        }
        slots.withLock { slots in
            if let index = slots.firstIndex(where: { $0.path == entry.currentFilePath }) {
                slots[index].data.lastFilter = (filter, matches)
            }
        }
        return (data, matches)
    }

    private func store(_ slot: Slot) {
        slots.withLock { slots in
            slots.removeAll { $0.path == slot.path }
            slots.insert(slot, at: 0)
            if slots.count > capacity { slots.removeLast(slots.count - capacity) }
        }
    }
}
