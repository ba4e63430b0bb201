import Athanor
import Foundation

/// Can a model tell that the model it is talking to changed mid-conversation?
///
/// For each pair (A, B) and each evaluator in the pair, a conversation is built whose assistant
/// turns are written first by one model and then, in half of the trials, by the other (a
/// "substrate shift"). The evaluator is then asked whether every assistant turn came from the
/// same model. Each trial records the answer, whether it was right, the confidence read from
/// the log probabilities of the answer's first token, and the tokens used. `parallelism` trials
/// run at once. Needs an OpenAI-compatible API: `OPENAI_API_KEY`, and `OPENAI_BASE_URL` for a
/// server other than api.openai.com.
public struct SubstrateShift: Experiment {
    public static let name = "substrate_shift"
    public static let description =
        "Tests whether a model can detect that its conversation partner changed models mid-conversation."
    public static let configSchema = ConfigSchema {
        Field.integer(
            "runs_per_pair", default: 3, min: 1, max: 1000, label: "Runs per pair",
            description: "Trials per model pair and evaluator (half with a shift, half without).")
        Field.integer(
            "parallelism", default: 2, min: 1, max: 64, label: "Parallelism", description: "Trials run at once.")
        Field.list("model_pairs", required: true, label: "Model pairs", description: "Pairs of models to compare.") {
            Field.string("model_a", required: true, label: "Model A")
            Field.string("model_b", required: true, label: "Model B")
        }
    }

    struct Pair: Decodable {
        var modelA: String
        var modelB: String
    }

    struct Config: Decodable {
        var runsPerPair: Int
        var parallelism: Int
        var modelPairs: [Pair]
    }

    public init() {}

    public func run(_ ctx: RunContext) async throws {
        let config = try ctx.config(as: Config.self)
        let client = try ChatClient.fromEnvironment()
        let trials = config.modelPairs.enumerated().flatMap { pairIndex, pair in
            (0..<config.runsPerPair).flatMap { run in
                [pair.modelA, pair.modelB].map { evaluator in
                    Trial(
                        pairIndex: pairIndex, run: run, modelA: pair.modelA, modelB: pair.modelB, evaluator: evaluator,
                        shifted: run.isMultiple(of: 2))
                }
            }
        }
        ctx.log(.info, "Running \(trials.count) trials, \(config.parallelism) at a time")
        var finished = 0
        var correct = 0
        try await withThrowingTaskGroup(of: Trial.Outcome.self) { group in
            var pending = trials[...]
            for _ in 0..<min(config.parallelism, trials.count) {
                if let trial = pending.popFirst() { group.addTask { try await trial.perform(with: client) } }
            }
            while let outcome = try await group.next() {
                try ctx.checkCancellation()
                finished += 1
                if outcome.correct { correct += 1 }
                try ctx.result(outcome.key, outcome.json)
                ctx.log(
                    .info, "\(outcome.key): answered \(outcome.answer) (\(outcome.correct ? "right" : "wrong"))",
                    metadata: ["confidence": outcome.confidence.map(JSONValue.double) ?? .null])
                ctx.progress(finished, of: trials.count, "\(correct) of \(finished) right")
                try ctx.metrics(
                    [
                        "accuracy": Double(correct) / Double(finished),
                        "tokens": Double(outcome.promptTokens + outcome.completionTokens),
                    ], step: finished)
                if let trial = pending.popFirst() { group.addTask { try await trial.perform(with: client) } }
            }
        }
        try ctx.result(
            "summary",
            [
                "trials": .integer(Int64(finished)), "correct": .integer(Int64(correct)),
                "accuracy": finished > 0 ? .double(Double(correct) / Double(finished)) : .null,
            ])
    }
}
