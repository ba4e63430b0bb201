import Foundation
import Hummingbird

/// A request's query parameters, decoded as browsers encode them (`URLSearchParams`, forms):
/// `+` is a space and `%XX` an escaped byte.
struct QueryParameters {
    private var values: [(key: String, value: String)] = []

    /// Decodes the query; a `%` that is not an escape, or escapes that are not UTF-8 (`%FF`),
    /// are a bad request rather than text to guess at.
    init(_ request: Request) throws {
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values.append((try Self.decode(parts[0]), parts.count > 1 ? try Self.decode(parts[1]) : ""))
        }
    }

    /// The last value given for `name`.
    func get(_ name: String) -> String? {
        values.last { $0.key == name }?.value
    }

    /// A `true`/`false` parameter; absent is false.
    func flag(_ name: String) throws -> Bool {
        switch get(name) {
        case nil, "false": return false
        case "true": return true
        case let value?: throw APIError.badRequest("`\(name)` must be true or false, not \"\(value.prefix(100))\"")
        }
    }

    /// Every name and value in order.
    var all: [(key: String, value: String)] { values }

    private static func decode(_ text: Substring) throws -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        // U+FFFD in the raw query stands for bytes that were not UTF-8 at all.
        guard !spaced.contains("\u{FFFD}"), let decoded = spaced.removingPercentEncoding else {
            throw APIError.badRequest(
                "the query parameter \"\(spaced.prefix(100))\" is not valid percent-encoded UTF-8 (encode it as URLSearchParams does)"
            )
        }
        return decoded
    }
}
