/// Resolves a full ID or a unique prefix of one among known IDs, as git does with commits.
enum IDResolution {
    static func resolve(_ text: String, kind: String, among ids: some Sequence<String>) throws(HarnessError) -> String {
        let prefix = text.lowercased()
        guard Identifier.isValidPrefix(prefix) else { throw .invalidID(kind: kind, text: text) }
        let matches = ids.filter { $0.hasPrefix(prefix) }
        if matches.contains(prefix) { return prefix }
        guard let first = matches.first else { throw .unknownID(kind: kind, prefix: text) }
        guard matches.count == 1 else { throw .ambiguousID(kind: kind, prefix: text, matches: matches.sorted()) }
        return first
    }
}
