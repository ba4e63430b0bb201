import AthanorJournal
import Synchronization

/// The scalar results (numbers, strings, booleans, nulls) of closed runs compared lately, so a
/// comparison of a hundred runs asked again (a reload, a shared link) reads no journal. Bounded
/// by the number of values kept; the runs used longest ago go first.
final class ScalarResultsCache: Sendable {
    typealias Members = [(key: String, value: JSONValue)]

    private struct Slot: Sendable {
        let identity: FileIdentity
        let members: Members
        var lastUsed: UInt64
    }

    private struct State {
        var slots: [String: Slot] = [:]
        var clock: UInt64 = 0
        var values = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    /// A cache of at most `capacity` values in all.
    init(capacity: Int = 250_000) {
        self.capacity = capacity
    }

    /// The run's scalar results, if kept and its journal has not changed since.
    func members(of entry: Catalog.RunEntry) -> Members? {
        state.withLock { state in
            guard var slot = state.slots[entry.summary.runID], slot.identity == entry.identity else { return nil }
            state.clock += 1
            slot.lastUsed = state.clock
            state.slots[entry.summary.runID] = slot
            return slot.members
        }
    }

    /// Keeps a closed run's scalar results (a live run's change with every event: not kept).
    func store(_ members: Members, for entry: Catalog.RunEntry) {
        guard entry.isClosed, members.count <= capacity else { return }
        state.withLock { state in
            state.clock += 1
            if let old = state.slots.updateValue(
                Slot(identity: entry.identity, members: members, lastUsed: state.clock), forKey: entry.summary.runID)
            {
                state.values -= old.members.count
            }
            state.values += members.count
            while state.values > capacity, let oldest = state.slots.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                state.slots[oldest.key] = nil
                state.values -= oldest.value.members.count
            }
        }
    }
}
