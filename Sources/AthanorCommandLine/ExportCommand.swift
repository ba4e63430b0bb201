import ArgumentParser
import Athanor
import Foundation

/// `athanor export`: results and logs as CSV or JSON lines, for tools other than Python.
struct ExportCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv
        case jsonl
    }

    enum Table: String, ExpressibleByArgument, CaseIterable {
        case results
        case logs
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the results or logs of a run, or of every run of an instance, as CSV or JSON lines.",
        discussion: """
            Writes to standard output (or --output FILE). Results: one row per result with run, seq, \
            ts, key and value (CSV: the value's fields as value.<field> columns when values are \
            objects, nested fields joined with dots; other values as JSON). Logs: run, seq, ts, level, \
            message, metadata (JSON). Parquet is not offered: no Parquet writer is available to this \
            build; convert the CSV or JSON lines with pandas or DuckDB.
            """)

    @Argument(help: "A run ID, or an instance ID (every run of it); unique prefixes work.")
    var id: String

    @Option(help: "results or logs.")
    var table: Table = .results

    @Option(help: "csv or jsonl.")
    var format: Format = .csv

    @Option(help: "Write here instead of standard output.")
    var output: String?

    @OptionGroup var data: DataDirectoryOption

    func run() async throws {
        let lab = try data.openLab()
        var rows: [JSONObject] = []
        for run in try lab.runs(ofRunOrInstance: id) {
            let runID = run.summary.runID
            run.summary.warnAboutProblems()
            let entries: [JSONValue]
            switch table {
            case .results:
                entries = try lab.resultHistory(of: runID).entries.map(\.json)
            case .logs:
                let page = try await lab.logs(of: runID, window: .first(Int.max))
                // Nothing trustworthy to export from a journal damaged beyond reading.
                if let failure = page.failure { throw CommandFailure(failure) }
                entries = page.entries.map(\.json)
            }
            for entry in entries {
                var row: JSONObject = ["run": .string(runID)]
                for member in entry.objectValue ?? [:] { row[member.key] = member.value }
                rows.append(row)
            }
        }
        let text = format == .jsonl ? try Self.jsonLines(rows) : try Self.csv(rows)
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        } else {
            var out = StandardOutput()
            var bytes = Array(text.utf8)
            bytes.withUnsafeMutableBytes { out.write(UnsafeRawBufferPointer($0)) }
        }
    }

    private static func jsonLines(_ rows: [JSONObject]) throws -> String {
        try rows.map { try JSONValue.object($0).jsonText() + "\n" }.joined()
    }

    /// A CSV table: object values flattened into `value.<path>` columns, in first-seen order.
    static func csv(_ rows: [JSONObject]) throws -> String {
        var columns: [String] = []
        var known: Set<String> = []
        var flatRows: [[String: String]] = []
        for row in rows {
            var flat: [String: String] = [:]
            for member in row {
                try flatten(member.value, name: member.key, into: &flat, expand: member.key == "value")
            }
            for member in row {
                for column in flat.keys.sorted() where column == member.key || column.hasPrefix(member.key + ".") {
                    if known.insert(column).inserted { columns.append(column) }
                }
            }
            flatRows.append(flat)
        }
        var text = columns.map(quote).joined(separator: ",") + "\n"
        for row in flatRows {
            text += columns.map { quote(row[$0] ?? "") }.joined(separator: ",") + "\n"
        }
        return text
    }

    private static func flatten(_ value: JSONValue, name: String, into flat: inout [String: String], expand: Bool)
        throws
    {
        switch value {
        case .object(let object) where expand:
            for member in object { try flatten(member.value, name: name + "." + member.key, into: &flat, expand: true) }
        case .string(let text): flat[name] = text
        case .null: flat[name] = ""
        default: flat[name] = try value.jsonText()
        }
    }

    private static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
