import AthanorJournal

/// A run as it was after one event: its journal folded up to a `seq` (a run's state is the same
/// fold whether it is live, replayed or rebuilt), with its results and its timeline.
public struct RunReplay: Sendable {
    /// One event of the timeline.
    public struct Moment: Sendable, Equatable {
        public var seq: Int
        public var timestamp: Timestamp
        /// Seconds since the run's first event.
        public var offset: Double
        public var type: String
    }

    /// The run's state after the last event folded.
    public var summary = RunSummary()
    /// Its results then, one per key.
    public var results = RunResults()
    /// The last events folded (at most the limit asked for), oldest first.
    public var timeline: [Moment] = []
    /// How many events were folded.
    public var timelineTotal = 0

    /// Folds the journal at `path` up to `seq` (all of it when `nil`), keeping the last
    /// `timelineLimit` events of the timeline; `onProblem` hears of every line that cannot be
    /// read, after `seq` too (the state is only as trustworthy as the journal).
    public static func read(
        journal path: String, at seq: Int?, timelineLimit: Int = 0, onProblem: (JournalProblem) -> Void = { _ in }
    ) throws(JournalError) -> RunReplay {
        var replay = RunReplay()
        var origin: Timestamp?
        let reader = try JournalReader<RunEvent>(path: path)
        while let record = try reader.next() {
            switch record {
            case .event(let event):
                if let seq, event.seq > seq { continue }
                replay.summary.apply(event)
                replay.results.apply(event)
                replay.timelineTotal += 1
                guard timelineLimit > 0 else { continue }
                let start = origin ?? event.timestamp
                origin = start
                replay.timeline.append(
                    Moment(
                        seq: event.seq, timestamp: event.timestamp,
                        offset: Double(event.timestamp.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 1e6,
                        type: event.payload.typeName))
                if replay.timeline.count > 2 * timelineLimit { replay.timeline.removeFirst(timelineLimit) }
            case .problem(let problem):
                if case .tornLastLine = problem.kind, !reader.isCompressed { continue }
                onProblem(problem)
            }
        }
        replay.timeline = Array(replay.timeline.suffix(timelineLimit))
        return replay
    }
}
