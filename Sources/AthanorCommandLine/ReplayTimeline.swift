import Athanor
import AthanorJournal
import Foundation

/// Which events `athanor replay` shows.
struct ReplayFilter {
    var types: Set<String>?
    var level: LogLevel?
    var key: String?
    /// Text the event's journal line must contain (the ``TextSearch`` rule of every log search).
    var grep: TextSearch?
    var from: Int?
    var to: Int?

    func accepts(_ event: JournalEvent<RunEvent>) -> Bool {
        if let from, event.seq < from { return false }
        if let to, event.seq > to { return false }
        if let types, !types.contains(event.payload.typeName) { return false }
        switch event.payload {
        case .log(let record): if let level, record.level < level { return false }
        case .result(let resultKey, _): if let key, resultKey != key { return false }
        default: break
        }
        if let grep {
            var encoder = EventLineEncoder()
            guard let line = try? encoder.line(event), grep.matches(line) else { return false }
        }
        return true
    }
}

/// Sleeps between events to replay them at `speed` times the pace they were recorded.
struct Pacing {
    let speed: Double
    private var previous: Timestamp?

    init(speed: Double) {
        self.speed = speed
    }

    mutating func wait(for event: JournalEvent<RunEvent>) async {
        defer { previous = event.timestamp }
        guard speed > 0, let previous else { return }
        let gap = Double(event.timestamp.microsecondsSinceEpoch - previous.microsecondsSinceEpoch) / 1e6 / speed
        if gap > 0 { try? await Task.sleep(for: .milliseconds(Int64(min(gap, 60) * 1000))) }
    }
}

/// Prints timeline lines: time since creation, wall-clock time, seq, type and details.
struct TimelinePrinter {
    let json: Bool
    let colour: Bool
    private var origin: Timestamp?
    private var encoder = EventLineEncoder()

    init(json: Bool, colour: Bool) {
        self.json = json
        self.colour = colour
    }

    /// Notes every event, shown or not, so offsets count from the run's creation.
    mutating func note(_ event: JournalEvent<RunEvent>) {
        if origin == nil { origin = event.timestamp }
    }

    mutating func print(_ event: JournalEvent<RunEvent>) throws {
        if json {
            Swift.print(try encoder.line(event), terminator: "")
            return
        }
        let origin = origin ?? event.timestamp
        let offset = Double(event.timestamp.microsecondsSinceEpoch - origin.microsecondsSinceEpoch) / 1_000_000
        let clock = String(event.timestamp.rfc3339.dropFirst(11).prefix(12))
        let line = String(format: "%+10.3fs  %@  %7d  ", offset, clock, event.seq) + Self.describe(event.payload)
        Swift.print(colour ? Self.coloured(line, event.payload) : line)
    }

    static func describe(_ event: RunEvent) -> String {
        let type = event.typeName.padding(toLength: 13, withPad: " ", startingAt: 0)
        switch event {
        case .created(let created):
            return type
                + " \(created.experiment) for \(created.instanceName) (\(created.executor)) config \((try? created.config.jsonText()) ?? "")"
        case .queued(let queued):
            return type + " \(queued.executor) job \(queued.jobID) \((try? queued.resources.jsonText()) ?? "")"
        case .started(let pid, let host, let jobID):
            return type + " pid \(pid) on \(host)" + (jobID.map { " (job \($0))" } ?? "")
        case .requeued(let reason): return type + " \(reason)"
        case .log(let record):
            let metadata = record.metadata.flatMap { try? $0.jsonText() }.map { " \($0)" } ?? ""
            return type + " \(record.level.rawValue) \(record.message)\(metadata)"
        case .progress(let update): return type + " \(Output.progress(update))\(update.message.map { " \($0)" } ?? "")"
        case .result(let key, let value): return type + " \(key) = \((try? value.jsonText()) ?? "")"
        case .metric(let record):
            return type + " step \(record.step): " + record.values.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
        case .completed: return type
        case .failed(let error): return type + " \(error)"
        case .cancelled(let reason, let forced): return type + " \(reason)\(forced ? " (forced)" : "")"
        }
    }

    private static func coloured(_ line: String, _ event: RunEvent) -> String {
        let code: String
        switch event {
        case .log(let record):
            switch record.level {
            case .debug: code = "2"
            case .info: code = "0"
            case .warn: code = "33"
            case .error: code = "31"
            }
        case .result: code = "36"
        case .metric: code = "35"
        case .progress: code = "34"
        case .completed: code = "32;1"
        case .failed, .cancelled: code = "31;1"
        default: code = "1"
        }
        return "\u{1B}[\(code)m\(line)\u{1B}[0m"
    }
}
