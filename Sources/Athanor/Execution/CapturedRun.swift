import CLinux
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program run to its end with its output captured (standard output whole, standard error's
/// end), killed with its process group when it outlasts its time.
struct CapturedRun {
    let termination: ChildProcess.Termination?
    let standardOutput: [UInt8]
    let standardError: [UInt8]

    /// How the program ended, in words.
    var ending: String {
        switch termination {
        case .exited(let status)?: "it exited with status \(status)"
        case .signalled(let signal)?: "it was killed by signal \(signal)"
        case nil: "it did not answer in time and was stopped"
        }
    }

    /// The last 4,000 characters of standard error.
    var errorTail: String {
        String(String(decoding: standardError.suffix(4000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func run(executable: String, arguments: [String], timeout: Duration) throws(ProgramError) -> CapturedRun {
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        guard athanor_cloexec_pipe(&output) == 0 else { throw .start("no pipe: \(String(cString: strerror(errno)))") }
        guard athanor_cloexec_pipe(&errors) == 0 else {
            close(output[0])
            close(output[1])
            throw .start("no pipe: \(String(cString: strerror(errno)))")
        }
        let nullInput = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(nullInput) }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable: executable, arguments: arguments, descriptors: [0: nullInput, 1: output[1], 2: errors[1]],
                newProcessGroup: true)
        } catch {
            for descriptor in output + errors { close(descriptor) }
            throw .start("could not start \(executable): \(error)")
        }
        close(output[1])
        close(errors[1])
        let done = DispatchGroup()
        let standardOutput = DrainedPipe(output[0], group: done)
        let standardError = DrainedPipe(errors[0], group: done)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let timedOut = done.wait(timeout: .now() + seconds) == .timedOut
        if timedOut {
            child.killGroup()
            done.wait()
        }
        // Both pipes are at their end: the program has exited or is about to (its reaper
        // thread records how within moments; no task is awaited, as callers may be async code).
        while child.termination == nil { usleep(500) }
        return CapturedRun(
            termination: timedOut ? nil : child.termination, standardOutput: standardOutput.bytes,
            standardError: standardError.bytes)
    }
}

/// A pipe read to its end on a thread of its own.
private final class DrainedPipe: @unchecked Sendable {
    // Written by the reading thread only, read once the group says it is done.
    private(set) var bytes: [UInt8] = []

    init(_ descriptor: Int32, group: DispatchGroup) {
        group.enter()
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                bytes.append(contentsOf: buffer[..<count])
            }
            close(descriptor)
            group.leave()
        }.start()
    }
}
