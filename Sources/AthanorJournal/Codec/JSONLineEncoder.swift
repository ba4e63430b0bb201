/// Appends JSON to a byte buffer: the hand-written encoder of the journal's write path.
///
/// Strings are escaped per RFC 8259 (quotes, backslashes and every control character); Swift
/// strings are always valid UTF-8, so invalid input has already become U+FFFD by the time it
/// gets here. Doubles are written in their shortest round-tripping form.
public struct JSONLineEncoder {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// Creates an encoder that appends to `bytes`.
    public init(bytes: [UInt8] = []) {
        self.bytes = bytes
    }

    /// Appends bytes that are already valid JSON syntax.
    @inlinable
    public mutating func appendRaw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `,"key":` (or `"key":` when `first`), for keys that need no escaping.
    @inlinable
    public mutating func appendKey(_ key: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends a decimal integer.
    public mutating func appendInteger(_ value: Int64) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(48 + value))
            return
        }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = 20
            repeat {
                index -= 1
                digits[index] = UInt8(48 + magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index..<20]))
        }
    }

    /// Appends a finite double in its shortest round-tripping form.
    public mutating func appendDouble(_ value: Double) throws(JSONEncodingError) {
        guard value.isFinite else { throw .nonFiniteNumber(path: "$", value: value) }
        var text = value.description
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends `true` or `false`.
    public mutating func appendBool(_ value: Bool) {
        if value { appendRaw("true") } else { appendRaw("false") }
    }

    /// Appends a quoted, escaped string.
    public mutating func appendString(_ value: String) {
        var value = value
        value.withUTF8 { appendEscaped($0) }
    }

    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            }
            appendEscape(for: byte)
            runStart = index + 1
        }
        if runStart < utf8.count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: [UInt8(ascii: "u"), 48, 48])
            hex.withUTF8Buffer { digits in
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    /// Appends any JSON value; fails, having appended nothing, on NaN or ±Infinity.
    public mutating func appendValue(_ value: JSONValue) throws(JSONEncodingError) {
        let start = bytes.count
        do {
            try appendUnchecked(value)
        } catch {
            bytes.removeSubrange(start...)
            throw error
        }
    }

    /// Appends the value of the field `field`; an error's path starts at the field's name.
    public mutating func appendValue(_ value: JSONValue, field: String) throws(JSONEncodingError) {
        do {
            try appendValue(value)
        } catch .nonFiniteNumber(let path, let number) {
            throw .nonFiniteNumber(path: field + path.dropFirst(), value: number)
        }
    }

    private mutating func appendUnchecked(_ value: JSONValue) throws(JSONEncodingError) {
        switch value {
        case .null: appendRaw("null")
        case .bool(let flag): appendBool(flag)
        case .integer(let number): appendInteger(number)
        case .double(let number): try appendDouble(number)
        case .string(let text): appendString(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                do { try appendUnchecked(element) } catch { throw error.nested(in: "[\(index)]") }
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendString(member.key)
                bytes.append(UInt8(ascii: ":"))
                do { try appendUnchecked(member.value) } catch { throw error.nested(in: "." + member.key) }
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
