import AthanorJournal

extension JSONValue {
    /// This value with `value` set at the dotted `path` (`sampling.top_p`), objects created on
    /// the way; `nil` when a field on the way holds something other than an object.
    public func setting(_ value: JSONValue, atPath path: some Collection<String>) -> JSONValue? {
        guard let key = path.first else { return value }
        var object: JSONObject
        switch self {
        case .object(let existing): object = existing
        case .null: object = [:]
        default: return nil
        }
        guard let inner = (object[key] ?? .null).setting(value, atPath: path.dropFirst()) else { return nil }
        object[key] = inner
        return .object(object)
    }
}
