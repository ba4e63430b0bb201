import Athanor
import HTTPTypes
import Hummingbird
import ServiceLifecycle

extension APIRoutes {
    func addEventStreams(to router: Router<BasicRequestContext>) {
        router.get("/api/runs/:id/events") { request, context in
            let id = try id(context, kind: "run")
            let lastEventID = try request.headers[.lastEventID] ?? QueryParameters(request).get("after")
            var after = 0
            if let lastEventID {
                guard let seq = Int(lastEventID), seq >= 0 else {
                    throw APIError.badRequest(
                        "Last-Event-ID (or `after`) must be a seq, not \"\(lastEventID.prefix(100))\"")
                }
                after = seq
            }
            let events = try handling { try lab.runEvents(of: id, from: after + 1) }
            return ServerSentEvents.response(RunEventChunks(events: events))
        }

        router.get("/api/events") { _, _ in
            ServerSentEvents.response(lab.changes.subscribe().map(Self.serverSentEvent))
        }
    }
}

/// Responses that stream server-sent events.
enum ServerSentEvents {
    /// Streams `chunks` (each one or more whole events) after a comment that sends the headers at
    /// once; the stream ends with the sequence (or its first error), when the client goes away,
    /// or when the server shuts down gracefully.
    ///
    /// Each chunk is written, and the write awaited, before the next is asked for: a client that
    /// reads slowly holds its follower back (the journal on disk is the buffer) instead of piling
    /// events up in the server's memory.
    static func response<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks) -> Response
    where Chunks.Element == ByteBuffer {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .accelBuffering: "no"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                var iterator = chunks.cancelOnGracefulShutdown().makeAsyncIterator()
                while true {
                    let chunk: ByteBuffer?
                    do { chunk = try await iterator.next() } catch { break }
                    guard let chunk else { break }
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
            })
    }
}

extension APIRoutes {
    /// A catalog change as a server-sent event: `event: instance` or `event: run`, `data:` its JSON.
    @Sendable static func serverSentEvent(_ change: CatalogChange) -> ByteBuffer {
        let (name, value): (String, JSONValue) =
            switch change {
            case .instance(let listing): ("instance", listing.json)
            case .run(let summary): ("run", summary.json)
            }
        return ByteBuffer(string: "event: \(name)\ndata: \((try? value.jsonText()) ?? "null")\n\n")
    }
}

/// A run's journal events as server-sent events (`id:` the `seq`, `data:` the journal line as
/// it is on disk, unknown types and fields included), every line the shared follower has for
/// this client at once in one chunk, so that a burst of thousands of events costs one network
/// write rather than thousands.
struct RunEventChunks: AsyncSequence, Sendable {
    let events: SharedFollowerReader<RunEventLine>

    func makeAsyncIterator() -> Iterator { Iterator(events: events.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var events: SharedFollowerReader<RunEventLine>.Iterator

        mutating func next() async throws -> ByteBuffer? {
            guard let batch = try await events.next() else { return nil }
            var chunk = ByteBuffer()
            chunk.reserveCapacity(batch.reduce(0) { $0 + $1.payload.bytes.count + 24 })
            for event in batch {
                chunk.writeString("id: \(event.seq)\ndata: ")
                chunk.writeBytes(event.payload.bytes)
                chunk.writeString("\n\n")
            }
            return chunk
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
    /// Tells reverse proxies not to buffer the stream.
    static let accelBuffering = Self("X-Accel-Buffering")!
}
