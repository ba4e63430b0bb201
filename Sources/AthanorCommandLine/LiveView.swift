import Athanor
import AthanorJournal
import Foundation
import Synchronization

/// The terminal view of a live run, fed by a tail-follower of the run's journal.
///
/// On a terminal it is a panel redrawn at most 20 times a second (the latest lines, counts by
/// level, a progress bar), with warnings and errors printed in full above it: a run that logs
/// a hundred thousand lines is not slowed by its view. With `--verbose`, or when standard error
/// is not a terminal (a file, a pipe), every log line is printed instead, a batch per write.
struct LiveView {
    /// How the run is shown.
    enum Mode {
        /// The redrawn panel.
        case panel
        /// Every log line, and progress at every tenth of the way.
        case everyLine
    }

    let journal: String
    let mode: Mode

    /// The panel on a terminal, every line otherwise or when `verbose`.
    init(journal: String, verbose: Bool) {
        self.journal = journal
        mode = !verbose && isatty(2) == 1 ? .panel : .everyLine
    }

    /// Shows the run until its end and returns its summary, folded on the way.
    func show() async throws -> RunSummary {
        switch mode {
        case .panel: try await showPanel()
        case .everyLine: try await showEveryLine()
        }
    }

    private func showEveryLine() async throws -> RunSummary {
        var summary = RunSummary()
        var lastDecile = -1
        var events = TailFollower<RunEventOutline>(path: journal).makeAsyncIterator()
        while let batch = try await events.nextBatch() {
            var text = ""
            for event in batch {
                summary.apply(event.outlined)
                switch event.payload.event {
                case .log(let record):
                    text += Self.line(record) + "\n"
                case .progress(let update) where update.total > 0 && update.current * 10 / update.total != lastDecile:
                    lastDecile = update.current * 10 / update.total
                    text += "progress \(Output.progress(update))\n"
                default:
                    break
                }
            }
            Self.write(text)
        }
        return summary
    }

    private func showPanel() async throws -> RunSummary {
        let panel = SharedPanel()
        let redraw = Task {
            var height = 0
            while !Task.isCancelled {
                height = Self.draw(panel, previousHeight: height)
                try? await Task.sleep(for: .milliseconds(50))
            }
            _ = Self.draw(panel, previousHeight: height, evenIfUnchanged: true)
        }
        defer { redraw.cancel() }
        var events = TailFollower<RunEventOutline>(path: journal).makeAsyncIterator()
        while let batch = try await events.nextBatch() {
            panel.state.withLock { panel in
                for event in batch { panel.apply(event.outlined) }
            }
        }
        redraw.cancel()
        await redraw.value
        return panel.state.withLock { $0.summary }
    }

    /// Redraws the panel if it changed; returns its height on screen.
    private static func draw(_ panel: SharedPanel, previousHeight: Int, evenIfUnchanged: Bool = false) -> Int {
        let rendered = panel.state.withLock { panel -> (text: String, height: Int)? in
            guard panel.isDirty || evenIfUnchanged else { return nil }
            return panel.render(width: terminalWidth, previousHeight: previousHeight)
        }
        guard let rendered else { return previousHeight }
        write(rendered.text)
        return rendered.height
    }

    private static var terminalWidth: Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// One log line as the terminal shows it.
    static func line(_ record: LogRecord) -> String {
        label(record.level) + record.message
    }

    private static func label(_ level: LogLevel) -> String {
        switch level {
        case .debug: "DEBUG "
        case .info: "INFO  "
        case .warn: "WARN  "
        case .error: "ERROR "
        }
    }

    static func bar(_ update: ProgressUpdate, width: Int = 30) -> String {
        let fraction = update.total > 0 ? min(1, max(0, Double(update.current) / Double(update.total))) : 0
        let filled = Int(fraction * Double(width))
        let message = update.message.map { " \($0)" } ?? ""
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + Output.progress(update) + message
    }
}

/// The panel, shared between the task that follows the journal and the one that redraws.
private final class SharedPanel: Sendable {
    let state = Mutex(LivePanel())
}
