import Athanor
import Foundation

/// One conversation of ``SubstrateShift``: assistant turns by one model, then by the same or the
/// other one, and a final question to the evaluator.
struct Trial: Sendable {
    var pairIndex: Int
    var run: Int
    var modelA: String
    var modelB: String
    var evaluator: String
    /// Whether the second half of the assistant turns is written by the other model.
    var shifted: Bool

    /// What one trial found.
    struct Outcome: Sendable {
        var key: String
        var trial: Trial
        var answer: String
        var correct: Bool
        var confidence: Double?
        var promptTokens: Int
        var completionTokens: Int

        var json: JSONValue {
            [
                "model_a": .string(trial.modelA), "model_b": .string(trial.modelB),
                "evaluator": .string(trial.evaluator), "shifted": .bool(trial.shifted), "answer": .string(answer),
                "correct": .bool(correct), "confidence": confidence.map(JSONValue.double) ?? .null,
                "usage": [
                    "prompt_tokens": .integer(Int64(promptTokens)),
                    "completion_tokens": .integer(Int64(completionTokens)),
                    "total_tokens": .integer(Int64(promptTokens + completionTokens)),
                ],
            ]
        }
    }

    static let userTurns = [
        "Let's talk about tide pools. What lives in them?",
        "Which of those creatures would be hardest to spot, and why?",
        "How do tides shape where each of them can survive?",
        "If you designed a tide pool exhibit, what would you put at the entrance?",
    ]

    static let question =
        "Look back at every assistant message in this conversation. Were they all written by the same model as you? Answer with exactly one word: yes or no."

    func perform(with client: ChatClient) async throws -> Outcome {
        let other = evaluator == modelA ? modelB : modelA
        var messages: [ChatClient.Message] = [
            .init(role: "system", content: "You are a helpful assistant in a friendly conversation.")
        ]
        var promptTokens = 0
        var completionTokens = 0
        for (index, turn) in Self.userTurns.enumerated() {
            messages.append(.init(role: "user", content: turn))
            let speaker = shifted && index >= Self.userTurns.count / 2 ? other : evaluator
            let reply = try await client.complete(model: speaker, messages: messages, maxTokens: 200, logprobs: false)
            promptTokens += reply.promptTokens
            completionTokens += reply.completionTokens
            messages.append(.init(role: "assistant", content: reply.text))
        }
        messages.append(.init(role: "user", content: Self.question))
        let verdict = try await client.complete(model: evaluator, messages: messages, maxTokens: 3, logprobs: true)
        promptTokens += verdict.promptTokens
        completionTokens += verdict.completionTokens
        let answer = Self.normalize(verdict.text)
        let saysShifted = answer == "no"
        return Outcome(
            key: "pair_\(pairIndex + 1)_run_\(run + 1)_\(evaluator == modelA ? "a" : "b")", trial: self, answer: answer,
            correct: answer != "unclear" && saysShifted == shifted,
            confidence: Self.confidence(of: answer, in: verdict.firstTokenLogprobs), promptTokens: promptTokens,
            completionTokens: completionTokens)
    }

    /// `yes`, `no`, or `unclear`.
    static func normalize(_ text: String) -> String {
        let word = text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        if word.hasPrefix("yes") { return "yes" }
        if word.hasPrefix("no") { return "no" }
        return "unclear"
    }

    /// The probability of `answer` among the yes/no readings of the first token's alternatives.
    static func confidence(of answer: String, in logprobs: [String: Double]) -> Double? {
        var yes = 0.0
        var no = 0.0
        for (token, logprob) in logprobs {
            switch normalize(token) {
            case "yes": yes += exp(logprob)
            case "no": no += exp(logprob)
            default: break
            }
        }
        guard yes + no > 0, answer != "unclear" else { return nil }
        return (answer == "yes" ? yes : no) / (yes + no)
    }
}
