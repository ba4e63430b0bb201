import Athanor
import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A minimal client for OpenAI-compatible chat completions (`POST {base}/chat/completions`),
/// asking for log probabilities of the first tokens.
struct ChatClient: Sendable {
    struct Message: Sendable {
        var role: String
        var content: String
    }

    /// One completion: the text, the top alternatives for its first token, and token usage.
    struct Completion: Sendable {
        var text: String
        /// Log probabilities of the most likely first tokens, by token text.
        var firstTokenLogprobs: [String: Double]
        var promptTokens: Int
        var completionTokens: Int
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let baseURL: URL
    let apiKey: String
    let session: URLSession

    /// A client configured from `OPENAI_BASE_URL` (default `https://api.openai.com/v1`) and
    /// `OPENAI_API_KEY`, which must be set.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ChatClient
    {
        guard let key = environment["OPENAI_API_KEY"], !key.isEmpty else {
            throw Failure(
                description:
                    "OPENAI_API_KEY is not set: substrate_shift calls an OpenAI-compatible chat completions API; set OPENAI_API_KEY (and OPENAI_BASE_URL for a server other than api.openai.com)"
            )
        }
        let base = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.openai.com/v1"
        guard let url = URL(string: base), url.scheme == "http" || url.scheme == "https" else {
            throw Failure(description: "OPENAI_BASE_URL is not an http(s) URL: \(base)")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 120
        return ChatClient(baseURL: url, apiKey: key, session: URLSession(configuration: configuration))
    }

    func complete(model: String, messages: [Message], maxTokens: Int, logprobs: Bool) async throws -> Completion {
        var request = URLRequest(url: baseURL.appendingPathComponent("chat/completions"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        var body: JSONObject = [
            "model": .string(model),
            "messages": .array(messages.map { ["role": .string($0.role), "content": .string($0.content)] }),
            "max_tokens": .integer(Int64(maxTokens)), "temperature": 0.7,
        ]
        if logprobs {
            body["logprobs"] = true
            body["top_logprobs"] = 5
        }
        request.httpBody = Data(try JSONValue.object(body).jsonText().utf8)
        let (data, status) = try await send(request)
        let text = String(decoding: data, as: UTF8.self)
        guard status == 200 else {
            throw Failure(description: "chat completions for \(model) answered HTTP \(status): \(text.prefix(300))")
        }
        return try Self.parse(text, model: model)
    }

    /// Sends a request through the callback API. `URLSession.data(for:)` on Linux can deadlock
    /// when its task is cancelled while the response completes (a task group cancelling its
    /// other children after one failed does exactly that), so cancellation is passed on to the
    /// request from another queue instead.
    private func send(_ request: URLRequest) async throws -> (Data, Int) {
        let box = RequestBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, Int), any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(
                            returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                    }
                }
                box.task.withLock { $0 = task }
                task.resume()
            }
        } onCancel: {
            let task = box.task.withLock { $0 }
            DispatchQueue.global().async { task?.cancel() }
        }
    }

    /// The request being sent, for the cancellation handler.
    private final class RequestBox: Sendable {
        let task = Mutex<URLSessionDataTask?>(nil)
    }

    static func parse(_ text: String, model: String) throws -> Completion {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text)
        } catch {
            throw Failure(description: "chat completions for \(model) answered something that is not JSON: \(error)")
        }
        guard let choice = value["choices"]?[0], let content = choice["message"]?["content"]?.stringValue else {
            throw Failure(description: "chat completions for \(model) answered without choices[0].message.content")
        }
        var firstTokenLogprobs: [String: Double] = [:]
        if let first = choice["logprobs"]?["content"]?[0] {
            for alternative in first["top_logprobs"]?.arrayValue ?? [] {
                if let token = alternative["token"]?.stringValue, let logprob = alternative["logprob"]?.doubleValue {
                    firstTokenLogprobs[token] = logprob
                }
            }
            if let token = first["token"]?.stringValue, let logprob = first["logprob"]?.doubleValue {
                firstTokenLogprobs[token] = logprob
            }
        }
        let usage = value["usage"]
        return Completion(
            text: content, firstTokenLogprobs: firstTokenLogprobs,
            promptTokens: Int(usage?["prompt_tokens"]?.integerValue ?? 0),
            completionTokens: Int(usage?["completion_tokens"]?.integerValue ?? 0))
    }
}
