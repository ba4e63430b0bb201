import AthanorJournal
import Foundation

/// A request that a run stop, left as a marker file next to its journal
/// (`runs/<instance>/<run>.stop`), so any process (CLI, server, agent) can ask, and the worker
/// and its supervisor both see it.
public struct StopRequest: Sendable, Equatable {
    /// Why the run must stop.
    public enum Kind: String, Sendable {
        /// A user or agent cancelled it: it ends as `run_cancelled`.
        case cancel
        /// Its time limit passed: it ends as `run_failed`.
        case timeout
        /// The process supervising its worker died: it ends as `run_failed`. Never posted as a
        /// marker; the worker learns it through its ``Lifeline``.
        case supervisorExited = "supervisor_exited"
        /// The scheduler is stopping the run's job (a requeue, a preemption): the run does
        /// not end; its journal stays open for the job's next start, or for the executor to
        /// close with what the scheduler says. Never posted as a marker.
        case rescheduled
    }

    public var kind: Kind
    public var reason: String

    public init(kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// The marker's path for the run journal at `journalPath`.
    public static func markerPath(forJournal journalPath: String) -> String {
        JournalFile(journalPath).companionPath(suffix: "stop")
    }

    /// Leaves the marker (the first request wins: an existing marker is kept).
    public func post(forJournal journalPath: String) throws {
        let path = Self.markerPath(forJournal: journalPath)
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let text = try JSONValue.object(["kind": .string(kind.rawValue), "reason": .string(reason)]).jsonText()
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The request left for the run journal at `journalPath`, if any.
    public static func pending(forJournal journalPath: String) -> StopRequest? {
        guard let data = FileManager.default.contents(atPath: markerPath(forJournal: journalPath)),
            let value = try? JSONValue(parsing: String(decoding: data, as: UTF8.self))
        else { return nil }
        return StopRequest(
            kind: value["kind"]?.stringValue.flatMap(Kind.init(rawValue:)) ?? .cancel,
            reason: value["reason"]?.stringValue ?? "cancelled")
    }

    /// Removes the marker once the run has ended.
    public static func clear(forJournal journalPath: String) {
        try? FileManager.default.removeItem(atPath: markerPath(forJournal: journalPath))
    }
}
