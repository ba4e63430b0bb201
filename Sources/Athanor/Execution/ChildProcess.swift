import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, holding exactly the file descriptors it is
/// given, with default signal dispositions, reaped by this object alone.
///
/// Foundation's `Process` closes every descriptor beyond standard input, output and error; a
/// worker needs one more (its lifeline, see ``Lifeline``). Because only this object reaps the
/// child, its pid cannot be reused while the object may still signal it.
final class ChildProcess: Sendable {
    /// How the child ended.
    enum Termination: Sendable, Equatable {
        /// It called `exit` with this status.
        case exited(Int32)
        /// A signal killed it.
        case signalled(Int32)
    }

    /// The child's process ID.
    let pid: pid_t
    /// Set once the child has exited (and been reaped).
    let exited = OneTimeSignal()
    private let ending = Mutex<Termination?>(nil)

    /// Starts `executable` with `arguments`, this process's environment with `environment`
    /// added, and the descriptors of `descriptors` (child descriptor ← this process's
    /// descriptor); every other descriptor opened with close-on-exec stays behind. With
    /// `newProcessGroup`, the child leads a process group of its own (see ``killGroup()``).
    static func spawn(
        executable: String, arguments: [String], descriptors: [Int32: Int32], environment: [String: String] = [:],
        newProcessGroup: Bool = false
    ) throws -> ChildProcess {
        // Each source is first duplicated above the standard range (close-on-exec), so that no
        // mapping overwrites a source another one still needs, and a source already at its
        // target number still loses close-on-exec through dup2.
        var duplicates: [(source: Int32, target: Int32)] = []
        defer { for duplicate in duplicates { close(duplicate.source) } }
        for (target, source) in descriptors.sorted(by: { $0.key < $1.key }) {
            let duplicate = fcntl(source, F_DUPFD_CLOEXEC, 10)
            guard duplicate >= 0 else { throw ChildProcessError.spawn(executable, errno: errno) }
            duplicates.append((duplicate, target))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for duplicate in duplicates {
            posix_spawn_file_actions_adddup2(&actions, duplicate.source, duplicate.target)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals this process ignores (SIGINT, SIGTERM, SIGPIPE…) must not stay ignored in the child.
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let added = environment.map { "\($0.key)=\($0.value)" }
        let kept = ProcessInfo.processInfo.environment.filter { environment[$0.key] == nil }.map { "\($0.key)=\($0.value)" }
        let envp = environment.isEmpty ? [] : (kept + added).map { strdup($0) } + [nil]
        defer { for variable in envp { free(variable) } }
        var pid: pid_t = 0
        var status: Int32 = 0
        for attempt in 0..<5 {
            status =
                envp.isEmpty
                ? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
                : posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            // A program written a moment ago can still be open for writing in a child another
            // thread is starting (it inherits the descriptor until its own exec): wait for that.
            guard status == ETXTBSY else { break }
            usleep(UInt32(10_000 << attempt))
        }
        guard status == 0 else { throw ChildProcessError.spawn(executable, errno: status) }
        let child = ChildProcess(pid: pid, leadsGroup: newProcessGroup)
        child.reapInBackground()
        return child
    }

    private let leadsGroup: Bool

    private init(pid: pid_t, leadsGroup: Bool) {
        self.pid = pid
        self.leadsGroup = leadsGroup
    }

    /// How the child ended; `nil` while it runs.
    var termination: Termination? { ending.withLock { $0 } }

    /// Whether the child is still running.
    var isRunning: Bool { termination == nil }

    /// Sends `signal` to the child, unless it has already been reaped (its pid may then belong
    /// to another process).
    func send(_ signal: Int32) {
        ending.withLock { termination in
            if termination == nil { _ = kill(pid, signal) }
        }
    }

    /// Kills the child's whole process group (the child and whatever it started that stayed in
    /// it); for a child started with `newProcessGroup`, whose group is also killed when the
    /// child exits.
    func killGroup() {
        ending.withLock { termination in
            // While the child is unreaped (running or a zombie) its pid cannot name another group.
            if leadsGroup, termination == nil { _ = kill(-pid, SIGKILL) }
        }
    }

    /// Waits until the child has exited and returns how (even when the waiting task is
    /// cancelled: a supervisor always learns how its worker ended).
    func waitUntilExit() async -> Termination {
        if termination == nil { await Task { await exited.wait() }.value }
        return termination ?? .exited(-1)
    }

    /// A blocking wait on a thread of its own, so the exit is known the moment it happens. The
    /// child is reaped under the same lock ``send(_:)`` takes, so its pid is never signalled
    /// once it could belong to another process.
    private func reapInBackground() {
        let thread = Thread { [self] in
            var info = siginfo_t()
            // Waits for the exit without reaping: the pid stays this child's (a zombie) meanwhile.
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            // What a group leader left behind in its group ends with it.
            if leadsGroup { _ = kill(-pid, SIGKILL) }
            ending.withLock { termination in
                var status: Int32 = 0
                var result: pid_t
                repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
                termination =
                    result < 0
                    ? .exited(-1) : (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
            }
            exited.fire()
        }
        thread.start()
    }
}

/// A child process could not be started.
enum ChildProcessError: Error, CustomStringConvertible {
    case spawn(String, errno: Int32)

    var description: String {
        switch self {
        case .spawn(let executable, let code):
            return "could not start \(executable): \(String(cString: strerror(code)))"
        }
    }
}
