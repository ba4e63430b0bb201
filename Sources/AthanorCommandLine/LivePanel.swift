import Athanor
import AthanorJournal

/// What the terminal shows of a live run between redraws: the latest log lines, counts by
/// level, the result count and a progress bar (from the run's ``RunSummary``, the same fold
/// every surface uses), plus the warnings and errors not yet printed (they are printed in
/// full, above the panel, once each).
struct LivePanel {
    /// How many of the latest log lines the panel shows.
    static let latestLineCount = 3

    /// The run as folded so far.
    private(set) var summary = RunSummary()
    private var latest: [LogRecord] = []
    private var unprinted: [String] = []

    /// Whether anything changed since the last ``render(width:)``.
    private(set) var isDirty = false

    mutating func apply(_ event: JournalEvent<RunEvent>) {
        summary.apply(event)
        if case .log(let record) = event.payload { note(record) }
        isDirty = true
    }

    private mutating func note(_ record: LogRecord) {
        if record.level >= .warn { unprinted.append(LiveView.line(record)) }
        // Only the last few are shown: formatted at the next redraw, not as they come.
        latest.append(record)
        if latest.count > 2 * Self.latestLineCount { latest.removeFirst(latest.count - Self.latestLineCount) }
    }

    /// The text that replaces the previous panel (`previousHeight` lines, the cursor below
    /// them): new warnings and errors in full, then the panel, each line cut to `width`.
    mutating func render(width: Int, previousHeight: Int) -> (text: String, height: Int) {
        var text = previousHeight > 0 ? "\u{1B}[\(previousHeight)F\u{1B}[J" : ""
        for line in unprinted { text += line + "\n" }
        unprinted = []
        let counts = summary.logCounts
        var panel = latest.suffix(Self.latestLineCount).map { "  " + LiveView.line($0) }
        panel.append(
            "logs \(counts.total) (debug \(counts.debug) · info \(counts.info) · warn \(counts.warn) · error \(counts.error))"
                + " · results \(summary.resultCount)")
        if let progress = summary.progress { panel.append(LiveView.bar(progress)) }
        for line in panel { text += String(line.prefix(max(width - 1, 10))) + "\n" }
        isDirty = false
        return (text, panel.count)
    }
}
