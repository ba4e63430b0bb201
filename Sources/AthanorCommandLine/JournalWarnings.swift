import Athanor
import AthanorJournal

extension JournalReader {
    /// Calls `body` with every remaining event, like ``JournalReader/forEachEvent(_:)``, and
    /// writes every problem the reader finds to standard error as a warning, so that what a
    /// command prints from a damaged journal never passes for the whole record. A plain
    /// journal's incomplete last line is a write in progress, not a problem.
    func forEachEventWarning(_ body: (JournalEvent<Payload>) throws -> Void) throws {
        var isEmpty = true
        while let record = try next() {
            switch record {
            case .event(let event):
                isEmpty = false
                try body(event)
            case .problem(let problem):
                if case .tornLastLine = problem.kind, !isCompressed { continue }
                isEmpty = false
                Output.note("warning: \(problem)")
            }
        }
        if isEmpty { Self.warnAboutNoEvents(in: path) }
    }

    /// Warns that the journal at `path` held no event, unless a live writer holds it (a live
    /// journal is empty only for the moment before its first event).
    static func warnAboutNoEvents(in path: String) {
        guard JournalFile.isCompressedName(path) || !JournalLock.isHeld(JournalFile(path).plainPath) else { return }
        Output.note("warning: \(path): holds no events (an empty file, or not a run journal)")
    }
}

extension RunSummary {
    /// Writes the journal's problems to standard error as warnings, at most `limit` of them.
    func warnAboutProblems(limit: Int = Int.max) {
        guard !problems.isEmpty else { return }
        Output.note("warning: run \(runID): its journal is damaged; what it shows is what could be read:")
        for problem in problems.prefix(limit) { Output.note("  \(problem)") }
        if problems.count > limit { Output.note("  … \(problems.count - limit) more (athanor show \(runID))") }
    }
}
