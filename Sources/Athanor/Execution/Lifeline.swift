import CLinux
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a worker learns at once that the process supervising it has died, whatever killed it
/// (SIGKILL included): a pipe whose write end only the supervisor holds. The worker reads its
/// end; end-of-file means no supervisor is left. It works across `exec` and on every Unix,
/// unlike `PR_SET_PDEATHSIG`, which is Linux-only and fires when the spawning *thread* exits.
public enum Lifeline {
    /// The descriptor number of the read end in a worker.
    public static let workerDescriptor: Int32 = 3

    /// A new lifeline: the read end for the worker, the write end for the supervisor, both
    /// close-on-exec (so that no other child of the supervisor holds the write end).
    static func make() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard athanor_cloexec_pipe(&ends) == 0 else {
            throw ChildProcessError.spawn("a worker's lifeline", errno: errno)
        }
        return (ends[0], ends[1])
    }

    /// Calls `onSupervisorExit` (once, on a thread of its own) when the write end of the
    /// lifeline at `descriptor` is closed: the supervisor has exited.
    public static func watch(_ descriptor: Int32, onSupervisorExit: @escaping @Sendable () -> Void) {
        // Experiment code's own child processes have no business holding it.
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let thread = Thread {
            var byte: UInt8 = 0
            var count: Int
            repeat { count = read(descriptor, &byte, 1) } while count > 0 || (count < 0 && errno == EINTR)
            onSupervisorExit()
        }
        thread.start()
    }
}
