import Foundation
import Hummingbird

/// A request's query parameters, decoded as browsers encode them (`URLSearchParams`, forms):
/// `+` is a space and `%XX` an escaped byte.
struct QueryParameters {
    private var values: [(key: String, value: String)] = []

    init(_ request: Request) {
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
        }
    }

    /// The last value given for `name`.
    func get(_ name: String) -> String? {
        values.last { $0.key == name }?.value
    }

    /// Every name and value in order.
    var all: [(key: String, value: String)] { values }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
