#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point in time with microsecond precision, as journals record it in their `ts` field
/// (RFC 3339, UTC, six fractional digits: `2026-11-26T17:36:43.123456Z`).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    /// Creates a timestamp from microseconds since the Unix epoch.
    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// The current wall-clock time.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microsecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    /// Seconds since the Unix epoch, with the microseconds as a fraction.
    public var secondsSinceEpoch: Double { Double(microsecondsSinceEpoch) / 1_000_000 }

    /// The RFC 3339 form written to journals.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.formattedLength)
        var formatter = TimestampFormatter()
        formatter.append(self, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { rfc3339 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// Length in bytes of ``rfc3339``.
    static let formattedLength = 27
}

extension Timestamp {
    /// Parses an RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS`, an optional fraction (digits past
    /// the sixth are dropped), then `Z` or a `±HH:MM` offset.
    public init?(rfc3339 text: some StringProtocol) {
        var text = String(text)
        guard let value = text.withUTF8({ Timestamp.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = value
    }

    /// Parses the bytes of an RFC 3339 timestamp; `nil` when they are not one.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Timestamp? {
        let count = bytes.count
        guard count >= 20 else { return nil }
        func digits(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var micros = 0
        if index < count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000
            let fractionStart = index
            while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                micros += Int(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > fractionStart else { return nil }
        }
        guard index < count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == count, bytes[index + 3] == UInt8(ascii: ":"),
                let offsetHours = digits(index + 1, 2), let offsetMinutes = digits(index + 4, 2)
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
            index += 6
        default:
            return nil
        }
        guard index == count else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return Timestamp(microsecondsSinceEpoch: seconds * 1_000_000 + Int64(micros))
    }
}

/// Conversions between days since the Unix epoch and proleptic Gregorian dates
/// (Howard Hinnant's `days_from_civil` / `civil_from_days`).
enum CivilDate {
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Timestamp: Codable {
    /// Decodes the RFC 3339 form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not an RFC 3339 timestamp: \(text)")
        }
        self = value
    }

    /// Encodes the RFC 3339 form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }
}
