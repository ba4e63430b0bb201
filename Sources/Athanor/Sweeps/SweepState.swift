import AthanorJournal

/// A sweep as its journal says it is: a pure fold over sweep events.
public struct SweepState: Sendable {
    /// How the last drive of the sweep ended, as recorded.
    public enum Outcome: Sendable, Equatable {
        /// Not recorded: the sweep is being run, or its driver stopped before the end (resumable).
        case open
        case cancelled(reason: String)
        case completed
    }

    public var created: SweepCreated?
    /// Every trial started, in order (a trial started again after a resume appears again).
    public var started: [SweepTrialStarted] = []
    public var outcome = Outcome.open
    public var createdAt: Timestamp?
    public var updatedAt: Timestamp?

    public init() {}

    public init(events: some Sequence<JournalEvent<SweepEvent>>) {
        for event in events { apply(event) }
    }

    public mutating func apply(_ event: JournalEvent<SweepEvent>) {
        updatedAt = event.timestamp
        switch event.payload {
        case .created(let created):
            self.created = created
            createdAt = event.timestamp
        case .resumed: outcome = .open
        case .trialStarted(let trial): started.append(trial)
        case .cancelled(let reason): outcome = .cancelled(reason: reason)
        case .completed: outcome = .completed
        }
    }
}
