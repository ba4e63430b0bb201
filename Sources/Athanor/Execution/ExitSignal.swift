import Synchronization

/// Tells a supervising task at once that its worker process exited, instead of at the next
/// poll: set from `Process.terminationHandler`, awaited with a time limit.
final class ExitSignal: Sendable {
    private struct State {
        var exited = false
        var waiter: CheckedContinuation<Void, Never>?

        mutating func takeWaiter() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            return waiter
        }
    }

    private let state = Mutex(State())

    /// Records the exit and wakes the waiter, if any.
    func markExited() {
        state.withLock { state in
            state.exited = true
            return state.takeWaiter()
        }?.resume()
    }

    /// Returns once the process has exited, or after `interval`, whichever comes first.
    func wait(upTo interval: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask { try? await Task.sleep(for: interval) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForExit() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    guard !state.exited, !Task.isCancelled else { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.takeWaiter() }?.resume()
        }
    }
}
