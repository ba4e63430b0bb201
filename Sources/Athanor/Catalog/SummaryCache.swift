import AthanorJournal
import Foundation

/// Summaries of closed runs kept in `data/.cache/run-summaries.jsonl`, keyed by journal path and
/// valid only while the file's identity is unchanged. Derived data: safe to delete, and a cache
/// that cannot be read is simply rebuilt.
struct SummaryCache: Sendable {
    struct Entry: Sendable {
        var identity: FileIdentity
        var summary: RunSummary
    }

    // Version 3: summaries carry metric summaries; an older cache is rebuilt.
    private static let header: JSONValue = ["athanor_cache": "run-summaries", "version": 3]

    let path: String
    private(set) var entries: [String: Entry] = [:]
    private(set) var isDirty = false

    init(directory: String) {
        path = directory + "/run-summaries.jsonl"
    }

    /// Reads the cache file; a missing or outdated file leaves the cache empty, and lines that
    /// cannot be read are skipped.
    mutating func load() {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let first = lines.first, (try? JSONValue(parsing: first)) == Self.header else { return }
        for line in lines.dropFirst() {
            guard let value = try? JSONValue(parsing: line), let entryPath = value["path"]?.stringValue,
                let identity = FileIdentity(json: value), let summary = value["summary"].flatMap(RunSummary.init(json:))
            else { continue }
            entries[entryPath] = Entry(identity: identity, summary: summary)
        }
    }

    /// The cached summary of the journal at `path`, if its file has not changed.
    func summary(for path: String, identity: FileIdentity) -> RunSummary? {
        guard let entry = entries[path], entry.identity == identity else { return nil }
        return entry.summary
    }

    mutating func store(_ summary: RunSummary, for path: String, identity: FileIdentity) {
        entries[path] = Entry(identity: identity, summary: summary)
        isDirty = true
    }

    /// Forgets entries whose journals are gone.
    mutating func keepOnly(_ paths: Set<String>) {
        let before = entries.count
        entries = entries.filter { paths.contains($0.key) }
        if entries.count != before { isDirty = true }
    }

    /// The entries to write when they changed since the last write (which this counts as
    /// done; see ``markUnsaved()``), else `nil`.
    mutating func takeChanges() -> [String: Entry]? {
        guard isDirty else { return nil }
        isDirty = false
        return entries
    }

    /// A write of ``takeChanges()`` failed: the entries are written next time.
    mutating func markUnsaved() {
        isDirty = true
    }

    /// Writes `entries` to the cache file at `path` atomically; whether it could. The cache only
    /// saves start-up time: when it cannot be written (a read-only or full data directory) the
    /// catalog goes on from memory and tries again at the next refresh.
    static func write(_ entries: [String: Entry], to path: String) -> Bool {
        do {
            var text = try header.jsonText() + "\n"
            for (entryPath, entry) in entries.sorted(by: { $0.key < $1.key }) {
                var line = entry.identity.json
                line["path"] = .string(entryPath)
                line["summary"] = entry.summary.json
                text += try JSONValue.object(line).jsonText() + "\n"
            }
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            return true
        } catch {
            return false
        }
    }
}

extension FileIdentity {
    fileprivate var json: JSONObject {
        [
            "device": .integer(Int64(bitPattern: device)), "inode": .integer(Int64(bitPattern: inode)),
            "size": .integer(size), "modified": .integer(modified),
        ]
    }

    fileprivate init?(json: JSONValue) {
        guard let device = json["device"]?.integerValue, let inode = json["inode"]?.integerValue,
            let size = json["size"]?.integerValue, let modified = json["modified"]?.integerValue
        else { return nil }
        self.init(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: size, modified: modified)
    }
}
