import Foundation

/// Slurm's notation of time limits, checked before anything is submitted.
public enum SlurmTime {
    /// Whether `text` is a Slurm time: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`, or `UNLIMITED`.
    public static func isValid(_ text: String) -> Bool {
        if text == "UNLIMITED" || text == "INFINITE" { return true }
        let parts = text.split(separator: "-", maxSplits: 1)
        guard let clock = parts.last, parts.allSatisfy({ !$0.isEmpty }) else { return false }
        if parts.count == 2, Int(parts[0]) == nil { return false }
        let fields = clock.split(separator: ":", omittingEmptySubsequences: false)
        return (1...3).contains(fields.count) && fields.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
