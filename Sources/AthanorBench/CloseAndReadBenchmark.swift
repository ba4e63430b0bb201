import AthanorJournal
import Foundation

/// Compression at close and decoding of the closed journal, for workload W, beside the `zstd`
/// command on the same file and a raw decompress-and-split-lines pass.
func closeAndReadBenchmark() throws -> [Row] {
    let directory = try scratchDirectory("close")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/run.jsonl"
    let workload = SyntheticWorkload()
    let writer = try JournalWriter<RunEvent>(creating: path)
    let recordSeconds = try measure { try workload.write(to: writer, run: "w") }
    try writer.flush()
    let plainSize = fileSize(path)
    let copy = directory + "/copy.jsonl"
    try FileManager.default.copyItem(atPath: path, toPath: copy)
    let closeSeconds = try measure { try writer.close() }
    let compressedSize = fileSize(JournalFile(path).compressedPath)
    let zstd1 = try timeCommand("/usr/bin/zstd", ["-1", "-q", "-f", copy, "-o", directory + "/ref1.zst"])
    let zstd3 = try timeCommand("/usr/bin/zstd", ["-3", "-q", "-f", copy, "-o", directory + "/ref3.zst"])
    let eventCount = workload.bodyEventCount + 3

    let (decoded, readSeconds) = try timedDecode(path)
    let (newlines, rawSeconds) = try timedLineCount(path)
    let zstdDecompress = try timeCommand("/usr/bin/zstd", ["-d", "-q", "-c", JournalFile(path).compressedPath])
    precondition(decoded == eventCount && newlines == eventCount, "the benchmark journal reads back whole")
    return [
        Row(
            name: "record workload W (\(eventCount) events) through the writer",
            value: "\(format(recordSeconds, 3)) s (\(millions(Double(eventCount) / recordSeconds)))",
            reference: "—"),
        Row(
            name: "close W: zstd level 1 + checksum, fsync, rename",
            value:
                "\(format(closeSeconds, 3)) s, \(plainSize / 1000) kB → \(compressedSize / 1000) kB (1/\(format(Double(plainSize) / Double(compressedSize), 1)))",
            reference:
                "`zstd -1`: \(format(zstd1, 3)) s → \(fileSize(directory + "/ref1.zst") / 1000) kB; `zstd -3`: \(format(zstd3, 3)) s → \(fileSize(directory + "/ref3.zst") / 1000) kB"
        ),
        Row(
            name: "read W back, decoded into typed events",
            value: "\(millions(Double(decoded) / readSeconds)) (\(format(readSeconds, 3)) s)",
            reference:
                "decompress + count lines only: \(format(rawSeconds, 3)) s; `zstd -dc`: \(format(zstdDecompress, 3)) s"),
    ]
}

/// Decoding throughput of small log events (the append benchmark's shape), compressed.
func readSmallEventsBenchmark(count: Int) throws -> [Row] {
    let directory = try scratchDirectory("read")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/run.jsonl"
    let writer = try JournalWriter<RunEvent>(creating: path, options: .init(durability: .relaxed))
    try writer.append(SyntheticWorkload().createdEvent(run: "read"))
    for index in 0..<count { try writer.append(.log(LogRecord(.info, "step \(index % 1000) done"))) }
    try writer.append(.completed)
    try writer.close()
    let (decoded, seconds) = try timedDecode(path)
    let (newlines, rawSeconds) = try timedLineCount(path)
    precondition(decoded == count + 2 && newlines == count + 2, "the benchmark journal reads back whole")
    return [
        Row(
            name: "read \(count) small log events back, decoded",
            value: "\(millions(Double(decoded) / seconds)) (\(format(seconds, 3)) s)",
            reference: "decompress + count lines only: \(format(rawSeconds, 3)) s")
    ]
}

/// Decodes every event of a journal; returns the count and the seconds it took.
private func timedDecode(_ path: String) throws -> (count: Int, seconds: Double) {
    var decoded = 0
    let seconds = try measure {
        let reader = try JournalReader<RunEvent>(path: path)
        while let record = try reader.next() {
            if case .event = record { decoded += 1 }
        }
    }
    return (decoded, seconds)
}

/// The floor for reading: decompress and count newlines, nothing more.
private func timedLineCount(_ path: String) throws -> (count: Int, seconds: Double) {
    var newlines = 0
    let seconds = try measure {
        try JournalBytes.copy(from: path) { chunk in
            for byte in chunk where byte == 0x0A { newlines += 1 }
        }
    }
    return (newlines, seconds)
}
