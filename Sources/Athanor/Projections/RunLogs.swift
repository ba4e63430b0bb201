import AthanorJournal
import Foundation

/// A run's log lines that pass a ``LogFilter``: a pure fold over its journal.
public struct RunLogs: Sendable, Equatable {
    /// One log line with its place in the journal.
    public struct Entry: Sendable, Equatable {
        public var seq: Int
        public var timestamp: Timestamp
        public var record: LogRecord

        public init(seq: Int, timestamp: Timestamp, record: LogRecord) {
            self.seq = seq
            self.timestamp = timestamp
            self.record = record
        }
    }

    /// Which lines are kept.
    public var filter: LogFilter
    /// The lines kept, in order.
    public private(set) var entries: [Entry] = []
    /// Every log line seen, kept or not.
    public private(set) var total = 0

    public init(filter: LogFilter = LogFilter()) {
        self.filter = filter
    }

    /// Folds one event in.
    public mutating func apply(_ event: JournalEvent<RunEvent>) {
        guard case .log(let record) = event.payload else { return }
        total += 1
        guard filter.accepts(seq: event.seq, record) else { return }
        entries.append(Entry(seq: event.seq, timestamp: event.timestamp, record: record))
    }
}

/// A run's results, in the order recorded; a key recorded again keeps its latest value.
public struct RunResults: Sendable, Equatable {
    /// One result with its place in the journal.
    public struct Entry: Sendable, Equatable {
        public var seq: Int
        public var timestamp: Timestamp
        public var key: String
        public var value: JSONValue

        public init(seq: Int, timestamp: Timestamp, key: String, value: JSONValue) {
            self.seq = seq
            self.timestamp = timestamp
            self.key = key
            self.value = value
        }
    }

    /// The results, one per key, in the order their keys first appeared.
    public private(set) var entries: [Entry] = []
    private var indexByKey: [String: Int] = [:]

    public init() {}

    /// The result recorded under `key`, if any.
    public subscript(key: String) -> Entry? {
        indexByKey[key].map { entries[$0] }
    }

    /// Folds one event in.
    public mutating func apply(_ event: JournalEvent<RunEvent>) {
        guard case .result(let key, let value) = event.payload else { return }
        let entry = Entry(seq: event.seq, timestamp: event.timestamp, key: key, value: value)
        if let index = indexByKey[key] {
            entries[index] = entry
        } else {
            indexByKey[key] = entries.count
            entries.append(entry)
        }
    }
}
