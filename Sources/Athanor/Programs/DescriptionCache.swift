import AthanorJournal
import Foundation

/// What program files answered to `describe`, kept in a file across processes, by file
/// identity and interpreter: `{"python", "files": [{"file", "device", "inode", "size",
/// "modified", "experiments"}]}`. Only answers are kept (a file that failed is asked again).
/// It is derived data: a missing, unreadable or stale file is simply not used.
struct DescriptionCache: Sendable {
    let path: String
    let python: String

    /// The remembered answers of those `files` whose identity has not changed.
    func answers(for files: [(path: String, identity: FileIdentity)]) -> [String: [JSONValue]] {
        guard !files.isEmpty, let text = try? String(contentsOfFile: path, encoding: .utf8),
            let stored = try? JSONValue(parsing: text), stored["python"]?.stringValue == python,
            case .array(let entries)? = stored["files"]
        else { return [:] }
        var found: [String: [JSONValue]] = [:]
        for (file, identity) in files {
            guard
                let entry = entries.first(where: { $0["file"]?.stringValue == file }),
                entry["device"]?.integerValue == Int64(bitPattern: identity.device),
                entry["inode"]?.integerValue == Int64(bitPattern: identity.inode),
                entry["size"]?.integerValue == identity.size, entry["modified"]?.integerValue == identity.modified,
                case .array(let experiments)? = entry["experiments"]
            else { continue }
            found[file] = experiments
        }
        return found
    }

    /// Keeps the answers of `described` (replacing the file atomically); failures to write are
    /// ignored, and nothing is written where the data directory does not exist.
    func store(_ described: [Described]) {
        let folder = (path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: (folder as NSString).deletingLastPathComponent) else { return }
        let entries: [JSONValue] = described.compactMap { entry in
            entry.answer.map { answer in
                [
                    "file": .string(entry.file), "device": .integer(Int64(bitPattern: entry.identity.device)),
                    "inode": .integer(Int64(bitPattern: entry.identity.inode)), "size": .integer(entry.identity.size),
                    "modified": .integer(entry.identity.modified), "experiments": .array(answer),
                ]
            }
        }
        let document: JSONValue = ["python": .string(python), "files": .array(entries)]
        guard let text = try? document.jsonText() else { return }
        let temporary = "\(path).\(getpid()).tmp"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }
}
