import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Ctrl-C in a command that runs something: it asks the work to stop gracefully rather than
/// killing the command.
enum Interrupt {
    /// Calls `handler` on each SIGINT until the returned source is cancelled.
    static func handle(_ handler: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
