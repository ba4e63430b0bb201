import Athanor
import Foundation
import Synchronization

/// The logs and results of the few runs viewed last, so paging through a run with a million
/// log lines (a virtualized log view asks for one window at a time) reads its journal once.
///
/// A closed journal never changes, so its data stays valid while the file's size and
/// modification time do; a live journal is read again when it has grown.
final class RunDataCache: Sendable {
    /// Everything a run's pages ask for.
    struct RunData: Sendable {
        var logs: [RunLogs.Entry]
        var results: RunResults
        /// The log lines matching the last filter asked for, as indexes into `logs`.
        var lastFilter: (level: LogLevel, search: String, matches: [Int])?
    }

    private struct Slot {
        var path: String
        var size: Int
        var modified: Date
        var data: RunData
    }

    private let capacity: Int
    private let slots = Mutex<[Slot]>([])

    init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// The run's data, from the cache when its journal has not changed.
    func data(for entry: Catalog.RunEntry) throws -> RunData {
        let path = entry.currentFilePath
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? Int) ?? -1
        let modified = (attributes[.modificationDate] as? Date) ?? .distantPast
        if let hit = slots.withLock({ $0.first { $0.path == path && $0.size == size && $0.modified == modified } }) {
            return hit.data
        }
        var data = RunData(logs: [], results: RunResults())
        var logs = RunLogs()
        let reader = try JournalReader<RunEvent>(path: path)
        while let record = try reader.next() {
            guard case .event(let event) = record else { continue }
            logs.apply(event)
            data.results.apply(event)
        }
        data.logs = logs.entries
        store(Slot(path: path, size: size, modified: modified, data: data))
        return data
    }

    /// Indexes of the log lines at `level` or above whose message contains `search`
    /// (case-insensitive); the last answer is kept, since a view pages through one filter.
    func matches(in entry: Catalog.RunEntry, level: LogLevel, search: String) throws -> (RunData, [Int]) {
        let data = try data(for: entry)
        if let last = data.lastFilter, last.level == level, last.search == search { return (data, last.matches) }
        let needle = search.lowercased()
        var matches: [Int] = []
        for (index, line) in data.logs.enumerated() where line.record.level >= level {
            if needle.isEmpty || line.record.message.lowercased().contains(needle) { matches.append(index) }
        }
        slots.withLock { slots in
            if let index = slots.firstIndex(where: { $0.path == entry.currentFilePath }) {
                slots[index].data.lastFilter = (level, search, matches)
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
