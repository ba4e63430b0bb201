import ArgumentParser
import AthanorJournal

/// `athanor synth`: writes a synthetic run journal.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic run journal (by default the benchmark workload W).",
        discussion: """
            Writes run_created, run_started, LOGS log events, RESULTS results and PROGRESS progress \
            updates interleaved evenly, then run_completed, and closes (compresses) the journal. \
            Useful to try pandas, DuckDB or `athanor verify` on a realistic journal, and used by \
            the tests and benchmarks.
            """
    )

    @Argument(help: "The journal to create (for example run.jsonl); it must not exist.")
    var journal: String

    @Option(help: "Number of log events.")
    var logs = 100_000

    @Option(help: "Number of result events.")
    var results = 10_000

    @Option(help: "Number of progress events.")
    var progress = 1_000

    @Option(help: "Pace the events at this many per second (default: as fast as possible).")
    var rate: Double?

    @Option(help: "strict, lifecycle or relaxed.")
    var durability: String = Durability.lifecycle.rawValue

    @Flag(
        help: ArgumentHelp(
            "Print \"durable SEQ\" on standard output whenever more events are on stable storage.",
            discussion: "The crash tests check that every event reported durable survives a kill."))
    var reportDurable = false

    func validate() throws {
        guard Durability(rawValue: durability) != nil else {
            throw ValidationError("--durability must be strict, lifecycle or relaxed, not \"\(durability)\"")
        }
        guard logs >= 0, results >= 0, progress >= 0 else { throw ValidationError("counts must not be negative") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be a positive number of events per second") }
    }

    func run() throws {
        let workload = SyntheticWorkload(logs: logs, results: results, progressUpdates: progress)
        let name = journal.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0) } ?? "run"
        let options = JournalWriter<RunEvent>.Options(durability: Durability(rawValue: durability) ?? .lifecycle)
        let writer = try JournalWriter<RunEvent>(creating: journal, options: options)
        var reported = 0
        var output = StandardOutput()
        try workload.write(to: writer, run: name, eventsPerSecond: rate) { writer in
            guard reportDurable else { return }
            let durable = writer.durableSeq
            guard durable > reported else { return }
            reported = durable
            Array("durable \(durable)\n".utf8).withUnsafeBytes { output.write($0) }
        }
        try writer.close()
        print("\(JournalFile(journal).compressedPath): \(workload.bodyEventCount + 3) events")
    }
}
