import ArgumentParser
import Athanor
import AthanorJournal

/// `--config JSON` and `--set key=value`: a configuration from the command line.
struct ConfigArguments: ParsableArguments {
    @Option(help: "The whole configuration as a JSON object.")
    var config: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Set one field: key=value (repeatable). The value is read as JSON when it parses (5, 0.1, true, [1]), else as text; nested fields use dots (sampling.top_p=0.9).",
            valueName: "key=value"))
    var assignments: [String] = []

    var isEmpty: Bool { config == nil && assignments.isEmpty }

    /// `base` with `--config` replacing it and each `--set` applied in order.
    func apply(to base: JSONValue) throws -> JSONValue {
        var result = base
        if let config {
            do {
                result = try JSONValue(parsing: config)
            } catch {
                throw CommandFailure("--config is not valid JSON: \(error)")
            }
        }
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw CommandFailure("--set \(assignment): expected key=value")
            }
            let path = assignment[..<equals].split(separator: ".").map(String.init)
            let text = String(assignment[assignment.index(after: equals)...])
            let value = (try? JSONValue(parsing: text)) ?? .string(text)
            guard let set = result.setting(value, atPath: path) else {
                throw CommandFailure("--set \(assignment): a field on the way is not an object")
            }
            result = set
        }
        return result
    }
}
