import Athanor
import AthanorJournal
import Foundation

/// Wall-clock seconds of `body`.
func measure(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let elapsed = try clock.measure(body)
    return seconds(elapsed)
}

/// A duration in seconds.
func seconds(_ duration: Duration) -> Double {
    RunTimeout.seconds(duration)
}

/// A fresh directory for one benchmark.
func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "athanor-bench-\(getpid())-\(name)"
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
}

/// Runs a command and returns its wall time in seconds.
func timeCommand(_ executable: String, _ arguments: [String], output: String = "/dev/null") throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle(forWritingAtPath: output)
    return try measure {
        try process.run()
        process.waitUntilExit()
    }
}

/// Writes `bytes` to a new file in 64 KiB write(2) calls and fsyncs: the plain reference for appends.
func plainBufferedWrite(_ bytes: [UInt8], to path: String) -> Double {
    measure {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = min(1 << 16, raw.count - offset)
                offset += write(fd, raw.baseAddress! + offset, count)
            }
        }
        fsync(fd)
        close(fd)
    }
}

/// Percentiles of a sample.
struct Percentiles {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    func at(_ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}

/// A row of the results table.
struct Row {
    let name: String
    let value: String
    let reference: String
}

func printTable(_ rows: [Row]) {
    print("| measure | Athanor | reference, same run |")
    print("|---|---|---|")
    for row in rows { print("| \(row.name) | \(row.value) | \(row.reference) |") }
}

func format(_ value: Double, _ digits: Int = 2) -> String {
    String(format: "%.\(digits)f", value)
}

/// An event rate in the most readable unit.
func millions(_ perSecond: Double) -> String {
    perSecond < 10_000 ? format(perSecond, 0) + " /s" : format(perSecond / 1e6) + " M/s"
}
