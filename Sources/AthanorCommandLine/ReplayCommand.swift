import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

/// `athanor replay`: a run's timeline.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Show a run's events as a timeline, or its raw journal lines.",
        discussion: """
            Each line shows the time since the run was created, the seq, the event type and its \
            details. --json prints the journal's lines as they are; --follow keeps going until a live \
            run ends.
            """)

    @Argument(help: "The run's ID or a unique prefix of it.")
    var runID: String

    @Flag(help: "Keep printing events until the run ends.")
    var follow = false

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let entry = try data.openCatalog().run(runID)
        var encoder = EventLineEncoder()
        var start: Timestamp?
        let print: (JournalEvent<RunEvent>) throws -> Void = { event in
            if output.json {
                Swift.print(try encoder.line(event), terminator: "")
                return
            }
            let origin = start ?? event.timestamp
            start = origin
            let offset = Double(event.timestamp.microsecondsSinceEpoch - origin.microsecondsSinceEpoch) / 1_000_000
            Swift.print(String(format: "%+10.3fs %7d  ", offset, event.seq) + Self.describe(event.payload))
        }
        if follow {
            for try await event in TailFollower<RunEvent>(path: entry.journalPath) { try print(event) }
        } else {
            let reader = try JournalReader<RunEvent>(path: entry.journalPath)
            while let record = try reader.next() {
                if case .event(let event) = record { try print(event) }
            }
        }
    }

    static func describe(_ event: RunEvent) -> String {
        let type = event.typeName.padding(toLength: 13, withPad: " ", startingAt: 0)
        switch event {
        case .created(let created):
            return type
                + " \(created.experiment) for \(created.instanceName) (\(created.executor)) config \((try? created.config.jsonText()) ?? "")"
        case .started(let pid, let host): return type + " pid \(pid) on \(host)"
        case .log(let record):
            let metadata = record.metadata.flatMap { try? $0.jsonText() }.map { " \($0)" } ?? ""
            return type + " \(record.level.rawValue) \(record.message)\(metadata)"
        case .progress(let update): return type + " \(Output.progress(update))\(update.message.map { " \($0)" } ?? "")"
        case .result(let key, let value): return type + " \(key) = \((try? value.jsonText()) ?? "")"
        case .completed: return type
        case .failed(let error): return type + " \(error)"
        case .cancelled(let reason, let forced): return type + " \(reason)\(forced ? " (forced)" : "")"
        }
    }
}
