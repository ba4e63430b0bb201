import ArgumentParser
import Athanor
import AthanorJournal
import Foundation

/// `--grid`, `--random` and `--space`: a sweep's parameter space from the command line.
struct SweepSpaceArguments: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A parameter's values, all tried (repeatable; crossed with the others): lr=0.1,0.01 or lr='[0.1, 0.01]'.",
            valueName: "key=v1,v2,…"))
    var grid: [String] = []

    @Option(
        help: ArgumentHelp(
            "A parameter drawn at random, --count times (repeatable): temperature=0:2 (uniform), lr=log:1e-5:1e-2 (log-uniform), layers=int:1:4, act=relu,gelu (a choice).",
            valueName: "key=spec"))
    var random: [String] = []

    @Option(help: ArgumentHelp("The whole parameter space as JSON (see docs/sweeps.md).", valueName: "json"))
    var space: String?

    /// The space as JSON, in the order given (`--space` first).
    func json() throws -> JSONValue {
        var object = JSONObject()
        if let space {
            guard let parsed = try? JSONValue(parsing: space), let given = parsed.objectValue else {
                throw ValidationError("--space must be a JSON object of parameter → values")
            }
            object = given
        }
        for assignment in grid {
            let (key, text) = try Self.split(assignment, flag: "--grid")
            object[key] = ["grid": .array(Self.list(text))]
        }
        for assignment in random {
            let (key, text) = try Self.split(assignment, flag: "--random")
            object[key] = try Self.randomSpec(text, flag: "--random \(assignment)")
        }
        return .object(object)
    }

    private static func split(_ assignment: String, flag: String) throws -> (String, String) {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw ValidationError("\(flag) \(assignment): expected key=values")
        }
        return (String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...]))
    }

    /// `[…]` as JSON, else comma-separated values, each read as JSON when it parses.
    private static func list(_ text: String) -> [JSONValue] {
        if text.hasPrefix("["), let parsed = try? JSONValue(parsing: text), let list = parsed.arrayValue { return list }
        return text.split(separator: ",", omittingEmptySubsequences: false).map { item in
            let trimmed = String(item).trimmingCharacters(in: .whitespaces)
            return (try? JSONValue(parsing: trimmed)) ?? .string(trimmed)
        }
    }

    private static func randomSpec(_ text: String, flag: String) throws -> JSONValue {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func numbers(_ pair: ArraySlice<String>) throws -> [JSONValue] {
            let values = pair.map { try? JSONValue(parsing: $0) }
            guard values.count == 2, let low = values.first ?? nil, let high = values.last ?? nil,
                low.doubleValue != nil, high.doubleValue != nil
            else { throw ValidationError("\(flag): expected two numbers, low:high") }
            return [low, high]
        }
        switch parts.first {
        case "log" where parts.count == 3: return ["log_uniform": .array(try numbers(parts[1...]))]
        case "int" where parts.count == 3: return ["int": .array(try numbers(parts[1...]))]
        case _ where parts.count == 2: return ["uniform": .array(try numbers(parts[...]))]
        case _ where parts.count == 1: return ["choice": .array(list(text))]
        default:
            throw ValidationError("\(flag): expected low:high, log:low:high, int:low:high or a,b,c")
        }
    }
}
