import AthanorJournal

/// An instance as lists show it: the instance with its number of runs and its last run.
public struct InstanceListing: Sendable, Equatable {
    public var instance: InstanceState
    public var runCount: Int
    public var lastRun: RunSummary?

    /// The listing of `instance` from its runs, oldest first.
    public init(instance: InstanceState, runs: [RunSummary]) {
        self.instance = instance
        runCount = runs.count
        lastRun = runs.last
    }
}

/// One instance in full: its listing and every run of it, oldest first.
public struct InstanceDetails: Sendable, Equatable {
    public var listing: InstanceListing
    public var runs: [RunSummary]
}

/// A run just started (or created for another process to execute).
public struct StartedRun: Sendable {
    /// What executes it: its ID, journal and time limit.
    public var assignment: RunAssignment
    /// The run as its journal has it now (`pending`).
    public var summary: RunSummary
}

/// What a request to cancel a run did.
public enum CancelOutcome: String, Sendable {
    /// The run was asked to stop; it ends `run_cancelled` shortly.
    case requested
    /// The run had no live writer and was closed `run_cancelled` at once.
    case cancelled
}

/// Which part of a list a page shows.
public enum PageWindow: Sendable, Equatable {
    /// At most `limit` items after skipping `offset` (a scrolling view, or a cursor's next page).
    case first(Int, skipping: Int = 0)
    /// The last `limit` items (the latest lines of a log).
    case last(Int)

    func apply<Items: RandomAccessCollection>(to items: Items) -> Items.SubSequence {
        switch self {
        case .first(let limit, let offset): items.dropFirst(offset).prefix(limit)
        case .last(let limit): items.suffix(limit)
        }
    }
}

/// A page of a run's log lines.
public struct LogPage: Sendable {
    public var run: Catalog.RunEntry
    /// Every log line of the run.
    public var total: Int
    /// The lines that pass the filter.
    public var matched: Int
    /// The lines of the page, in order.
    public var entries: [RunLogs.Entry]
    /// Why the journal could not be read to its end (a damaged compressed journal): the lines
    /// are those before the damage.
    public var failure: String?
}

/// A page of a run's results (one per key, latest value).
public struct ResultPage: Sendable {
    public var run: Catalog.RunEntry
    /// Every result key of the run.
    public var total: Int
    /// The keys that pass the filter.
    public var matched: Int
    /// The results of the page, in the order their keys first appeared.
    public var entries: [RunResults.Entry]
}

/// How waiting for a run ended.
public struct RunWait: Sendable {
    /// The run as it is now.
    public var summary: RunSummary
    /// Whether it had not ended when the time was up.
    public var timedOut: Bool
}
