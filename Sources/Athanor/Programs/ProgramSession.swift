import AthanorJournal
import CLinux
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One run of a program experiment: starts the program, hands it the run on its control pipe,
/// records each call it sends on its calls pipe through the run's context, and sees it end.
///
/// The program leads a process group of its own, which is killed when it exits (whatever it
/// left running), when one of its lines cannot be recorded, and when the worker ends first.
enum ProgramSession {
    /// The descriptor number of the calls pipe (program → worker) in the program.
    static let callsDescriptor: Int32 = 3
    /// The descriptor number of the control pipe (worker → program) in the program.
    static let controlDescriptor: Int32 = 4
    /// The protocol version the worker speaks.
    static let protocolVersion = 1
    /// Longer lines are refused (they would hold the worker's memory hostage).
    static let maximumLineLength = 64 << 20

    /// The programs running in this process, killed by ``endAll()``.
    private static let running = Mutex<[pid_t: ChildProcess]>([:])

    /// Runs `program` for the run of `context`; returns when the program has ended.
    /// - Throws: ``ProgramError`` when a line cannot be recorded or the program ends badly
    ///   without saying how the run ended; `CancellationError` when it ends once asked to stop.
    static func run(_ program: ProgramExperiment, in context: RunContext) async throws {
        let (executable, arguments) = try program.command(["run", program.name])
        let calls = try pipe()
        let control: (read: Int32, write: Int32)
        do {
            control = try pipe()
        } catch {
            close(calls.read)
            close(calls.write)
            throw error
        }
        let nullInput = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable: executable, arguments: arguments,
                descriptors: [
                    0: nullInput, 1: STDOUT_FILENO, 2: STDERR_FILENO, callsDescriptor: calls.write,
                    controlDescriptor: control.read,
                ],
                environment: [
                    "ATHANOR_PROTOCOL": String(protocolVersion), "ATHANOR_CALLS_FD": String(callsDescriptor),
                    "ATHANOR_CONTROL_FD": String(controlDescriptor),
                ],
                newProcessGroup: true)
        } catch {
            for descriptor in [nullInput, calls.read, calls.write, control.read, control.write] { close(descriptor) }
            throw ProgramError.start("could not start \(program.file): \(error)")
        }
        for descriptor in [nullInput, calls.write, control.read] { close(descriptor) }
        running.withLock { $0[child.pid] = child }
        let channel = ControlChannel(descriptor: control.write)
        defer {
            channel.close()
            child.killGroup()
            running.withLock { $0[child.pid] = nil }
        }
        channel.send(startMessage(program, context))
        let outcome = await withTaskCancellationHandler {
            let pumped = await pump(calls.read, into: context, program: child)
            close(calls.read)
            return pumped
        } onCancel: {
            channel.send(["type": "cancel", "reason": .string(context.stopReason ?? "cancelled")])
        }
        if let badLine = outcome { throw badLine }
        let termination = await child.waitUntilExit()
        if context.ending != nil { return }
        if context.isCancelled { throw CancellationError() }
        switch termination {
        case .exited(0): return
        case .exited(let status): throw ProgramError.exited("exited with status \(status)")
        case .signalled(let signal):
            throw ProgramError.exited("was killed by signal \(signal) (\(String(cString: strsignal(signal))))")
        }
    }

    /// Kills every program still running in this process (a worker that must end now).
    static func endAll() {
        for child in running.withLock({ Array($0.values) }) { child.killGroup() }
    }

    private static func startMessage(_ program: ProgramExperiment, _ context: RunContext) -> JSONValue {
        [
            "type": "start", "protocol": .integer(Int64(protocolVersion)), "run": .string(context.runID),
            "instance": .string(context.instanceID), "experiment": .string(program.name), "config": context.config,
        ]
    }

    private static func pipe() throws(ProgramError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard athanor_cloexec_pipe(&ends) == 0 else {
            throw .start("could not make a pipe for the program: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }

    /// Reads the calls pipe to its end on a thread of its own, recording each call; returns the
    /// first line that could not be recorded (the program's group is then killed).
    private static func pump(_ descriptor: Int32, into context: RunContext, program: ChildProcess) async
        -> ProgramError?
    {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var reader = CallReader(descriptor: descriptor)
                let failure = reader.forEachLine { line throws(ProgramError) in
                    try record(try ProgramCall(line: line), line: line, in: context)
                }
                if failure != nil { program.killGroup() }
                continuation.resume(returning: failure)
            }
            thread.start()
        }
    }

    private static func record(_ call: ProgramCall, line: Substring, in context: RunContext) throws(ProgramError) {
        do {
            switch call {
            case .log(let record): context.log(record.level, record.message, metadata: record.metadata)
            case .logBatch(let records): context.logBatch(records)
            case .result(let key, let value): try context.result(key, value)
            case .progress(let update): context.progress(update.current, of: update.total, update.message)
            case .metrics(let values, let step): try context.recordMetric(values, step: step)
            case .complete: try context.complete()
            case .fail(let error): try context.fail(error)
            }
        } catch {
            throw .badLine(line: ProgramError.quoted(line), problem: error.description)
        }
    }
}

/// The worker's end of a program's control pipe: one JSON line per message, in order, from
/// any thread; a program that has gone is no error.
private final class ControlChannel: Sendable {
    private let descriptor: Mutex<Int32?>

    init(descriptor: Int32) {
        self.descriptor = Mutex(descriptor)
    }

    func send(_ message: JSONValue) {
        guard let text = try? message.jsonText() else { return }
        let line = Array((text + "\n").utf8)
        descriptor.withLock { descriptor in
            guard let fd = descriptor else { return }
            var written = 0
            while written < line.count {
                let count = line[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return }
                written += count
            }
        }
    }

    func close() {
        descriptor.withLock { descriptor in
            if let fd = descriptor { _ = Glibc.close(fd) }
            descriptor = nil
        }
    }
}

/// Splits what a program writes into lines.
private struct CallReader {
    let descriptor: Int32
    private var pending: [UInt8] = []

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Calls `body` with each complete line (without its newline) until the end of the pipe or
    /// the first error, which it returns. A last line without a newline is a line too.
    mutating func forEachLine(_ body: (Substring) throws(ProgramError) -> Void) -> ProgramError? {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[..<count])
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if newline > start, let failure = deliver(pending[start..<newline], to: body) { return failure }
                start = newline + 1
            }
            pending.removeFirst(start)
            if pending.count > ProgramSession.maximumLineLength {
                return .badLine(
                    line: ProgramError.quoted(String(decoding: pending.prefix(120), as: UTF8.self)),
                    problem: "a line longer than \(ProgramSession.maximumLineLength >> 20) MiB")
            }
        }
        return pending.isEmpty ? nil : deliver(pending[...], to: body)
    }

    /// Passes one line to `body`; a line that is not UTF-8 is refused as it is.
    private func deliver(_ bytes: ArraySlice<UInt8>, to body: (Substring) throws(ProgramError) -> Void) -> ProgramError? {
        guard let line = String(validating: bytes, as: UTF8.self) else {
            return .badLine(
                line: ProgramError.quoted(String(decoding: bytes, as: UTF8.self)), problem: "not valid UTF-8")
        }
        do {
            try body(line[...])
            return nil
        } catch {
            return error
        }
    }
}
