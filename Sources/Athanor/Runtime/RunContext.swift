import AthanorJournal
import Foundation
import Synchronization

/// What an experiment's ``Experiment/run(_:)`` records through: logs, results, progress, and
/// the end of the run, each appended to the run's journal as a typed event.
///
/// Every call is synchronous and cheap (the event is encoded into the journal's buffer under a
/// short lock) and safe from many tasks at once.
public final class RunContext: Sendable {
    /// The run's ID.
    public let runID: String
    /// The instance's ID.
    public let instanceID: String
    /// The validated configuration, defaults applied.
    public let config: JSONValue

    private let writer: JournalWriter<RunEvent>
    private let cancellation: CancellationFlag
    private let firstWriteError = Mutex<JournalError?>(nil)
    private let explicitEnding = Mutex<RunEvent?>(nil)
    /// The step each metric key records at next when none is given.
    private let nextSteps = Mutex<[String: Int]>([:])

    init(
        runID: String, instanceID: String, config: JSONValue, writer: JournalWriter<RunEvent>,
        cancellation: CancellationFlag
    ) {
        self.runID = runID
        self.instanceID = instanceID
        self.config = config
        self.writer = writer
        self.cancellation = cancellation
    }

    // MARK: Configuration

    /// The configuration decoded as `type`; snake_case keys map to camelCase properties
    /// (`delay_ms` → `delayMs`).
    public func config<Config: Decodable>(as type: Config.Type) throws(HarnessError) -> Config {
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(Config.self, from: Data(try config.jsonText().utf8))
        } catch {
            throw .configDecoding(type: String(describing: Config.self), reason: "\(error)")
        }
    }

    // MARK: Recording

    /// Logs a message. Metadata that JSON cannot hold (NaN, ±Infinity) is replaced by
    /// `{"unrecordable_metadata": "<why>"}`, so the message itself is never lost.
    public func log(_ level: LogLevel, _ message: String, metadata: JSONValue? = nil) {
        record(.log(LogRecord(level, message, metadata: metadata)))
    }

    /// Logs several messages at once (one lock, consecutive `seq`s).
    public func logBatch(_ entries: [LogRecord]) {
        do {
            try writer.append(contentsOf: entries.map { .log($0) })
        } catch .unrepresentable {
            for entry in entries { log(entry.level, entry.message, metadata: entry.metadata) }
        } catch {
            remember(error)
        }
    }

    /// Reports progress: `current` of `total`, with an optional message.
    public func progress(_ current: Int, of total: Int, _ message: String? = nil) {
        record(.progress(ProgressUpdate(current: current, total: total, message: message)))
    }

    /// Records a result under `key`.
    /// - Throws: ``HarnessError/resultEncoding(key:reason:)`` for a value JSON cannot hold.
    public func result(_ key: String, _ value: JSONValue) throws(HarnessError) {
        do {
            try writer.append(.result(key: key, value: value))
        } catch .unrepresentable(_, let reason) {
            throw .resultEncoding(key: key, reason: reason.description)
        } catch {
            remember(error)
            throw .journal(error)
        }
    }

    /// Records any `Encodable` value as a result under `key`, encoded by Foundation's
    /// `JSONEncoder` with sorted keys (so the same value always writes the same line).
    public func result(_ key: String, _ value: some Encodable) throws(HarnessError) {
        let json: JSONValue
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            json = try JSONValue(parsing: String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            throw .resultEncoding(key: key, reason: "\(error)")
        }
        try result(key, json)
    }

    /// Records the point (`step`, `value`) of the metric curve `key`, for example
    /// `ctx.metric("loss", 0.31, step: 120)`. Without a step, the point goes at the key's next
    /// step (0, then one after the last step recorded for it).
    /// - Throws: ``HarnessError/invalidMetric(key:reason:)`` for NaN or ±Infinity, a negative
    ///   step or an empty key; nothing is recorded then.
    public func metric(_ key: String, _ value: Double, step: Int? = nil) throws(HarnessError) {
        try recordMetric([MetricRecord.Value(key, value)], step: step)
    }

    /// Records several metrics at one step in one journal line, keys in the order given:
    /// `ctx.metrics(["loss": 0.31, "accuracy": 0.88], step: 120)`. Without a step, the step is
    /// the latest next step of the keys given (so no key goes back).
    /// - Throws: ``HarnessError/invalidMetric(key:reason:)`` as ``metric(_:_:step:)``.
    public func metrics(_ values: KeyValuePairs<String, Double>, step: Int? = nil) throws(HarnessError) {
        try recordMetric(values.map { MetricRecord.Value($0.key, $0.value) }, step: step)
    }

    func recordMetric(_ values: [MetricRecord.Value], step: Int?) throws(HarnessError) {
        guard !values.isEmpty else { return }
        for value in values {
            if value.key.isEmpty { throw .invalidMetric(key: "", reason: "the key is empty") }
            if !value.value.isFinite {
                throw .invalidMetric(key: value.key, reason: "\(value.value) is not a finite number")
            }
        }
        if let step, step < 0 { throw .invalidMetric(key: values[0].key, reason: "step \(step) is negative") }
        let resolved = nextSteps.withLock { next in
            if values.count == 1 {
                // One lookup of the key, the common case.
                func advance(_ next: inout Int) -> Int {
                    let at = step ?? next
                    next = at + 1
                    return at
                }
                return advance(&next[values[0].key, default: 0])
            }
            var at = 0
            if let step { at = step } else { for value in values { at = max(at, next[value.key] ?? 0) } }
            for value in values { next[value.key] = at + 1 }
            return at
        }
        record(.metric(MetricRecord(step: resolved, values: values)))
    }

    /// Ends the run as completed now.
    public func complete() throws(HarnessError) {
        try end(.completed)
    }

    /// Ends the run as failed now, with `error` as the reason.
    public func fail(_ error: String) throws(HarnessError) {
        try end(.failed(error: error))
    }

    // MARK: Cancellation

    /// Whether the run has been asked to stop (by a user, an agent or a timeout), or can no
    /// longer be recorded (its journal failed, for example on a full disk): then the run
    /// ends as failed with the reason.
    public var isCancelled: Bool { cancellation.isSet || Task.isCancelled || writeError != nil }

    /// Throws `CancellationError` once the run has been asked to stop.
    public func checkCancellation() throws {
        if isCancelled { throw CancellationError() }
    }

    // MARK: Internals

    /// The first failure to record anything, which fails the run when it ends.
    var writeError: JournalError? { firstWriteError.withLock { $0 } }

    /// Why the run was asked to stop, once it was.
    var stopReason: String? { cancellation.request?.reason }

    /// The terminal event `complete()` or `fail(_:)` recorded, if either was called.
    var ending: RunEvent? { explicitEnding.withLock { $0 } }

    private func record(_ event: RunEvent) {
        do {
            try writer.append(event)
        } catch .unrepresentable(_, let reason) {
            if case .log(let entry) = event {
                record(
                    .log(
                        LogRecord(
                            entry.level, entry.message, metadata: ["unrecordable_metadata": .string(reason.description)]
                        )))
            }
        } catch {
            remember(error)
        }
    }

    private func end(_ event: RunEvent) throws(HarnessError) {
        do {
            try writer.append(event)
            explicitEnding.withLock { $0 = event }
        } catch .appendAfterTerminal {
            throw .runAlreadyEnded(run: runID)
        } catch {
            remember(error)
            throw .journal(error)
        }
    }

    private func remember(_ error: JournalError) {
        firstWriteError.withLock { if $0 == nil { $0 = error } }
    }
}

/// Asks a run to stop, and says why; settable from any thread.
final class CancellationFlag: Sendable {
    private let state = Mutex<StopRequest?>(nil)

    /// Whether the run has been asked to stop.
    var isSet: Bool { state.withLock { $0 != nil } }

    /// The request, once made.
    var request: StopRequest? { state.withLock { $0 } }

    /// Asks the run to stop; the first request is kept.
    func set(_ request: StopRequest) {
        state.withLock { if $0 == nil { $0 = request } }
    }

    /// Fired when the run must end now, whether or not the experiment has stopped: its worker
    /// has no supervisor left to kill it after the grace period.
    let forced = OneTimeSignal()

    /// Ends the run now (as its stop request says, forced); the experiment is abandoned.
    func force() {
        forced.fire()
    }
}
