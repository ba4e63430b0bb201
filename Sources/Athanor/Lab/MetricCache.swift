import AthanorJournal
import Foundation
import Synchronization

/// The metric curves of the runs charted last, as columns: a closed run's are read once (and
/// kept on disk, see ``MetricStore``), a live run's grow by reading only what its journal
/// gained since.
final class MetricCache: Sendable {
    private struct Slot {
        var file: String
        var identity: FileIdentity
        /// For a live (plain) journal: the bytes and the last `seq` folded so far.
        var readBytes: Int64
        var lastSeq: Int
        var metrics: RunMetrics
        var lastUsed: ContinuousClock.Instant
    }

    private let slots = Mutex<[String: Slot]>([:])
    private let capacity: Int
    private let store: MetricStore

    /// A cache of the curves of at most `capacity` runs (a comparison charts up to 100), closed
    /// runs' also in `directory`.
    init(directory: String, capacity: Int = 256) {
        store = MetricStore(directory: directory)
        self.capacity = capacity
    }

    /// The run's curves as its journal is now.
    func metrics(of entry: Catalog.RunEntry) throws(JournalError) -> RunMetrics {
        let file = entry.currentFilePath
        guard let identity = FileIdentity(path: file) else { throw .notFound(path: file) }
        let known = slots.withLock { $0[entry.journalPath] }
        if let known, known.file == file, known.identity == identity {
            touch(entry.journalPath)
            return known.metrics
        }
        var slot: Slot
        if let known, known.file == file, !JournalFile.isCompressedName(file), known.identity.isGrowth(to: identity) {
            // A live run that grew: fold in only the new lines.
            slot = known
            let reader = try JournalReader<RunMetricLine>(plainPath: file, offset: known.readBytes, after: known.lastSeq)
            try fold(reader, into: &slot)
        } else {
            slot = Slot(
                file: file, identity: identity, readBytes: 0, lastSeq: 0, metrics: RunMetrics(),
                lastUsed: .now)
            let isClosed = JournalFile.isCompressedName(file)
            if isClosed, let stored = store.load(run: JournalFile(entry.journalPath).id, identity: identity) {
                slot.metrics = stored
            } else {
                try fold(try JournalReader<RunMetricLine>(path: file), into: &slot)
                if isClosed { store.store(slot.metrics, run: JournalFile(entry.journalPath).id, identity: identity) }
            }
        }
        slot.identity = identity
        slot.lastUsed = .now
        let stored = slot
        slots.withLock { slots in
            slots[entry.journalPath] = stored
            if slots.count > capacity, let oldest = slots.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                slots[oldest.key] = nil
            }
        }
        return stored.metrics
    }

    private func fold(_ reader: JournalReader<RunMetricLine>, into slot: inout Slot) throws(JournalError) {
        do {
            while let record = try reader.next() {
                if case .event(let event) = record { slot.metrics.apply(event) }
            }
        } catch {
            // A damaged compressed journal: the curves up to the damage (the run's summary says
            // what is wrong).
            guard reader.isCompressed else { throw error }
        }
        slot.lastSeq = reader.lastGoodSeq ?? slot.lastSeq
        slot.readBytes = reader.isCompressed ? 0 : reader.completeByteCount
    }

    private func touch(_ key: String) {
        slots.withLock { $0[key]?.lastUsed = .now }
    }
}
