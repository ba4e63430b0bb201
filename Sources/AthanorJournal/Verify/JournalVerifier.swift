/// Checks journals end to end: every line, the `seq` order, the zstd frame and its checksum,
/// and the lifecycle rules (a run starts with `run_created`; a closed run has exactly one
/// terminal event; a plain run journal without one must have a live writer).
public enum JournalVerifier {
    /// The verdict on one journal.
    public struct Report: Sendable {
        public var path: String
        public var kind: JournalKind?
        public var eventCount = 0
        public var lastSeq: Int?
        /// The terminal event's type, for a run that ended.
        public var terminalType: String?
        /// Whether a live writer holds the journal.
        public var isLive = false
        /// Everything wrong, each naming the file and, where there is one, the line.
        public var problems: [String] = []

        public var isValid: Bool { problems.isEmpty }
    }

    /// Verifies the journal at `path`.
    public static func verify(path: String) -> Report {
        var report = Report(path: path)
        do {
            report.kind = try JournalKind.detect(path: path)
            report.isLive = JournalLock.isHeld(JournalFile(path).plainPath)
            switch report.kind {
            case .run: try check(RunEvent.self, into: &report)
            case .instance: try check(InstanceEvent.self, into: &report)
            case nil: report.problems.append("\(path): not a journal (its first line is not a run or instance event)")
            }
        } catch {
            report.problems.append(error.description)
        }
        return report
    }

    /// Every journal under `directory`, recursively (`.jsonl` and `.jsonl.zst`), sorted.
    public static func journals(under directory: String) throws(JournalError) -> [String] {
        try JournalFile.paths(under: directory, endingWith: [JournalFile.plainSuffix, JournalFile.compressedSuffix])
    }

    private static func check<Payload: JournalPayload>(_: Payload.Type, into report: inout Report) throws(JournalError)
    {
        let reader = try JournalReader<Payload>(path: report.path)
        report.path = reader.path
        var first = true
        while let record = try reader.next() {
            switch record {
            case .event(let event):
                if first { checkFirst(event, in: &report) }
                first = false
                report.eventCount += 1
                if event.payload.isTerminal { report.terminalType = event.payload.typeName }
            case .problem(let problem):
                if case .tornLastLine = problem.kind, report.isLive { continue }
                report.problems.append(problem.description)
            }
        }
        report.lastSeq = reader.lastGoodSeq
        guard report.kind == .run else { return }
        let file = JournalFile(report.path)
        if reader.isCompressed {
            if report.terminalType == nil {
                report.problems.append("\(report.path): closed without a terminal event")
            }
        } else if !report.isLive {
            if report.terminalType == nil {
                report.problems.append(
                    "\(report.path): unclosed run whose writer is gone; `athanor recover` closes it as interrupted")
            } else if POSIX.exists(file.compressedPath) {
                report.problems.append(
                    "\(report.path): both the plain and the compressed form exist (a close was interrupted); `athanor recover` finishes it"
                )
            }
        }
    }

    private static func checkFirst<Payload: JournalPayload>(_ event: JournalEvent<Payload>, in report: inout Report) {
        let expected = report.kind == .run ? "run_created" : "instance_created"
        if event.payload.typeName != expected {
            report.problems.append(
                "\(report.path):1: the first event is \(event.payload.typeName), expected \(expected)")
        }
    }
}
