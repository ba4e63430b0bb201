// Experiment authors import `Athanor` alone: the journal types they use (`JSONValue`,
// `LogLevel`, `LogRecord`, `RunEvent`…) come with it.
@_exported import AthanorJournal
