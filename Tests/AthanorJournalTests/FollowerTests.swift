import AthanorJournal
import Foundation
import Testing

@Suite struct FollowerTests {
    /// Collects what a follower yields until it finishes, noting each `seq` in `delivered`.
    private func collect(_ follower: TailFollower<RunEvent>, delivered: DeliveredSeq? = nil)
        -> Task<[JournalEvent<RunEvent>], any Error>
    {
        Task {
            var events: [JournalEvent<RunEvent>] = []
            for try await event in follower {
                events.append(event)
                delivered?.record(event.seq)
            }
            return events
        }
    }

    /// Waits until `condition` holds, failing the test after 30 s.
    private func waitUntil(_ what: Comment, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        while !condition() {
            try #require(ContinuousClock.now < deadline, what)
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test func followsLiveAppendsThroughTheSwitchToZstd() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 3, end: nil)
        let delivered = (0..<4).map { _ in DeliveredSeq() }
        let followers = delivered.map { collect(TailFollower<RunEvent>(path: path), delivered: $0) }
        for index in 0..<200 {
            let seq = try writer.append(.log(LogRecord(.info, "live \(index)")))
            if index % 50 == 49 {
                // Each follower reads the plain file live, as it grows.
                try writer.flush()
                try await waitUntil("every follower delivers the events written so far") {
                    delivered.allSatisfy { $0.seq == seq }
                }
            }
        }
        // Every follower has delivered seq 204 from the plain file and is still following it when
        // the writer ends the run and replaces the plain file by the .zst.
        #expect(TestFiles.exists(path))
        #expect(delivered.allSatisfy { $0.seq == 204 })
        try writer.append(.completed)
        try writer.close()
        #expect(!TestFiles.exists(path) && TestFiles.exists(path + ".zst"))
        for follower in followers {
            let events = try await follower.value
            #expect(events.map(\.seq) == Array(1...205))
            #expect(events.last?.payload == .completed)
        }
    }

    @Test func startsFromAnySeq() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 10, end: nil)
        let follower = collect(TailFollower<RunEvent>(path: path, from: 8))
        try writer.append(.completed)
        try writer.close()
        #expect(try await follower.value.map(\.seq) == [8, 9, 10, 11, 12])
    }

    @Test func aClosedJournalIsReadFromItsCompressedForm() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try writeRun(at: path, logs: 5).close()
        let events = try await collect(TailFollower<RunEvent>(path: path + ".zst", from: 3)).value
        #expect(events.map(\.seq) == [3, 4, 5, 6, 7])
    }

    @Test func anEmptyOrUncompressedFileUnderTheCompressedNameFinishesInsteadOfWaiting() async throws {
        let directory = try TemporaryDirectory()
        let empty = directory.file("empty.jsonl")
        try TestFiles.write("", to: empty + ".zst")
        #expect(try await collect(TailFollower<RunEvent>(path: empty)).value.isEmpty)
        let torn = directory.file("torn.jsonl")
        try writeRun(at: torn, logs: 2, options: .init(compressOnClose: false)).close()
        let text = try String(contentsOfFile: torn, encoding: .utf8)
        try TestFiles.write(String(text.dropLast(5)), to: torn + ".zst")
        try FileManager.default.removeItem(atPath: torn)
        let problems = ProblemLog()
        let events = try await collect(TailFollower<RunEvent>(path: torn) { problems.add($0) }).value
        #expect(events.map(\.seq) == [1, 2, 3])
        #expect(problems.all.map(\.line) == [4])
    }

    @Test func wakesOnAppendsFromAnotherWriterAcrossTheSwitch() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 0, end: nil)
        let follower = collect(TailFollower<RunEvent>(path: path))
        for index in 0..<30 {
            try writer.append(.progress(ProgressUpdate(current: index, total: 30)))
            try await Task.sleep(for: .milliseconds(1))
        }
        try writer.close()
        // A successor writer (the supervisor after a crash, say) ends and closes the run.
        let successor = try JournalWriter<RunEvent>(appendingTo: path)
        try successor.append(.failed(error: "worker vanished"))
        try successor.close()
        let events = try await follower.value
        #expect(events.count == 32)
        #expect(events.last?.payload == .failed(error: "worker vanished"))
    }

    @Test func invalidLinesAreSkippedAndReported() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 1, end: nil)
        try writer.flush()
        try writer.close()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json\n".utf8))
        try handle.close()
        let problems = ProblemLog()
        let follower = collect(TailFollower<RunEvent>(path: path, onProblem: { problems.add($0) }))
        let successor = try JournalWriter<RunEvent>(appendingTo: path)
        try successor.append(.completed)
        try successor.close()
        #expect(try await follower.value.map(\.seq) == [1, 2, 3])
        #expect(problems.all.map(\.line) == [3])
    }

    @Test func cancellingAFollowerEndsIt() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 1, end: nil)
        try writer.flush()
        let delivered = DeliveredSeq()
        let follower = collect(TailFollower<RunEvent>(path: path), delivered: delivered)
        // The follower is running (it has delivered what was written) and waits for more.
        try await waitUntil("the follower delivers the first events") { delivered.seq == 2 }
        follower.cancel()
        await #expect(throws: CancellationError.self) { try await follower.value }
        try writer.close()
    }
}

/// The last `seq` a follower has delivered, read by the test while the follower runs.
final class DeliveredSeq: @unchecked Sendable {
    private let lock = NSLock()
    private var last = 0

    func record(_ seq: Int) {
        lock.withLock { last = seq }
    }

    var seq: Int { lock.withLock { last } }
}

/// Problems reported from a follower's callback.
final class ProblemLog: @unchecked Sendable {
    private let lock = NSLock()
    private var problems: [JournalProblem] = []

    func add(_ problem: JournalProblem) {
        lock.withLock { problems.append(problem) }
    }

    var all: [JournalProblem] { lock.withLock { problems } }
}
