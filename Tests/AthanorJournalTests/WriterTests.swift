import AthanorJournal
import Foundation
import Testing

@Suite struct WriterTests {
    @Test func aSecondWriterIsLockedOut() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 1, end: nil)
        #expect(throws: JournalError.locked(path: path)) { try JournalWriter<RunEvent>(appendingTo: path) }
        #expect(throws: JournalError.alreadyExists(path: path)) { try JournalWriter<RunEvent>(creating: path) }
        try writer.close()
        let successor = try JournalWriter<RunEvent>(appendingTo: path)
        #expect(successor.lastSeq == 2)
        #expect(try successor.append(.completed) == 3)
        try successor.close()
    }

    @Test func closeCompressesTheEndedJournalAndRemovesThePlainFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 1000)
        try writer.close()
        #expect(!TestFiles.exists(path))
        #expect(!TestFiles.exists(path + ".zst.tmp"))
        let compressed = try Data(contentsOf: URL(fileURLWithPath: path + ".zst"))
        #expect(Array(compressed.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
        // The frame header's descriptor byte has the content-checksum flag (bit 2) set.
        #expect(compressed[4] & 0x04 != 0)
        let events = try JournalReader<RunEvent>.readAll(path: path)
        #expect(events.count == 1002)
        #expect(events.map(\.seq) == Array(1...1002))
        #expect(events.last?.payload == .completed)
    }

    @Test func closingAnUnendedJournalKeepsItPlain() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try writeRun(at: path, logs: 3, end: nil).close()
        #expect(TestFiles.exists(path))
        #expect(!TestFiles.exists(path + ".zst"))
        #expect(try JournalReader<RunEvent>.readAll(path: path).count == 4)
    }

    @Test func appendingAfterTheTerminalEventOrCloseFails() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 0)
        #expect(throws: JournalError.appendAfterTerminal(path: path, terminalSeq: 2)) {
            try writer.append(.log(LogRecord(.info, "late")))
        }
        #expect(throws: JournalError.appendAfterTerminal(path: path, terminalSeq: 2)) {
            try writer.append(.failed(error: "x"))
        }
        try writer.close()
        #expect(throws: JournalError.writerClosed(path: path)) { try writer.append(.completed) }
        #expect(throws: JournalError.writerClosed(path: path)) { try writer.close() }
    }

    @Test func anUnrepresentableValueWritesNothingAndUsesNoSeq() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 0, end: nil)
        do {
            try writer.append(.result(key: "loss", value: .double(.infinity)))
            Issue.record("infinity was written")
        } catch {
            #expect("\(error)".contains("value is inf"))
        }
        #expect(try writer.append(.result(key: "loss", value: 0.5)) == 2)
        try writer.append(.completed)
        try writer.close()
        #expect(try JournalReader<RunEvent>.readAll(path: path).map(\.seq) == [1, 2, 3])
    }

    @Test func anEventOverTheSizeLimitIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try JournalWriter<RunEvent>(creating: path, options: .init(maximumEventBytes: 1000))
        #expect(throws: JournalError.self) {
            try writer.append(.log(LogRecord(.info, String(repeating: "x", count: 2000))))
        }
        #expect(try writer.append(.log(LogRecord(.info, "small"))) == 1)
        try writer.close()
    }

    @Test(arguments: Durability.allCases)
    func everyDurabilityModeWritesEveryEvent(_ durability: Durability) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 500, end: nil, options: .init(durability: durability))
        switch durability {
        case .strict:
            #expect(writer.durableSeq == 501)
        case .lifecycle:
            #expect(writer.durableSeq >= 1)
            try writer.append(.completed)
            #expect(writer.durableSeq == 502)
        case .relaxed:
            try writer.sync()
            #expect(writer.durableSeq == 501)
        }
        try writer.flush()
        try writer.close()
        #expect(try JournalReader<RunEvent>.readAll(path: path).count >= 501)
    }

    @Test func bytesReachTheFileWithoutAnExplicitFlush() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 0, end: nil, options: .init(durability: .relaxed))
        try writer.append(.log(LogRecord(.info, "soon")))
        var lines = 0
        for _ in 0..<500 where lines < 2 {
            lines = try TestFiles.read(path).split(separator: "\n").count
            if lines < 2 { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(lines == 2)
        try writer.close()
    }

    @Test func concurrentAppendsGetContiguousSeqs() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 0, end: nil, options: .init(bufferLimit: 4096))
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<2000 {
                        _ = try? writer.append(.log(LogRecord(.info, "task \(task) line \(index)")))
                    }
                }
            }
        }
        try writer.append(contentsOf: [.progress(ProgressUpdate(current: 1, total: 1)), .completed])
        try writer.close()
        let events = try JournalReader<RunEvent>.readAll(path: path)
        #expect(events.map(\.seq) == Array(1...16_003))
        for task in 0..<8 {
            let lines = events.compactMap { event -> Int? in
                guard case .log(let record) = event.payload, record.message.hasPrefix("task \(task) ") else {
                    return nil
                }
                return Int(record.message.split(separator: " ").last!)
            }
            #expect(lines == Array(0..<2000), "task \(task)'s lines stay in order")
        }
    }

    @Test func reopeningDropsATornLastLineAndContinuesTheSeq() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try writeRun(at: path, logs: 2, end: nil).close()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":4,"ts":"2026-11-26T17:36:43.1"#.utf8))
        try handle.close()
        let writer = try JournalWriter<RunEvent>(appendingTo: path)
        #expect(writer.discardedTornBytes == 36)
        #expect(try writer.append(.completed) == 4)
        try writer.close()
        #expect(try JournalReader<RunEvent>.readAll(path: path).map(\.seq) == [1, 2, 3, 4])
    }
}
