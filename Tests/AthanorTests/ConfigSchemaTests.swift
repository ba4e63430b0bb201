import AthanorJournal
import Foundation
import Testing

@testable import Athanor

@Suite struct ConfigSchemaTests {
    private let schema = ConfigSchema {
        Field.integer("iterations", default: 10, min: 1, max: 100, label: "Iterations")
        Field.integer("batch", default: 8, min: 0, step: 4)
        Field.float("temperature", default: 0.7, min: 0, max: 2, step: 0.1)
        Field.string("model", default: "small", options: ["small", "large"])
        Field.string("prompt")
        Field.boolean("verbose", default: false)
        Field.list("model_pairs", required: true, label: "Model pairs") {
            Field.string("model_a", required: true)
            Field.string("model_b", required: true)
            Field.integer("turns", default: 3)
        }
        Field.group("sampling") {
            Field.float("top_p", default: 1.0, max: 1)
            Field.integer("seed")
        }
    }

    private func errors(_ config: JSONValue) -> [String] {
        guard case .failure(let failure) = schema.validate(config) else { return [] }
        return failure.errors.map(\.description)
    }

    @Test func defaultsAreAppliedEverywhere() throws {
        let config = try schema.validated(["model_pairs": [["model_a": "a", "model_b": "b"]]])
        #expect(
            config == [
                "iterations": 10, "batch": 8, "temperature": 0.7, "model": "small", "verbose": false,
                "model_pairs": [["model_a": "a", "model_b": "b", "turns": 3]],
                "sampling": ["top_p": 1.0],
            ])
    }

    @Test func everyErrorIsReportedWithItsPath() {
        let found = errors([
            "iterations": 500,
            "batch": 6,
            "model": "huge",
            "verbose": "yes",
            "model_pairs": [["model_a": "a", "model_b": "b"], ["model_b": "b", "extra": 1]],
            "sampling": ["top_p": 1.5, "seed": 2.5],
            "unknown": true,
        ])
        #expect(
            found == [
                "unknown: unknown field (known fields: iterations, batch, temperature, model, prompt, verbose, model_pairs, sampling)",
                "iterations: 500 is above the maximum 100",
                "batch: 6 is not 0 plus a multiple of the step 4",
                "model: \"huge\" is not one of the options: small, large",
                "verbose: expected true or false, got the string \"yes\"",
                "model_pairs[1].extra: unknown field (known fields: model_a, model_b, turns)",
                "model_pairs[1].model_a: required",
                "sampling.top_p: 1.5 is above the maximum 1.0",
                "sampling.seed: expected an integer, got the number 2.5",
            ])
    }

    @Test func requiredListsNeedAnItem() {
        #expect(errors([:]) == ["model_pairs: required: add at least one item"])
        #expect(errors(["model_pairs": []]) == ["model_pairs: required: add at least one item"])
    }

    @Test func wrongTypesAreNotCoerced() {
        let pairs: JSONValue = [["model_a": "a", "model_b": "b"]]
        #expect(
            errors(["iterations": "5", "model_pairs": pairs]) == [
                "iterations: expected an integer, got the string \"5\""
            ])
        #expect(
            errors(["iterations": 5.0, "model_pairs": pairs]) == ["iterations: expected an integer, got the number 5.0"]
        )
        #expect(
            errors(["model_pairs": ["a"]]) == ["model_pairs[0]: expected an object of fields, got the string \"a\""])
        #expect(errors(["model_pairs": "a"]) == ["model_pairs: expected a list, got the string \"a\""])
        #expect(errors([1, 2]) == ["expected an object of fields, got a list"])
    }

    @Test func anIntegerIsAcceptedAsAFloat() throws {
        let config = try schema.validated(["temperature": 1, "model_pairs": [["model_a": "a", "model_b": "b"]]])
        #expect(config["temperature"] == .double(1))
    }

    @Test func nullCountsAsNotGiven() throws {
        let config = try schema.validated(["iterations": nil, "model_pairs": [["model_a": "a", "model_b": "b"]]])
        #expect(config["iterations"] == 10)
    }

    @Test func exportsJSONSchema() throws {
        let exported = schema.jsonSchema
        #expect(exported["$schema"] == "https://json-schema.org/draft/2020-12/schema")
        #expect(exported["type"] == "object")
        #expect(exported["additionalProperties"] == false)
        #expect(exported["required"] == ["model_pairs"])
        let properties = try #require(exported["properties"])
        #expect(
            properties["iterations"] == [
                "type": "integer", "minimum": 1, "maximum": 100, "title": "Iterations", "default": 10,
            ])
        #expect(properties["batch"]?["multipleOf"] == 4)
        #expect(properties["model"]?["enum"] == ["small", "large"])
        #expect(properties["model_pairs"]?["type"] == "array")
        #expect(properties["model_pairs"]?["minItems"] == 1)
        #expect(properties["model_pairs"]?["items"]?["required"] == ["model_a", "model_b"])
        #expect(properties["model_pairs"]?["items"]?["$schema"] == nil)
        #expect(properties["sampling"]?["properties"]?["top_p"]?["maximum"] == .double(1))
    }

    @Test func resultBuilderSupportsConditionsAndLoops() {
        let includeSeed = true
        let built = ConfigSchema {
            for index in 1...2 { Field.integer("layer_\(index)", default: 0) }
            if includeSeed { Field.integer("seed") }
        }
        #expect(built.fields.map(\.name) == ["layer_1", "layer_2", "seed"])
    }
}

@Suite struct ConfigFuzzTests {
    private static func randomValue(depth: Int, using random: inout SystemRandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .integer(Int64.random(in: -5...1_000_001, using: &random))
        case 3: return .double(Double.random(in: -10...10, using: &random))
        case 4: return .string(["model_a", "x", "", "small", "🧪"].randomElement(using: &random) ?? "")
        case 5:
            return .array(
                (0..<Int.random(in: 0...3, using: &random)).map { _ in randomValue(depth: depth + 1, using: &random) })
        default:
            let keys = ["iterations", "model_pairs", "model_a", "model_b", "sampling", "top_p", "bogus", "turns"]
            return .object(
                JSONObject(
                    (0..<Int.random(in: 0...4, using: &random)).map { _ in
                        .init(
                            key: keys.randomElement(using: &random) ?? "k",
                            value: randomValue(depth: depth + 1, using: &random))
                    }))
        }
    }

    @Test func randomConfigurationsAreValidatedWithoutCrashing() {
        let schema = ConfigSchema {
            Field.integer("iterations", default: 10, min: 1, max: 100, step: 3)
            Field.list("model_pairs", required: true) {
                Field.string("model_a", required: true)
                Field.string("model_b", options: ["x", "small"])
                Field.integer("turns", default: 3)
            }
            Field.group("sampling") { Field.float("top_p", default: 1, min: 0, max: 1) }
        }
        var random = SystemRandomNumberGenerator()
        var valid = 0
        // `ATHANOR_FUZZ_SCALE=N` runs N times as many (a longer fuzz than the suite's).
        let scale = Int(ProcessInfo.processInfo.environment["ATHANOR_FUZZ_SCALE"] ?? "") ?? 1
        for _ in 0..<3000 * scale {
            switch schema.validate(Self.randomValue(depth: 0, using: &random)) {
            case .success: valid += 1
            case .failure(let failure): #expect(failure.errors.allSatisfy { !$0.message.isEmpty })
            }
        }
        #expect(valid < 3000)
    }
}
