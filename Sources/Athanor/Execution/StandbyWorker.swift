import AthanorJournal
import CDescriptorPassing
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A worker process started before its run, waiting to be handed one (`athanor worker
/// --standby`): the run's worker arguments and the journal's lock come as one message, the lock
/// passed as a descriptor (SCM_RIGHTS), on a socket that is the worker's standard input. A run
/// then does not wait for a new process to load the binary and its libraries (about 20 ms here),
/// and each run still has a process of its own, used once.
///
/// The worker holds its ``Lifeline`` from the start, and exits when the socket's other end is
/// closed before a run came (``dismiss()``, or this process ended).
public struct StandbyWorker: Sendable {
    let process: ChildProcess
    /// This process's end of the socket.
    private let socket: Int32
    /// The write end of the worker's lifeline, for whoever supervises its run.
    let lifeline: Int32

    /// The most bytes of arguments one handing over carries.
    static let messageCapacity = 64 * 1024

    /// Starts a worker that waits for its run: `executable` with `arguments` (`worker`, …).
    static func spawn(executable: String, arguments: [String]) throws -> StandbyWorker {
        var ends: [Int32] = [0, 0]
        guard athanor_socket_pair(&ends) == 0 else {
            throw ChildProcessError.spawn("a standby worker's socket", errno: errno)
        }
        defer { close(ends[1]) }
        let lifeline: (read: Int32, write: Int32)
        do {
            lifeline = try Lifeline.make()
        } catch {
            close(ends[0])
            throw error
        }
        defer { close(lifeline.read) }
        do {
            let process = try ChildProcess.spawn(
                executable: executable,
                arguments: arguments + ["--standby", "--lifeline", String(Lifeline.workerDescriptor)],
                descriptors: [0: ends[1], 1: STDERR_FILENO, 2: STDERR_FILENO, Lifeline.workerDescriptor: lifeline.read])
            return StandbyWorker(process: process, socket: ends[0], lifeline: lifeline.write)
        } catch {
            close(ends[0])
            close(lifeline.write)
            throw error
        }
    }

    /// Hands the worker its run: `arguments` (what follows `worker` on a new worker's command
    /// line) and the journal's lock. `false` when the worker is gone (it is then let go).
    func hand(arguments: [String], lease: JournalLease) -> Bool {
        guard let message = try? JSONEncoder().encode(arguments), message.count <= Self.messageCapacity else {
            dismiss()
            return false
        }
        let sent = message.withUnsafeBytes {
            athanor_send_descriptor(socket, $0.baseAddress, $0.count, lease.descriptor)
        }
        close(socket)
        guard sent == message.count else {
            close(lifeline)
            return false
        }
        return true
    }

    /// Lets the worker go without a run: it exits.
    func dismiss() {
        close(socket)
        close(lifeline)
    }

    /// In the standby worker: waits on standard input for its run. Returns the run's worker
    /// arguments, with the journal's lock now standard input; `nil` when let go without a run.
    public static func awaitRun() throws(StandbyError) -> [String]? {
        var message = [UInt8](repeating: 0, count: messageCapacity)
        var descriptor: Int32 = -1
        let received = message.withUnsafeMutableBytes {
            athanor_receive_descriptor(STDIN_FILENO, $0.baseAddress, $0.count, &descriptor)
        }
        guard received > 0 else {
            if received < 0 { throw .receive(errno: errno) }
            return nil
        }
        guard descriptor >= 0 else { throw .noLock }
        defer { close(descriptor) }
        guard dup2(descriptor, STDIN_FILENO) == STDIN_FILENO else { throw .receive(errno: errno) }
        guard let arguments = try? JSONDecoder().decode([String].self, from: Data(message[..<received])) else {
            throw .unreadable
        }
        return arguments
    }
}

/// Why a standby worker could not take its run.
public enum StandbyError: Error, CustomStringConvertible {
    case receive(errno: Int32)
    case noLock
    case unreadable

    public var description: String {
        switch self {
        case .receive(let code): return "a standby worker could not receive its run: \(String(cString: strerror(code)))"
        case .noLock: return "a standby worker was handed a run without its journal's lock"
        case .unreadable: return "a standby worker was handed a run it cannot read"
        }
    }
}
