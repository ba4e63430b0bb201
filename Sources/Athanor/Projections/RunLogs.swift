import AthanorJournal
import Foundation

/// A run's log lines, optionally only those at or above a level and containing some text: a
/// pure fold over its journal.
public struct RunLogs: Sendable, Equatable {
    /// One log line with its place in the journal.
    public struct Entry: Sendable, Equatable {
        public var seq: Int
        public var timestamp: Timestamp
        public var record: LogRecord
    }

    /// Lines below this level are left out.
    public var minimumLevel: LogLevel
    /// When set, only lines whose message contains it (case-insensitive) are kept.
    public var search: String?
    /// The lines kept, in order.
    public private(set) var entries: [Entry] = []
    /// Every log line seen, kept or not.
    public private(set) var total = 0

    public init(minimumLevel: LogLevel = .debug, search: String? = nil) {
        self.minimumLevel = minimumLevel
        self.search = search?.isEmpty == true ? nil : search
    }

    /// Folds one event in.
    public mutating func apply(_ event: JournalEvent<RunEvent>) {
        guard case .log(let record) = event.payload else { return }
        total += 1
        guard record.level >= minimumLevel else { return }
        if let search, !record.message.localizedStandardContains(search) { return }
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
