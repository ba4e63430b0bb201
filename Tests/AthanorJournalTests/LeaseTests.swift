import Foundation
import Testing

@testable import AthanorJournal

@Suite struct LeaseTests {
    @Test func aLeasedJournalIsNeverTakenOverEvenWithoutAWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let lease = try JournalLease.create(path)
        let writer = try JournalWriter<RunEvent>(lease: lease)
        try writer.append(SyntheticWorkload().createdEvent(run: "r"))
        try writer.close()
        // Between the supervisor's writer and the worker's: only the lease holds the lock.
        #expect(try JournalRecovery.recoverRuns(under: directory.path).map(\.action) == [.skippedLiveWriter])
        #expect(throws: JournalError.locked(path: path)) { try JournalWriter<RunEvent>(appendingTo: path) }

        let worker = try JournalWriter<RunEvent>(lease: lease)
        #expect(worker.lastSeq == 1)
        try worker.append(.completed)
        try worker.close()
        lease.release()
        #expect(try JournalReader<RunEvent>.readAll(path: path).count == 2)
    }

    @Test func anInheritedDescriptorMustBeTheJournal() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let lease = try JournalLease.create(path)
        defer { lease.release() }
        let other = open(directory.file("other"), O_WRONLY | O_CREAT, 0o644)
        defer { close(other) }
        #expect(JournalLease.inherited(other, path: path) == nil)
        let duplicate = dup(lease.descriptor)
        let inherited = try #require(JournalLease.inherited(duplicate, path: path))
        inherited.release()
    }
}
