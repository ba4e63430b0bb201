import Athanor
import AthanorJournal
import Foundation

/// Printing for people (aligned columns, short IDs, relative times) and for scripts (JSON).
enum Output {
    /// Prints one JSON value on one line.
    static func json(_ value: JSONValue) throws {
        print(try value.jsonText())
    }

    /// Prints rows as left-aligned columns under a header.
    static func table(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        for row in [header] + rows {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            print(cells.joined(separator: "  "))
        }
    }

    /// An ID shortened for display (any unique prefix works as input).
    static func short(_ id: String) -> String { String(id.prefix(12)) }

    /// A local date and time, to the second (`athanor logs` prints one per line: no formatter
    /// object is built for it).
    static func time(_ timestamp: Timestamp?) -> String {
        guard let timestamp else { return "-" }
        var seconds = time_t(timestamp.secondsSinceEpoch.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// A level padded to the width of the longest, in lowercase.
    static func level(_ level: LogLevel) -> String {
        switch level {
        case .debug: "debug"
        case .info: "info "
        case .warn: "warn "
        case .error: "error"
        }
    }

    /// Seconds as `0.4s`, `12s`, `3m05s` or `2h01m`.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        if seconds < 10 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60)
    }

    /// `5/10 (50%)`, or `-`.
    /// A metric value, short: up to 6 significant digits.
    static func number(_ value: Double) -> String {
        String(format: "%.6g", value)
    }

    static func progress(_ update: ProgressUpdate?) -> String {
        guard let update else { return "-" }
        guard update.total > 0 else { return "\(update.current)" }
        return "\(update.current)/\(update.total) (\(update.current * 100 / update.total)%)"
    }

    /// Writes a line to standard error.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
