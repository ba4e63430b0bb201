import AthanorJournal
import CLinux
import Foundation

/// What a program file declares, asked with its `describe` verb: it prints one JSON object,
/// `{"protocol": 1, "experiments": [{"name", "description", "config": [fields]}]}`, and exits
/// with status 0; or, when it cannot (a Python file that fails to import), `{"error": "…"}`
/// and a non-zero status.
enum ProgramDescription {
    /// One experiment a file declares.
    struct Declaration: Sendable {
        let program: ProgramExperiment
        let description: String
        let schema: ConfigSchema

        var definition: ExperimentDefinition {
            ExperimentDefinition(program: program, description: description, configSchema: schema)
        }
    }

    /// Asks `file` what it declares: the `experiments` of its answer, as it printed them.
    static func ask(file: String, python: String, timeout: Duration) -> Result<[JSONValue], ProgramError> {
        Result { () throws(ProgramError) -> [JSONValue] in
            let (executable, arguments) = try ProgramExperiment(name: "", file: file, python: python).command(["describe"])
            let output = try CapturedRun.run(executable: executable, arguments: arguments, timeout: timeout)
            if output.termination == nil {
                throw .describeTimedOut(
                    seconds: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
            }
            let answer = try? JSONValue(parsing: String(decoding: output.standardOutput, as: UTF8.self))
            guard output.termination == .exited(0) else {
                if let error = answer?["error"]?.stringValue { throw .declaration(error) }
                let tail = output.errorTail
                throw .declaration("\(output.ending)\(tail.isEmpty ? "" : ":\n" + tail)")
            }
            guard let answer, case .array(let experiments)? = answer["experiments"] else {
                throw .declaration(
                    "describe did not print {\"experiments\": [...]} as JSON\(output.errorTail.isEmpty ? "" : ":\n" + output.errorTail)")
            }
            return experiments
        }
    }

    /// The declarations of an answer of `file` (see ``ask(file:python:timeout:)``).
    static func declarations(_ experiments: [JSONValue], file: String, python: String) -> Result<
        [Declaration], ProgramError
    > {
        Result { () throws(ProgramError) -> [Declaration] in
            try experiments.enumerated().map { index, item throws(ProgramError) in
                try declaration(item, index: index, file: file, python: python)
            }
        }
    }

    /// 1 to 100 letters, digits, `_`, `.` or `-`.
    private static func isExperimentName(_ name: String) -> Bool {
        (1...100).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
    }

    private static func declaration(_ item: JSONValue, index: Int, file: String, python: String) throws(ProgramError)
        -> Declaration
    {
        guard case .string(let name)? = item["name"], isExperimentName(name) else {
            throw .declaration(
                "experiments[\(index)]: a name of letters, digits, _ . or - is needed (got \(item["name"].map { (try? $0.jsonText()) ?? "?" } ?? "none"))")
        }
        do {
            let schema = try ConfigSchema(declaration: item["config"] ?? .array([]))
            return Declaration(
                program: ProgramExperiment(name: name, file: file, python: python),
                description: item["description"]?.stringValue ?? "", schema: schema)
        } catch {
            throw .declaration("experiment \"\(name)\": its configuration is not valid: \(error.errors.map(\.description).joined(separator: "; "))")
        }
    }
}
