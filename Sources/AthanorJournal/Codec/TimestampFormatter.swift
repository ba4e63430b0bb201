/// Writes timestamps in the journal's RFC 3339 form, reusing the formatted date and time of
/// the previous call when it falls in the same second (the common case on the write path).
struct TimestampFormatter {
    private var cachedSecond: Int64 = .min
    private var cachedPrefix: [UInt8] = []

    mutating func append(_ timestamp: Timestamp, to bytes: inout [UInt8]) {
        let micros = timestamp.microsecondsSinceEpoch
        var second = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            second -= 1
            fraction += 1_000_000
        }
        if second != cachedSecond {
            cachedSecond = second
            cachedPrefix = Self.prefix(forSecond: second)
        }
        bytes.append(contentsOf: cachedPrefix)
        var divisor: Int64 = 100_000
        while divisor > 0 {
            bytes.append(UInt8(48 + (fraction / divisor) % 10))
            divisor /= 10
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DDTHH:MM:SS.` for a second since the epoch.
    private static func prefix(forSecond second: Int64) -> [UInt8] {
        var days = Int(second / 86_400)
        var secondOfDay = Int(second % 86_400)
        if secondOfDay < 0 {
            days -= 1
            secondOfDay += 86_400
        }
        let date = CivilDate.date(daysSinceEpoch: days)
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func put(_ value: Int, width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(48 + (value / divisor) % 10))
                divisor /= 10
            }
        }
        put(date.year, width: 4)
        out.append(UInt8(ascii: "-"))
        put(date.month, width: 2)
        out.append(UInt8(ascii: "-"))
        put(date.day, width: 2)
        out.append(UInt8(ascii: "T"))
        put(secondOfDay / 3600, width: 2)
        out.append(UInt8(ascii: ":"))
        put(secondOfDay / 60 % 60, width: 2)
        out.append(UInt8(ascii: ":"))
        put(secondOfDay % 60, width: 2)
        out.append(UInt8(ascii: "."))
        return out
    }
}
