#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A synthetic run for benchmarks, tests and trying tools on: by default the standard
/// workload W (100,000 logs with levels cycling and a small metadata object, 10,000 results of
/// about 200 bytes, 1,000 progress updates), interleaved evenly between `run_created`,
/// `run_started` and `run_completed`.
public struct SyntheticWorkload: Sendable {
    public var logs: Int
    public var results: Int
    public var progressUpdates: Int

    public init(logs: Int = 100_000, results: Int = 10_000, progressUpdates: Int = 1_000) {
        self.logs = logs
        self.results = results
        self.progressUpdates = progressUpdates
    }

    /// Events between `run_started` and the terminal event.
    public var bodyEventCount: Int { logs + results + progressUpdates }

    /// The `run_created` event of a synthetic run named `run`.
    public func createdEvent(run: String) -> RunEvent {
        .created(
            RunCreated(
                run: run, instance: "synthetic", instanceName: "Synthetic workload", experiment: "synthetic",
                config: [
                    "logs": .integer(Int64(logs)), "results": .integer(Int64(results)),
                    "progress": .integer(Int64(progressUpdates)),
                ],
                executor: "inline"))
    }

    /// The events between `run_started` and the terminal event, in order.
    public var bodyEvents: BodyEvents { BodyEvents(workload: self) }

    /// Calls `body` with each event between `run_started` and the terminal event, in order.
    public func forEachBodyEvent(_ body: (RunEvent) throws -> Void) rethrows {
        for event in bodyEvents { try body(event) }
    }

    /// The body of a synthetic run as a lazy sequence: logs, results and progress updates
    /// interleaved evenly, so that any prefix has each kind in proportion.
    public struct BodyEvents: Sequence, Sendable {
        let workload: SyntheticWorkload

        public func makeIterator() -> Iterator { Iterator(workload: workload) }

        /// Produces the events one at a time; holds only counters.
        public struct Iterator: IteratorProtocol {
            let workload: SyntheticWorkload
            let steps: Int
            var step = 0
            var logIndex = 0
            var resultIndex = 0
            var progressIndex = 0
            /// Events of the current step not yet returned (at most three).
            var pending: [RunEvent] = []

            init(workload: SyntheticWorkload) {
                self.workload = workload
                steps = Swift.max(workload.logs, workload.results, workload.progressUpdates)
            }

            public mutating func next() -> RunEvent? {
                while pending.isEmpty {
                    guard step < steps else { return nil }
                    fillStep()
                    step += 1
                }
                return pending.removeFirst()
            }

            private mutating func fillStep() {
                let levels: [LogLevel] = [.debug, .info, .warn, .error]
                if SyntheticWorkload.isDue(step, count: workload.logs, steps: steps) {
                    pending.append(
                        .log(
                            LogRecord(
                                levels[logIndex % 4], "step \(logIndex) done",
                                metadata: [
                                    "step": .integer(Int64(logIndex)), "loss": .double(1.0 / Double(logIndex + 1)),
                                ])))
                    logIndex += 1
                }
                if SyntheticWorkload.isDue(step, count: workload.results, steps: steps) {
                    pending.append(.result(key: "sample_\(resultIndex)", value: SyntheticWorkload.sample(resultIndex)))
                    resultIndex += 1
                }
                if SyntheticWorkload.isDue(step, count: workload.progressUpdates, steps: steps) {
                    progressIndex += 1
                    pending.append(
                        .progress(
                            ProgressUpdate(
                                current: progressIndex, total: workload.progressUpdates,
                                message: "batch \(progressIndex)")))
                }
            }
        }
    }

    /// Writes the whole run: created, started, the body, completed. With `eventsPerSecond`,
    /// paces the body events at that rate; otherwise writes as fast as it can. `afterAppend`
    /// is called after every append (for example to report the writer's ``JournalWriter/durableSeq``).
    public func write(
        to writer: JournalWriter<RunEvent>, run: String, eventsPerSecond: Double? = nil,
        afterAppend: (JournalWriter<RunEvent>) -> Void = { _ in }
    ) throws(JournalError) {
        try writer.append(createdEvent(run: run))
        afterAppend(writer)
        try writer.append(.started(pid: Int(getpid()), host: Self.hostName))
        afterAppend(writer)
        let start = Timestamp.now().microsecondsSinceEpoch
        var written = 0
        do {
            try forEachBodyEvent { event in
                if let eventsPerSecond {
                    let due = start + Int64(Double(written) / eventsPerSecond * 1_000_000)
                    let wait = due - Timestamp.now().microsecondsSinceEpoch
                    if wait > 0 { usleep(UInt32(wait)) }
                }
                try writer.append(event)
                afterAppend(writer)
                written += 1
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw .writerFailed(path: writer.path, reason: "\(error)")
        }
        try writer.append(.completed)
        afterAppend(writer)
    }

    fileprivate static func isDue(_ step: Int, count: Int, steps: Int) -> Bool {
        (step + 1) * count / steps > step * count / steps
    }

    fileprivate static func sample(_ index: Int) -> JSONValue {
        [
            "prompt": .string("What is \(index) plus \(index % 7)? Answer with a number only."),
            "output": .string("The answer is \(index + index % 7)."),
            "tokens": .integer(Int64(40 + index % 60)),
            "score": .double(Double(index % 100) / 100),
            "correct": .bool(index % 3 != 0),
        ]
    }

    /// This machine's host name.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
