import Athanor
import AthanorJournal
import Foundation

/// Athanor's benchmarks: `AthanorBench [all|append|close|read|tail|harness|scaling]`, printing a
/// Markdown table for BENCHMARKS.md. Run through `tools/bench` (release build).
@main
enum BenchMain {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "write-paced", arguments.count == 4, let count = Int(arguments[2]),
            let rate = Double(arguments[3])
        {
            try writePaced(path: arguments[1], count: count, rate: rate)
            return
        }
        if arguments.first == "make-runs", arguments.count == 4, let count = Int(arguments[2]),
            let logs = Int(arguments[3])
        {
            try writeClosedRuns(in: DataDirectory(path: arguments[1]), count: count, logsPerRun: logs)
            return
        }
        if arguments.first == "workload" {
            do {
                try await workloadCommand(Array(arguments.dropFirst()))
            } catch let usage as BenchUsage {
                FileHandle.standardError.write(Data((usage.message + "\n").utf8))
                exit(2)
            }
            return
        }
        let which = arguments.first ?? "all"
        var rows: [Row] = []
        if which == "all" || which == "append" { rows += try appendBenchmark(count: 2_000_000) }
        if which == "all" || which == "close" { rows += try closeAndReadBenchmark() }
        if which == "all" || which == "read" { rows += try readSmallEventsBenchmark(count: 2_000_000) }
        if which == "all" || which == "tail" {
            rows += try await tailLatencyBenchmark(label: "trickle", count: 1500, eventsPerSecond: 333)
            rows += try await tailLatencyBenchmark(label: "100k", count: 500_000, eventsPerSecond: 100_000)
            rows += try await tailLatencyBenchmark(label: "1M", count: 2_000_000, eventsPerSecond: 1_000_000)
            rows += try await tailLatencyBenchmark(label: "full", count: 2_000_000, eventsPerSecond: nil)
        }
        if which == "runtime" { rows += try await runtimeAPIBenchmark(calls: 2_000_000) }
        if which == "all" || which == "harness" {
            rows += try await runtimeAPIBenchmark(calls: 2_000_000)
            rows += try await workerStartBenchmark(runs: 20)
            rows += try catalogStartupBenchmark(count: 1_000)
            rows += try catalogStartupBenchmark(count: 10_000)
        }
        if which == "scaling" { rows += try await scalingBenchmark() }
        guard !rows.isEmpty else {
            print(
                "usage: AthanorBench [all|append|close|read|tail|harness|runtime|scaling] | workload --data DIR [--scale S] [--runs C] [--visibility yes|no]"
            )
            exit(2)
        }
        printTable(rows)
    }
}
