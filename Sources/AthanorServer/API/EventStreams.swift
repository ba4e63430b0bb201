import Athanor
import HTTPTypes
import Hummingbird
import ServiceLifecycle

extension APIRoutes {
    func addEventStreams(to router: Router<BasicRequestContext>) {
        router.get("/api/runs/:id/events") { request, context in
            let entry = try run(context)
            let lastEventID = try request.headers[.lastEventID] ?? QueryParameters(request).get("after")
            var after = 0
            if let lastEventID {
                guard let seq = Int(lastEventID), seq >= 0 else {
                    throw APIError.badRequest(
                        "Last-Event-ID (or `after`) must be a seq, not \"\(lastEventID.prefix(100))\"")
                }
                after = seq
            }
            let follower = TailFollower<RunEvent>(path: entry.journalPath, from: after + 1)
            return ServerSentEvents.response(
                follower.map { event in
                    var encoder = EventLineEncoder()
                    let line = (try? encoder.line(event)) ?? "\n"
                    return "id: \(event.seq)\ndata: \(line.dropLast())\n\n"
                })
        }

        router.get("/api/events") { _, _ in
            ServerSentEvents.response(harness.changes.subscribe())
        }
    }
}

/// Responses that stream server-sent events.
enum ServerSentEvents {
    /// Streams `events` (each already formatted as one event) after a comment that sends the
    /// headers at once; the stream ends with the sequence, when the client goes away, or when
    /// the server shuts down gracefully.
    static func response<Events: AsyncSequence & Sendable>(_ events: Events) -> Response
    where Events.Element == String {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .unbounded)
        let pump = Task {
            continuation.yield(ByteBuffer(string: ": connected\n\n"))
            do {
                for try await event in events { continuation.yield(ByteBuffer(string: event)) }
            } catch {}
            continuation.finish()
        }
        continuation.onTermination = { _ in pump.cancel() }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .accelBuffering: "no"],
            body: ResponseBody(asyncSequence: stream.cancelOnGracefulShutdown()))
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
    /// Tells reverse proxies not to buffer the stream.
    static let accelBuffering = Self("X-Accel-Buffering")!
}
