/// Why a value could not be written as JSON.
public enum JSONEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A NaN or infinite number; `path` locates it inside the value (`$.metrics.loss`).
    case nonFiniteNumber(path: String, value: Double)

    public var description: String {
        switch self {
        case .nonFiniteNumber(let path, let value):
            return "\(path) is \(value): JSON cannot hold NaN or ±Infinity; record it as null or as a string instead"
        }
    }

    /// The same error, located one level deeper inside its parent (`component` is `.key` or `[3]`).
    func nested(in component: String) -> JSONEncodingError {
        switch self {
        case .nonFiniteNumber(let path, let value):
            return .nonFiniteNumber(path: "$" + component + path.dropFirst(), value: value)
        }
    }
}
