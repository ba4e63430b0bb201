import Foundation

/// The one rule for finding text in a run's log, wherever it is searched (the API, MCP,
/// `athanor replay --grep`, and the browser, whose `text-search.js` mirrors it, checked against
/// the same table of cases): case- and accent-insensitive, the same for the query and the text.
///
/// Both are folded alike: canonical decomposition (NFD), combining marks removed, then Unicode
/// lowercase; the text matches when its folded form contains the folded query. An empty query
/// matches everything. `Étape`, `etape` and `ÉTAPE` all find "étape 2".
public struct TextSearch: Sendable, Hashable {
    /// The query as given.
    public let query: String
    private let folded: [UInt8]
    private let foldedIsASCII: Bool

    public init(_ query: String) {
        self.query = query
        folded = Array(Self.fold(query).utf8)
        foldedIsASCII = folded.allSatisfy { $0 < 0x80 }
    }

    /// Whether the query is empty (it matches everything).
    public var isEmpty: Bool { folded.isEmpty }

    /// Whether `text` contains the query, under the folding rule.
    public func matches(_ text: String) -> Bool {
        guard !folded.isEmpty else { return true }
        var text = text
        // Most log lines are ASCII: folding them is lowercasing their bytes, done while comparing
        // rather than by building a folded copy of each (a search runs over millions of lines).
        if let asciiResult = text.withUTF8({ bytes in asciiMatch(in: bytes) }) { return asciiResult }
        return Self.contains(Array(Self.fold(text).utf8), folded)
    }

    /// The match in ASCII `bytes`, or `nil` when they are not all ASCII.
    private func asciiMatch(in bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        for byte in bytes where byte >= 0x80 { return nil }
        guard foldedIsASCII, folded.count <= bytes.count else { return false }
        for start in 0...(bytes.count - folded.count) {
            var matched = true
            for offset in 0..<folded.count {
                var byte = bytes[start + offset]
                if byte >= 65 && byte <= 90 { byte += 32 }
                if byte != folded[offset] {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// `text` folded: NFD, combining marks removed, lowercased.
    public static func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars where !isMark(scalar) {
            scalars.append(scalar)
        }
        return String(scalars).lowercased()
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }
}
