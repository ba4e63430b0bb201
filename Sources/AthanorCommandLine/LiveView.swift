import Athanor
import AthanorJournal
import Foundation

/// The terminal view of a live run: log lines as they come and a progress bar beneath them,
/// fed by a tail-follower of the run's journal. On a terminal the bar redraws in place;
/// otherwise progress is printed at every tenth of the way.
struct LiveView {
    let journal: String
    var minimumLevel = LogLevel.info

    private var isTerminal: Bool { isatty(2) == 1 }

    func show() async throws {
        var lastDecile = -1
        var bar = ""
        for try await event in TailFollower<RunEvent>(path: journal) {
            switch event.payload {
            case .log(let record) where record.level >= minimumLevel:
                write(
                    "\(Self.clearLine(isTerminal))\(record.level.rawValue.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)) \(record.message)\n\(bar)"
                )
            case .progress(let update):
                if isTerminal {
                    bar = Self.bar(update)
                    write("\r\(bar)")
                } else if update.total > 0, update.current * 10 / update.total != lastDecile {
                    lastDecile = update.current * 10 / update.total
                    write("progress \(Output.progress(update))\n")
                }
            default:
                break
            }
        }
        if isTerminal && !bar.isEmpty { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func clearLine(_ isTerminal: Bool) -> String { isTerminal ? "\r\u{1B}[2K" : "" }

    static func bar(_ update: ProgressUpdate, width: Int = 30) -> String {
        let fraction = update.total > 0 ? min(1, max(0, Double(update.current) / Double(update.total))) : 0
        let filled = Int(fraction * Double(width))
        let message = update.message.map { " \($0)" } ?? ""
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + Output.progress(update) + message
    }
}
