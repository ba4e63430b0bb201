import AthanorJournal
import Foundation

/// Append throughput of small `log` events with the default durability, beside a plain
/// buffered write of the very same bytes.
func appendBenchmark(count: Int) throws -> [Row] {
    let directory = try scratchDirectory("append")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/run.jsonl"
    let writer = try JournalWriter<RunEvent>(creating: path)
    try writer.append(SyntheticWorkload().createdEvent(run: "append"))
    try writer.append(.started(pid: Int(getpid()), host: SyntheticWorkload.hostName))
    let messages = (0..<1000).map { "step \($0) done" }
    let seconds = try measure {
        for index in 0..<count {
            try writer.append(.log(LogRecord(.info, messages[index % 1000])))
        }
        try writer.flush()
    }
    try writer.append(.completed)
    let plainBytes = fileSize(path)
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    try writer.close()
    let reference = plainBufferedWrite(bytes, to: directory + "/copy.jsonl")
    return [
        Row(
            name: "append \(count) small log events (default durability, until written)",
            value:
                "\(millions(Double(count) / seconds)) (\(format(seconds, 3)) s, \(format(Double(plainBytes) / seconds / 1e6, 0)) MB/s)",
            reference:
                "plain 64 KiB write(2) of the same \(plainBytes / 1_000_000) MB + fsync: \(format(reference, 3)) s")
    ]
}
