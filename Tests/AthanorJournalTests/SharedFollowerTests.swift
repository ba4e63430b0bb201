import AthanorJournal
import Foundation
import Testing

/// One follower per journal shared by its readers (`SharedFollowers`): every reader gets every
/// event in order, whatever its pace and wherever it starts.
@Suite struct SharedFollowerTests {
    /// Reads every batch of `reader` until it ends, pausing `pause` after each, and notes the
    /// highest `seq` seen in `progress`.
    private func collect(
        _ reader: SharedFollowerReader<RunEventLine>, pause: Duration = .zero, progress: DeliveredSeq? = nil
    ) -> Task<[Int], any Error> {
        Task {
            var seqs: [Int] = []
            for try await batch in reader {
                seqs += batch.map(\.seq)
                if let last = seqs.last { progress?.record(last) }
                if pause > .zero { try await Task.sleep(for: pause) }
            }
            return seqs
        }
    }

    @Test func fastSlowAndLateReadersEachGetEveryEventOnce() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 3, end: nil)
        // A window of 16 events, so that the slow reader falls far behind it.
        let followers = SharedFollowers<RunEventLine>(capacity: 16)
        let fastProgress = DeliveredSeq()
        let fast = collect(followers.follow(path), progress: fastProgress)
        let slow = collect(followers.follow(path), pause: .milliseconds(20))
        #expect(followers.count == 1, "two readers of one journal share one follower")
        for index in 0..<500 {
            try writer.append(.log(LogRecord(.info, "line \(index)")))
            if index % 100 == 99 { try writer.flush() }
        }
        try writer.flush()
        let deadline = ContinuousClock.now + .seconds(180)
        while fastProgress.seq < 504 {
            try #require(ContinuousClock.now < deadline, "the fast reader reads what is written")
            try await Task.sleep(for: .milliseconds(2))
        }
        // A reader that arrives late and asks for everything from seq 1 catches up from the file.
        let late = collect(followers.follow(path, from: 1))
        let resumed = collect(followers.follow(path, from: 400))
        try writer.append(.completed)
        try writer.close()
        let every = Array(1...505)
        #expect(try await fast.value == every)
        #expect(try await slow.value == every)
        #expect(try await late.value == every)
        #expect(try await resumed.value == Array(400...505))
    }

    @Test func aReaderOfAClosedJournalReadsTheCompressedForm() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 10, end: .completed)
        try writer.close()
        let followers = SharedFollowers<RunEventLine>()
        #expect(try await collect(followers.follow(path, from: 5)).value == Array(5...12))
        #expect(try await collect(followers.follow(path)).value == Array(1...12))
    }
}
