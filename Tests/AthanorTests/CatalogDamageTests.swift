import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// A data directory with damaged journals beside a good run: every run is still listed, each
/// damaged one with its problems (file and line), and the good one unaffected.
@Suite struct CatalogDamageTests {
    private let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-damage-\(Identifier.generate())")
    private let instance = Identifier.generate()

    /// Writes a complete run journal; `compress` closes it as `.zst`.
    @discardableResult
    private func writeRun(_ run: String, compress: Bool = true) throws -> String {
        let path = data.runJournal(instance: instance, run: run)
        let writer = try JournalWriter<RunEvent>(creating: path, options: .init(compressOnClose: compress))
        try writer.append(
            .created(
                RunCreated(
                    run: run, instance: instance, instanceName: "n", experiment: "demo", config: [:],
                    executor: "inline")))
        for i in 1...3 { try writer.append(.result(key: "r\(i)", value: .integer(Int64(i)))) }
        try writer.append(.completed)
        try writer.close()
        return compress ? path + ".zst" : path
    }

    @Test func damagedJournalsAreListedWithTheirProblemsAndGoodRunsAreNot() throws {
        try data.prepare()
        try FileManager.default.createDirectory(
            atPath: data.runsDirectory(of: instance), withIntermediateDirectories: true)
        let good = Identifier.generate()
        try writeRun(good)

        let repeated = Identifier.generate()
        let plain = try writeRun(repeated, compress: false)
        var lines = try String(contentsOfFile: plain, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        lines.insert(lines[2], at: 3)
        try lines.joined(separator: "\n").write(toFile: plain, atomically: false, encoding: .utf8)

        let corrupt = Identifier.generate()
        let compressed = try writeRun(corrupt)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: compressed))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: compressed))

        let empty = Identifier.generate()
        _ = FileManager.default.createFile(
            atPath: data.runJournal(instance: instance, run: empty) + ".zst", contents: Data())

        let catalog = Catalog(data: data)
        try catalog.refresh()
        #expect(Set(catalog.runs().map(\.summary.runID)) == [good, repeated, corrupt, empty])
        #expect(try catalog.run(good).summary.problems.isEmpty)
        #expect(try catalog.run(good).summary.resultCount == 3)
        #expect(try catalog.run(repeated).summary.problems == ["\(plain):4: seq 3 does not follow 3 (last good seq 3)"])
        #expect(try catalog.run(repeated).summary.resultCount == 3)
        let corruptProblems = try catalog.run(corrupt).summary.problems
        #expect(corruptProblems.count == 1 && corruptProblems[0].hasPrefix("\(compressed): zstd:"))
        #expect(
            try catalog.run(empty).summary.problems == [
                "\(data.runJournal(instance: instance, run: empty)).zst: holds no events (an empty file, or not a run journal)"
            ])
        #expect(try catalog.run(empty).summary.instanceID == instance)

        // Problems of closed journals come back from the summary cache.
        let reopened = Catalog(data: data)
        try reopened.refresh()
        #expect(try reopened.run(corrupt).summary.problems == corruptProblems)
    }

    @Test func aSummaryKeepsAtMostTwentyProblemsAndCountsTheRest() {
        var summary = RunSummary()
        for line in 1...25 { summary.noteProblem("x:\(line): invalid event line") }
        #expect(summary.problems.count == RunSummary.maximumProblems)
        #expect(summary.problems.last == "… and 6 more problems; `athanor verify` lists them all")
        #expect(RunSummary(json: summary.json)?.problems == summary.problems)
    }
}
