import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

/// `athanor replay`: inspect a run's journal as a timeline, or as it was at any event.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Inspect a run: its timeline, filtered, at any pace, or its state at any event.",
        discussion: """
            Each line shows the time since the run was created, the wall-clock time, the seq, the \
            event type and its details (coloured by level on a terminal). RUN is a run ID (a unique \
            prefix works) or a journal file (.jsonl or .jsonl.zst), even one outside any data \
            directory. --at SEQ prints the run as it was after that event: status, progress, log \
            counts and the results so far. --speed 10 replays ten times faster than it happened. \
            --json prints the journal lines themselves (filters apply).
            """)

    @Argument(help: "A run ID (or unique prefix), or a journal file.")
    var run: String

    @Option(help: "Only events of these types (comma-separated: log,result,progress,run_started,…).")
    var type: String?

    @Option(help: "Only log lines at this level or above (other events are kept unless --type says otherwise).")
    var level: LogLevel?

    @Option(help: "Only results with this key (other events are kept unless --type says otherwise).")
    var key: String?

    @Option(help: "Only events whose line contains this text (case- and accent-insensitive, as every log search).")
    var grep: String?

    @Option(help: "Start at this seq.")
    var from: Int?

    @Option(help: "Stop at this seq.")
    var to: Int?

    @Option(help: "Print the run's state as it was after this event, instead of the timeline.")
    var at: Int?

    @Option(help: "Replay at this many times the original pace (0: as fast as possible).")
    var speed: Double = 0

    @Flag(help: "Keep going until a live run ends.")
    var follow = false

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard speed >= 0 else { throw ValidationError("--speed must not be negative") }
        if let at, at < 1 { throw ValidationError("--at must be a seq (1 or more)") }
    }

    func run() async throws {
        let journal = try journalPath()
        if let at {
            try printState(journal, at: at)
            return
        }
        let filter = ReplayFilter(
            types: type.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) },
            level: level, key: key, grep: grep.map(TextSearch.init), from: from, to: to)
        var printer = TimelinePrinter(json: output.json, colour: isatty(1) == 1 && !output.json)
        var pacing = Pacing(speed: speed)
        let events: any AsyncSequence<JournalEvent<RunEvent>, any Error> =
            follow
            ? TailFollower<RunEvent>(path: journal) { Output.note("warning: \($0)") } : JournalEvents(path: journal)
        for try await event in events {
            if let to, event.seq > to { break }
            printer.note(event)
            guard filter.accepts(event) else { continue }
            await pacing.wait(for: event)
            try printer.print(event)
        }
    }

    /// The journal: the file given, or the run's journal in the data directory.
    private func journalPath() throws -> String {
        if run.contains("/") || JournalFile.isJournalName(run) {
            guard FileManager.default.fileExists(atPath: JournalFile(run).currentPath) else {
                throw CommandFailure("\(run): no such journal file")
            }
            guard (try? JournalKind.detect(path: run)) == .run else {
                throw CommandFailure("\(run): not a run journal (its first line is not a run event)")
            }
            return run
        }
        return try data.openLab().run(run).journalPath
    }

    private func printState(_ journal: String, at seq: Int) throws {
        let replay = try RunReplay.read(journal: journal, at: seq) { Output.note("warning: \($0)") }
        if replay.timelineTotal == 0 { JournalReader<RunEvent>.warnAboutNoEvents(in: JournalFile(journal).currentPath) }
        let (summary, results) = (replay.summary, replay.results)
        if output.json {
            try Output.json(replay.stateJSON)
            return
        }
        print("at seq      \(summary.lastSeq)\(summary.lastSeq < seq ? " (the journal ends there)" : "")")
        print("status      \(summary.status.rawValue)\(summary.error.map { ": \($0)" } ?? "")")
        print("progress    \(Output.progress(summary.progress))\(summary.progress?.message.map { "  \($0)" } ?? "")")
        let counts = summary.logCounts
        print(
            "logs        \(counts.total) (debug \(counts.debug), info \(counts.info), warn \(counts.warn), error \(counts.error))"
        )
        print("results     \(results.entries.count)")
        for entry in results.entries { print("  \(entry.key) = \((try? entry.value.jsonText()) ?? "")") }
    }
}

/// Every event of a closed or live journal as it is now, as an async sequence.
struct JournalEvents: AsyncSequence {
    let path: String

    struct Iterator: AsyncIteratorProtocol {
        let reader: JournalReader<RunEvent>?
        let failure: (any Error)?

        var isEmpty = true

        mutating func next() async throws -> JournalEvent<RunEvent>? {
            if let failure { throw failure }
            guard let reader else { return nil }
            while let record = try reader.next() {
                switch record {
                case .event(let event):
                    isEmpty = false
                    return event
                case .problem(let problem):
                    if case .tornLastLine = problem.kind, !reader.isCompressed { continue }
                    isEmpty = false
                    Output.note("warning: \(problem)")
                }
            }
            if isEmpty {
                isEmpty = false
                JournalReader<RunEvent>.warnAboutNoEvents(in: reader.path)
            }
            return nil
        }
    }

    func makeAsyncIterator() -> Iterator {
        do {
            return Iterator(reader: try JournalReader<RunEvent>(path: path), failure: nil)
        } catch {
            return Iterator(reader: nil, failure: error)
        }
    }
}
