/// When a writer forces events to stable storage (fsync) before `append` returns.
///
/// In every mode the bytes of an event reach the file (the kernel's page cache, where
/// followers see them) as soon as the flusher is free: group commit, not a timer. Durability
/// only decides which appends also wait for fsync.
public enum Durability: String, Sendable, CaseIterable {
    /// Every event is fsync'ed before its `append` returns (slowest, safest).
    case strict
    /// Lifecycle events (run created, started, ended; every instance event) are fsync'ed
    /// before `append` returns; the rest are fsync'ed at the next lifecycle event or close.
    /// The default.
    case lifecycle
    /// Nothing waits for fsync until close.
    case relaxed
}
