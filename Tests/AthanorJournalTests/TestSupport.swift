import AthanorJournal
import Foundation

/// A fresh temporary directory for one test, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let template = NSTemporaryDirectory() + "athanor-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }
}

enum TestFiles {
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// The repository's root, found from this file's path.
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A built executable of this package, beside the test bundle.
    static func executable(_ name: String) -> String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path),
            directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent(name).path
    }
}

/// Writes a complete run journal of `logs` info lines through the engine.
func writeRun(
    at path: String, logs: Int, end: RunEvent? = .completed, options: JournalWriter<RunEvent>.Options = .init()
)
    throws -> JournalWriter<RunEvent>
{
    let writer = try JournalWriter<RunEvent>(creating: path, options: options)
    try writer.append(SyntheticWorkload(logs: 0, results: 0, progressUpdates: 0).createdEvent(run: "r"))
    for index in 0..<logs {
        try writer.append(.log(LogRecord(.info, "line \(index)")))
    }
    if let end { try writer.append(end) }
    return writer
}

extension JournalReader {
    /// Every record of the journal.
    static func records(_ path: String) throws -> [JournalRecord<Payload>] {
        let reader = try JournalReader(path: path)
        var records: [JournalRecord<Payload>] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }
}

extension JournalRecord {
    var event: JournalEvent<Payload>? {
        if case .event(let event) = self { return event }
        return nil
    }

    var problem: JournalProblem? {
        if case .problem(let problem) = self { return problem }
        return nil
    }
}
