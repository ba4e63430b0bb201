import AthanorJournal
import Foundation

/// The curves of closed runs on disk, in `data/.cache/metrics/<run>.bin`: derived data, safe to
/// delete, and valid only while the journal's file is unchanged. A server that starts again
/// reads a run's million points as columns instead of a million journal lines.
///
/// A file is one JSON header line (`{"athanor_cache":"metrics","version":1,"journal":{identity},
/// "origin":…,"series":[{"key","count"}…]}`), then each series' steps (Int64), times and values
/// (Float64), little-endian, in the header's order.
struct MetricStore: Sendable {
    let directory: String

    private static let version: Int64 = 1

    /// The curves stored for the closed journal with `identity`, if any and still valid.
    func load(run: String, identity: FileIdentity) -> RunMetrics? {
        guard let data = FileManager.default.contents(atPath: path(of: run)),
            let newline = data.firstIndex(of: UInt8(ascii: "\n")),
            let header = try? JSONValue(parsing: String(decoding: data[..<newline], as: UTF8.self)),
            header["athanor_cache"] == "metrics", header["version"]?.integerValue == Self.version,
            header["journal"] == identity.cacheJSON, let entries = header["series"]?.arrayValue
        else { return nil }
        var offset = newline + 1
        var series: [MetricSeries] = []
        for entry in entries {
            guard let key = entry["key"]?.stringValue, let count = entry["count"]?.integerValue.map(Int.init),
                count >= 0, data.count - offset >= count * 24
            else { return nil }
            var curve = MetricSeries(key: key)
            curve.steps = Self.read(Int64.self, count, from: data, at: &offset).map { Int($0) }
            curve.times = Self.read(Double.self, count, from: data, at: &offset)
            curve.values = Self.read(Double.self, count, from: data, at: &offset)
            series.append(curve)
        }
        guard offset == data.count else { return nil }
        return RunMetrics(series: series, origin: header["origin"]?.doubleValue)
    }

    /// Stores `metrics` for the closed journal with `identity`; a cache that cannot be written
    /// (a read-only or full disk) is simply not there next time.
    func store(_ metrics: RunMetrics, run: String, identity: FileIdentity) {
        let header: JSONValue = [
            "athanor_cache": "metrics", "version": .integer(Self.version), "journal": identity.cacheJSON,
            "origin": metrics.origin.map(JSONValue.double) ?? .null,
            "series": .array(
                metrics.series.map { ["key": .string($0.key), "count": .integer(Int64($0.count))] }),
        ]
        guard let text = try? header.jsonText() else { return }
        var data = Data(text.utf8)
        data.append(UInt8(ascii: "\n"))
        for curve in metrics.series {
            Self.append(curve.steps.map { Int64($0).littleEndian }, to: &data)
            Self.append(curve.times.map { $0.bitPattern.littleEndian }, to: &data)
            Self.append(curve.values.map { $0.bitPattern.littleEndian }, to: &data)
        }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: path(of: run)), options: .atomic)
    }

    private func path(of run: String) -> String {
        directory + "/" + run + ".bin"
    }

    private static func append<Word: FixedWidthInteger>(_ words: [Word], to data: inout Data) {
        words.withUnsafeBytes { data.append(contentsOf: $0) }
    }

    private static func read<Value>(_ type: Value.Type, _ count: Int, from data: Data, at offset: inout Int) -> [Value]
    where Value: BitPatternReadable {
        var values: [Value] = []
        values.reserveCapacity(count)
        data.withUnsafeBytes { raw in
            for index in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: offset + index * 8, as: UInt64.self)
                values.append(Value(littleEndianBits: bits))
            }
        }
        offset += count * 8
        return values
    }
}

/// A value stored as 64 little-endian bits.
protocol BitPatternReadable {
    init(littleEndianBits: UInt64)
}

extension Int64: BitPatternReadable {
    init(littleEndianBits bits: UInt64) { self = Int64(bitPattern: UInt64(littleEndian: bits)) }
}

extension Double: BitPatternReadable {
    init(littleEndianBits bits: UInt64) { self = Double(bitPattern: UInt64(littleEndian: bits)) }
}

extension FileIdentity {
    /// The identity as the metric store's header holds it.
    fileprivate var cacheJSON: JSONValue {
        [
            "device": .integer(Int64(bitPattern: device)), "inode": .integer(Int64(bitPattern: inode)),
            "size": .integer(size), "modified": .integer(modified),
        ]
    }
}
