#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why bytes are not valid JSON, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the parsed text.
    public var offset: Int
    /// What is wrong.
    public var reason: String

    public var description: String { "\(reason) at byte \(offset + 1)" }
}

/// A hand-written JSON parser over bytes: the read path's alternative to Foundation, which is
/// an order of magnitude too slow for journals (see STACK-NOTES).
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int

    /// Nesting deeper than this is rejected rather than risking the stack.
    static let maximumDepth = 512
    /// Whether a lone surrogate escape (`\udc00`) is an error rather than U+FFFD: for text
    /// from outside (API requests), where it can only be a mistake or an attack.
    var rejectsLoneSurrogates = false

    init(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    var isAtEnd: Bool { index >= bytes.count }

    func error(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` (after optional whitespace) or fails naming what was expected.
    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else {
            throw error(index < bytes.count ? "expected \(what)" : "unexpected end of line, expected \(what)")
        }
        index += 1
    }

    // MARK: - Values

    mutating func parseValue(depth: Int = 0) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of line, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        default: return try parseNumber()
        }
    }

    private mutating func parseLiteral(_ literal: StaticString) throws(JSONParseError) {
        let length = literal.utf8CodeUnitCount
        guard index + length <= bytes.count,
            memcmp(bytes.baseAddress! + index, literal.utf8Start, length) == 0
        else { throw error("invalid literal") }
        index += length
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        guard depth <= Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of line inside an array") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "]") { return elements }
            guard byte == UInt8(ascii: ",") else {
                index -= 1
                throw error("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        guard depth <= Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
        index += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return JSONObject(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a member name in quotes")
            }
            let key = try parseString()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            members.append(JSONObject.Member(key: key, value: try parseValue(depth: depth)))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of line inside an object") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "}") { return JSONObject(members) }
            guard byte == UInt8(ascii: ",") else {
                index -= 1
                throw error("expected ',' or '}' in an object")
            }
        }
    }

    // MARK: - Strings

    /// Parses a string starting at its opening quote.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw error("unescaped control character in a string") }
            index += 1
        }
        throw error("unterminated string")
    }

    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "u"): appendUTF8(of: try parseUnicodeEscape(), to: &utf8)
                default:
                    index -= 1
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
            default:
                if byte < 0x20 {
                    index -= 1
                    throw error("unescaped control character in a string")
                }
                utf8.append(byte)
            }
        }
        throw error("unterminated string")
    }

    /// Parses the hex digits after `\u`, joining surrogate pairs; a lone surrogate reads as U+FFFD
    /// (or is an error, with ``rejectsLoneSurrogates``).
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let start = index - 2
        let first = try parseHex4()
        if (0xD800..<0xDC00).contains(first), index + 6 <= bytes.count,
            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
        {
            let saved = index
            index += 2
            let second = try parseHex4()
            if (0xDC00..<0xE000).contains(second) {
                let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                return Unicode.Scalar(combined) ?? "\u{FFFD}"
            }
            index = saved
        }
        if let scalar = Unicode.Scalar(first) { return scalar }
        guard !rejectsLoneSurrogates else {
            index = start
            throw error("lone surrogate \\u\(String(first, radix: 16)) in a string (not a Unicode character)")
        }
        return "\u{FFFD}"
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 65...70: digit = UInt32(byte - 55)
            case 97...102: digit = UInt32(byte - 87)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func appendUTF8(of scalar: Unicode.Scalar, to utf8: inout [UInt8]) {
        utf8.append(contentsOf: UTF8.encode(scalar)!)
    }

    // MARK: - Numbers

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        let isInteger = try skipNumber()
        let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if isInteger, let value = Self.integer(text) { return .integer(value) }
        return .double(Self.double(text))
    }

    /// Moves past a number, checking JSON's grammar; returns whether it has no fraction or exponent.
    private mutating func skipNumber() throws(JSONParseError) -> Bool {
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a value") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected digits after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected digits in an exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return isInteger
    }

    /// The value of a number already checked against JSON's grammar: exactly, by Clinger's fast
    /// path when its digits fit in 53 bits and its power of ten is at most 22 (the shortest form
    /// of most doubles, as journals hold them), else by `strtod` from a NUL-terminated copy on
    /// the stack.
    private static func double(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        if let exact = fastDouble(text) { return exact }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { copy in
            for index in 0..<text.count { copy[index] = CChar(bitPattern: text[index]) }
            copy[text.count] = 0
            return strtod(copy.baseAddress!, nil)
        }
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { power, _ in power * 10 }
    }

    /// `[-]digits[.digits][e[±]digits]` as a double when both the digits (as an integer) and the
    /// power of ten are exactly representable, so that one multiplication or division rounds
    /// correctly; `nil` otherwise.
    private static func fastDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var seenPoint = false
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte >= 48 && byte <= 57 {
                if mantissa == 0 && byte == 48 {
                    // Leading zeros count for nothing but their place.
                } else {
                    digits += 1
                    guard digits <= 19 else { return nil }
                    mantissa = mantissa * 10 + UInt64(byte - 48)
                }
                if seenPoint { exponent -= 1 }
            } else {
                break
            }
            index += 1
        }
        if index < text.count {
            // An exponent: `e` or `E`, a sign, digits.
            index += 1
            var sign = 1
            if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                if text[index] == UInt8(ascii: "-") { sign = -1 }
                index += 1
            }
            var written = 0
            while index < text.count {
                written = written * 10 + Int(text[index] - 48)
                guard written < 1000 else { return nil }
                index += 1
            }
            exponent += sign * written
        }
        guard mantissa <= 1 << 53 else { return nil }
        var value = Double(mantissa)
        if mantissa != 0 {
            guard exponent >= -22, exponent <= 22 else { return nil }
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
        }
        return negative ? -value : value
    }

    /// The value of an optionally negative run of digits, or `nil` when it is anything else or
    /// overflows `Int64`.
    static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < text.count else { return nil }
        var value: Int64 = 0
        while index < text.count {
            guard text[index] >= 48 && text[index] <= 57 else { return nil }
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let digit = Int64(text[index] - 48)
            let (added, overflow2) =
                negative ? multiplied.subtractingReportingOverflow(digit) : multiplied.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = added
            index += 1
        }
        return value
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    // MARK: - Skipping

    /// Moves past one value without building it; validates strings, numbers, literals and nesting.
    mutating func skipValue(depth: Int = 0) throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of line, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
            let isObject = close == UInt8(ascii: "}")
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == close {
                index += 1
                return
            }
            while true {
                if isObject {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                        throw error("expected a member name in quotes")
                    }
                    try skipString()
                    try expect(UInt8(ascii: ":"), "':' after a member name")
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of line inside a container") }
                let byte = bytes[index]
                index += 1
                if byte == close { return }
                guard byte == UInt8(ascii: ",") else {
                    index -= 1
                    throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
            }
        case UInt8(ascii: "t"): try parseLiteral("true")
        case UInt8(ascii: "f"): try parseLiteral("false")
        case UInt8(ascii: "n"): try parseLiteral("null")
        default: _ = try skipNumber()
        }
    }

    /// Moves past a string starting at its opening quote.
    mutating func skipString() throws(JSONParseError) {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return }
            if byte == UInt8(ascii: "\\") {
                guard index < bytes.count else { break }
                index += 1
            } else if byte < 0x20 {
                index -= 1
                throw error("unescaped control character in a string")
            }
        }
        throw error("unterminated string")
    }
}

extension JSONValue {
    /// Parses one complete JSON text; a lone surrogate escape (`"\udc00"`) reads as U+FFFD, as
    /// in journals.
    public init(parsing text: some StringProtocol) throws(JSONParseError) {
        try self.init(parsing: text, strict: false)
    }

    /// Parses one complete JSON text from outside (a request): like ``init(parsing:)``, but a
    /// lone surrogate escape is an error rather than U+FFFD.
    public init(parsingStrictly text: some StringProtocol) throws(JSONParseError) {
        try self.init(parsing: text, strict: true)
    }

    private init(parsing text: some StringProtocol, strict: Bool) throws(JSONParseError) {
        var utf8 = Array(text.utf8)
        self = try utf8.withUnsafeMutableBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            var scanner = JSONScanner(UnsafeBufferPointer(buffer))
            scanner.rejectsLoneSurrogates = strict
            let value = try scanner.parseValue()
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.error("unexpected text after the value") }
            return value
        }
    }

    /// The value as compact JSON text; fails on NaN or ±Infinity.
    public func jsonText() throws(JSONEncodingError) -> String {
        var encoder = JSONLineEncoder()
        try encoder.appendValue(self)
        return String(decoding: encoder.bytes, as: UTF8.self)
    }
}
