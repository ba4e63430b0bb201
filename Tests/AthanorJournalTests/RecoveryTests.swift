import AthanorJournal
import Foundation
import Testing

@Suite struct RecoveryTests {
    @Test func aWriterKilledMidWriteLosesNoCompleteLine() async throws {
        let directory = try TemporaryDirectory()
        let runs = directory.file("runs")
        try FileManager.default.createDirectory(atPath: runs + "/inst", withIntermediateDirectories: true)
        let path = runs + "/inst/run.jsonl"
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: TestFiles.executable("athanor"))
        writer.arguments = ["synth", path, "--logs", "50000000", "--results", "0", "--progress", "0"]
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        // Wait until it is logging at full speed, then kill it mid-write.
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) ?? 0 < 2_000_000 {
            try #require(writer.isRunning && ContinuousClock.now < deadline, "the writer process should be logging")
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
        #expect(writer.terminationReason == .uncaughtSignal)

        let bytesBefore = try Data(contentsOf: URL(fileURLWithPath: path))
        let completeLines = bytesBefore.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let lineCount = completeLines.count - 1
        // The killed writer's half-built compressed form goes first, then its journal is closed.
        let outcomes = try JournalRecovery.recoverRuns(under: runs).filter { $0.action != .removedTemporaryFile }
        #expect(outcomes.count == 1)
        guard case .closedAsInterrupted(let seq, let torn) = outcomes.first?.action else {
            Issue.record("expected the run to be closed as interrupted: \(outcomes)")
            return
        }
        #expect(seq == lineCount + 1)
        #expect(torn == completeLines.last?.count)
        #expect(!TestFiles.exists(path))

        let events = try JournalReader<RunEvent>.readAll(path: path + ".zst")
        #expect(events.map(\.seq) == Array(1...(lineCount + 1)))
        guard case .failed(let error) = events.last?.payload else {
            Issue.record("the last event should be run_failed")
            return
        }
        #expect(error.hasPrefix("interrupted: writer exited without closing the run"))
        // Every complete line is there byte for byte.
        var decompressed: [UInt8] = []
        try JournalBytes.copy(from: path + ".zst") { decompressed += $0 }
        let prefixLength = bytesBefore.count - torn
        #expect(Array(decompressed.prefix(prefixLength)) == Array(bytesBefore.prefix(prefixLength)))
        #expect(JournalVerifier.verify(path: path + ".zst").isValid)
    }

    @Test func aLiveWriterIsLeftAlone() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 2, end: nil)
        try writer.flush()
        #expect(try JournalRecovery.recoverRuns(under: directory.path).map(\.action) == [.skippedLiveWriter])
        #expect(JournalVerifier.verify(path: path).isValid)
        #expect(try writer.append(.completed) == 4)
        try writer.close()
    }

    @Test func anEndedButUncompressedRunIsCompressedAndLeftoversRemoved() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        let writer = try writeRun(at: path, logs: 2, options: .init(compressOnClose: false))
        try writer.close()
        try TestFiles.write("partial", to: path + ".zst.tmp")
        let verdict = JournalVerifier.verify(path: path)
        #expect(verdict.isValid, "an ended plain journal is valid, just not compressed yet")
        let actions = try JournalRecovery.recoverRuns(under: directory.path).map(\.action)
        #expect(actions == [.removedTemporaryFile, .compressedEndedRun])
        #expect(!TestFiles.exists(path) && !TestFiles.exists(path + ".zst.tmp"))
        #expect(try JournalReader<RunEvent>.readAll(path: path).count == 4)
    }

    @Test func theRunsEndIsDurableInTheCompressedFormAndAShortPlainFormIsRedundant() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try writeRun(at: path, logs: 3).close()
        let compressed = try Data(contentsOf: URL(fileURLWithPath: path + ".zst"))
        let events = try JournalReader<RunEvent>.readAll(path: path)
        #expect(events.last?.payload == .completed)
        // A power loss after the compressed form was made durable, before the plain file was
        // removed, can leave the plain file without its last lines (it was never fsynced).
        var encoder = EventLineEncoder()
        let plain = try events.dropLast(2).map { try encoder.line($0) }
        try TestFiles.write(plain.joined(), to: path)
        let actions = try JournalRecovery.recoverRuns(under: directory.path).map(\.action)
        #expect(actions == [.removedRedundantPlainForm])
        #expect(!TestFiles.exists(path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".zst")) == compressed)
    }

    @Test func verifyReportsAnUnclosedRunWhoseWriterIsGone() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.jsonl")
        try writeRun(at: path, logs: 2, end: nil).close()
        let report = JournalVerifier.verify(path: path)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.contains("athanor recover") == true)
    }
}

@Suite struct EmptyJournalRecoveryTests {
    @Test func aJournalWithoutAnyEventIsRemoved() throws {
        let directory = try TemporaryDirectory()
        let empty = directory.file("empty.jsonl")
        let torn = directory.file("torn.jsonl")
        try TestFiles.write("", to: empty)
        try TestFiles.write(#"{"seq":1,"ts":"2026"#, to: torn)
        // Just created, an empty journal may be a run whose writer is about to lock it: left alone.
        var actions = try JournalRecovery.recoverRuns(under: directory.path).map(\.action)
        #expect(actions == [.skippedLiveWriter, .removedEmptyJournal(discardedTornBytes: 19)])
        #expect(TestFiles.exists(empty) && !TestFiles.exists(torn))
        // A minute later, it is a writer that died before its first event.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: empty)
        actions = try JournalRecovery.recoverRuns(under: directory.path).map(\.action)
        #expect(actions == [.removedEmptyJournal(discardedTornBytes: 0)])
        #expect(!TestFiles.exists(empty))
    }
}

@Suite struct JournalSearchTests {
    @Test func hiddenFoldersAreNotSearched() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file(".cache"), withIntermediateDirectories: true)
        try TestFiles.write("{}\n", to: directory.file(".cache/summaries.jsonl"))
        try writeRun(at: directory.file("run.jsonl"), logs: 1).close()
        #expect(try JournalVerifier.journals(under: directory.path) == [directory.file("run.jsonl.zst")])
    }

    @Test func aFileThatIsNotARunJournalIsLeftExactlyAsItWas() throws {
        let directory = try TemporaryDirectory()
        let notes = directory.file("notes.jsonl")
        let binary = directory.file("binary.jsonl")
        let instance = directory.file("instance.jsonl")
        try TestFiles.write("my notes\nno newline at the end", to: notes)
        try TestFiles.write("\u{1}\u{2}PNG garbage without a newline", to: binary)
        try TestFiles.write(
            #"{"seq":1,"ts":"2026-11-26T17:36:43.118204Z","type":"instance_created","instance":"i","name":"n","description":"","experiment":"demo","config":{}}"#
                + "\n", to: instance)
        let before = try [notes, binary, instance].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let actions = try JournalRecovery.recoverRuns(under: directory.path).map(\.action)
        #expect(actions == [.skippedNotARunJournal, .skippedNotARunJournal, .skippedNotARunJournal])
        #expect(try [notes, binary, instance].map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
    }
}
