#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a well-formed JSON line is not a valid event.
public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The top-level members of one event line, located but not yet parsed: a payload parses only
/// the fields it needs, and unknown fields cost a skip.
public struct EventFields {
    struct Span {
        var key: Range<Int>
        var value: Range<Int>
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var spans: [Span]

    /// The whole line the fields come from (without its newline), as it is.
    public var line: [UInt8] { Array(bytes) }

    /// Locates the members of the object that makes up `bytes`.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, into spans: inout [Span]) throws(JSONParseError) {
        spans.removeAll(keepingCapacity: true)
        var scanner = JSONScanner(bytes)
        try scanner.expect(UInt8(ascii: "{"), "'{' at the start of an event")
        scanner.skipWhitespace()
        if scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                guard scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: "\"") else {
                    throw scanner.error("expected a field name in quotes")
                }
                let keyStart = scanner.index + 1
                try scanner.skipString()
                let key = keyStart..<(scanner.index - 1)
                try scanner.expect(UInt8(ascii: ":"), "':' after a field name")
                scanner.skipWhitespace()
                let valueStart = scanner.index
                try scanner.skipValue()
                spans.append(Span(key: key, value: valueStart..<scanner.index))
                scanner.skipWhitespace()
                guard scanner.index < bytes.count else {
                    throw scanner.error("unexpected end of line inside the event")
                }
                let byte = bytes[scanner.index]
                scanner.index += 1
                if byte == UInt8(ascii: "}") { break }
                guard byte == UInt8(ascii: ",") else {
                    scanner.index -= 1
                    throw scanner.error("expected ',' or '}' after a field")
                }
            }
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("unexpected text after the event") }
    }

    private func span(_ key: StaticString) -> Range<Int>? {
        let length = key.utf8CodeUnitCount
        for span in spans.reversed() where span.key.count == length {
            if memcmp(bytes.baseAddress! + span.key.lowerBound, key.utf8Start, length) == 0 { return span.value }
        }
        return nil
    }

    private func scanner(at range: Range<Int>) -> JSONScanner {
        JSONScanner(UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), from: range.lowerBound)
    }

    private func isNull(_ range: Range<Int>) -> Bool {
        bytes[range.lowerBound] == UInt8(ascii: "n")
    }

    /// Whether the line has a field named `key` (even if null).
    public func contains(_ key: StaticString) -> Bool { span(key) != nil }

    /// A required string field.
    public func string(_ key: StaticString) throws(EventDecodingError) -> String {
        guard let value = try optionalString(key) else { throw EventDecodingError("missing field `\(key)`") }
        return value
    }

    /// A string field that may be absent or null.
    public func optionalString(_ key: StaticString) throws(EventDecodingError) -> String? {
        guard let range = span(key), !isNull(range) else { return nil }
        guard bytes[range.lowerBound] == UInt8(ascii: "\"") else {
            throw EventDecodingError("field `\(key)` must be a string")
        }
        var scanner = scanner(at: range)
        do { return try scanner.parseString() } catch { throw EventDecodingError("field `\(key)`: \(error.reason)") }
    }

    /// A required integer field.
    public func integer(_ key: StaticString) throws(EventDecodingError) -> Int {
        guard let value = try optionalInteger(key) else { throw EventDecodingError("missing field `\(key)`") }
        return value
    }

    /// An integer field that may be absent or null.
    public func optionalInteger(_ key: StaticString) throws(EventDecodingError) -> Int? {
        guard let range = span(key), !isNull(range) else { return nil }
        guard let value = JSONScanner.integer(UnsafeBufferPointer(rebasing: bytes[range])),
            let int = Int(exactly: value)
        else { throw EventDecodingError("field `\(key)` must be an integer") }
        return int
    }

    /// A required Boolean field.
    public func bool(_ key: StaticString) throws(EventDecodingError) -> Bool {
        guard let range = span(key) else { throw EventDecodingError("missing field `\(key)`") }
        switch bytes[range.lowerBound] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw EventDecodingError("field `\(key)` must be true or false")
        }
    }

    /// A required field of any JSON value (null included).
    public func json(_ key: StaticString) throws(EventDecodingError) -> JSONValue {
        guard let value = try optionalJSON(key) else { throw EventDecodingError("missing field `\(key)`") }
        return value
    }

    /// A field of any JSON value, `nil` when absent (a present null is `.null`).
    public func optionalJSON(_ key: StaticString) throws(EventDecodingError) -> JSONValue? {
        guard let range = span(key) else { return nil }
        var scanner = scanner(at: range)
        do { return try scanner.parseValue() } catch { throw EventDecodingError("field `\(key)`: \(error.reason)") }
    }

    /// A required RFC 3339 timestamp field.
    public func timestamp(_ key: StaticString) throws(EventDecodingError) -> Timestamp {
        guard let range = span(key) else { throw EventDecodingError("missing field `\(key)`") }
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""),
            let timestamp = Timestamp.parse(
                UnsafeRawBufferPointer(
                    UnsafeBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])))
        else { throw EventDecodingError("field `\(key)` must be an RFC 3339 timestamp") }
        return timestamp
    }
}
