/// A run event read without its bulky parts: a result's `value` is left unread (`null`) and a
/// log's `metadata` absent. For readers that fold, count or list events without looking at
/// those (``RunSummary``-style projections, the terminal's live panel): decoding a line then
/// costs a fraction of reading its values.
///
/// Never a record of the run: the journal holds the values, and every reader that shows or
/// exports them reads ``RunEvent``.
public struct RunEventOutline: JournalDecodable {
    /// The event, its result value and log metadata left out.
    public var event: RunEvent

    public var typeName: String { event.typeName }
    public var isTerminal: Bool { event.isTerminal }

    public static func decode(typeName: String, fields: EventFields) throws(EventDecodingError) -> RunEventOutline? {
        try RunEvent.decode(typeName: typeName, fields: fields, readingValues: false).map { RunEventOutline(event: $0) }
    }
}

extension JournalEvent where Payload == RunEventOutline {
    /// The event with its outlined payload, for folds over ``RunEvent``.
    public var outlined: JournalEvent<RunEvent> {
        JournalEvent<RunEvent>(seq: seq, timestamp: timestamp, payload: payload.event)
    }
}
