/// What readers (``JournalReader``, ``TailFollower``) decode each line's body into: a journal's
/// typed events, or a lighter view of them for a reader that needs less.
///
/// The line format is fixed by DESIGN.md section 2 and documented for users in
/// `docs/journal-format.md`.
public protocol JournalDecodable: Sendable, Equatable {
    /// The value of the line's `type` field (`log`, `run_completed`, …).
    var typeName: String { get }

    /// Whether this event ends the journal: nothing may follow it.
    var isTerminal: Bool { get }

    /// Reads an event of type `typeName` from its fields; `nil` for a type this payload does
    /// not know (readers skip those, so newer journals stay readable).
    static func decode(typeName: String, fields: EventFields) throws(EventDecodingError) -> Self?
}

/// The typed body of one kind of journal: run events or instance events.
///
/// A payload knows its `type` name and how to write and read the fields that follow
/// `seq`, `ts` and `type` on its line.
public protocol JournalPayload: JournalDecodable {
    /// Whether the writer makes this event durable (fsync) before `append` returns under the
    /// default durability.
    var isLifecycle: Bool { get }

    /// Writes `,"type":"…"` and the fields after it.
    func encodeFields(into encoder: inout JSONLineEncoder) throws(JSONEncodingError)
}

/// One event of a journal: its position, its time and its typed payload.
public struct JournalEvent<Payload: JournalDecodable>: Sendable, Equatable {
    /// Position in the journal: 1, 2, 3… with no gaps.
    public var seq: Int
    /// When the writer recorded the event.
    public var timestamp: Timestamp
    /// What happened.
    public var payload: Payload

    public init(seq: Int, timestamp: Timestamp, payload: Payload) {
        self.seq = seq
        self.timestamp = timestamp
        self.payload = payload
    }
}
