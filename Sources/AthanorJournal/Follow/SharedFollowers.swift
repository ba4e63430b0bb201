import Foundation
import Synchronization

/// One follower per journal, shared by every reader of it, each at its own pace.
///
/// A journal followed by a hundred clients is read and decoded once. The shared follower keeps
/// only the newest lines (``capacity``) and never waits for a reader: a reader that falls
/// behind them, or asks for lines from before the follower started, reads them from the journal
/// itself (the file is the buffer) and rejoins the shared lines once it has caught up. So a
/// slow reader neither holds memory for the others nor slows them down.
public final class SharedFollowers<Payload: JournalDecodable>: Sendable {
    private let followers = Mutex<[String: SharedFollower<Payload>]>([:])
    private let capacity: Int

    /// Followers that each keep the newest `capacity` lines for their readers.
    public init(capacity: Int = 8192) {
        self.capacity = capacity
    }

    /// A reader of the journal at `path` (either of its names) from `seq` on.
    public func follow(_ path: String, from seq: Int = 1) -> SharedFollowerReader<Payload> {
        let key = JournalFile(path).plainPath
        let follower = followers.withLock { followers in
            if let running = followers[key], running.join() { return running }
            let started = SharedFollower<Payload>(path: key, startSeq: seq, capacity: capacity) { [weak self] ended in
                self?.followers.withLock { followers in
                    if followers[key] === ended { followers[key] = nil }
                }
            }
            followers[key] = started
            _ = started.join()
            return started
        }
        return SharedFollowerReader(follower: follower, path: key, from: seq)
    }

    /// How many journals are followed now.
    public var count: Int { followers.withLock { $0.count } }
}

/// The events of one journal for one reader: an `AsyncSequence` of batches (every event
/// available at once, in order), ending after the terminal event.
public struct SharedFollowerReader<Payload: JournalDecodable>: AsyncSequence, Sendable {
    public typealias Element = [JournalEvent<Payload>]

    fileprivate let follower: SharedFollower<Payload>
    fileprivate let path: String
    fileprivate let from: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(reader: ReaderState(membership: Membership(follower: follower), path: path, nextSeq: from))
    }

    /// Iterates a ``SharedFollowerReader``.
    public struct Iterator: AsyncIteratorProtocol {
        fileprivate let reader: ReaderState<Payload>

        public mutating func next() async throws -> [JournalEvent<Payload>]? {
            try await reader.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> [JournalEvent<Payload>]? {
            try await reader.next()
        }
    }
}

/// Where one reader is: the next `seq` it wants, and its own follower while it catches up from
/// the file.
private final class ReaderState<Payload: JournalDecodable> {
    private let membership: Membership<Payload>
    private let path: String
    private var nextSeq: Int
    private var catchingUp: TailFollower<Payload>.Iterator?

    init(membership: Membership<Payload>, path: String, nextSeq: Int) {
        self.membership = membership
        self.path = path
        self.nextSeq = nextSeq
    }

    func next(isolation actor: isolated (any Actor)? = #isolation) async throws -> [JournalEvent<Payload>]? {
        let follower = membership.follower
        while true {
            try Task.checkCancellation()
            if var own = catchingUp {
                guard let batch = try await own.nextBatch() else { return nil }
                catchingUp = own
                nextSeq = (batch.last?.seq ?? nextSeq - 1) + 1
                if follower.holds(nextSeq) { catchingUp = nil }
                return batch
            }
            switch follower.take(from: nextSeq) {
            case .events(let events):
                nextSeq = (events.last?.seq ?? nextSeq - 1) + 1
                return events
            case .behind:
                catchingUp = TailFollower<Payload>(path: path, from: nextSeq).makeAsyncIterator()
            case .wait(let head):
                await follower.waitForMore(than: head)
            case .ended:
                return nil
            case .failed(let error):
                throw error
            }
        }
    }
}

/// A reader's hold on a shared follower: the follower stops when the last hold goes.
private final class Membership<Payload: JournalDecodable>: Sendable {
    let follower: SharedFollower<Payload>

    init(follower: SharedFollower<Payload>) {
        self.follower = follower
    }

    deinit {
        follower.leave()
    }
}

/// The follower behind a ``SharedFollowers`` entry: a task reading the journal into a window
/// of the newest events, and the readers waiting for more.
private final class SharedFollower<Payload: JournalDecodable>: Sendable {
    enum Take {
        case events([JournalEvent<Payload>])
        /// The reader wants events the window no longer (or never) held.
        case behind
        /// Nothing new yet: the window ends at this `seq`.
        case wait(head: Int)
        case ended
        case failed(any Error)
    }

    private struct State {
        var window: [JournalEvent<Payload>] = []
        /// The `seq` of the last event read, `startSeq - 1` before any.
        var head: Int
        var ending: Result<Void, any Error>?
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// Readers created (counted by ``join()``) and not yet gone; a follower with none stops.
        var readers = 0
        var stopped = false
    }

    let startSeq: Int
    private let capacity: Int
    private let state: Mutex<State>
    private let reading = Mutex<Task<Void, Never>?>(nil)

    init(path: String, startSeq: Int, capacity: Int, onEnd: @escaping @Sendable (SharedFollower) -> Void) {
        self.startSeq = startSeq
        self.capacity = capacity
        state = Mutex(State(head: startSeq - 1))
        let task = Task { [weak self] in
            var events = TailFollower<Payload>(path: path, from: startSeq).makeAsyncIterator()
            var ending: Result<Void, any Error> = .success(())
            do {
                while let batch = try await events.nextBatch() {
                    guard let self else { return }
                    self.append(batch)
                }
            } catch {
                ending = .failure(error)
            }
            guard let self else { return }
            self.end(ending)
            onEnd(self)
        }
        reading.withLock { $0 = task }
    }

    /// Counts one more reader; `false` when the follower has already stopped or ended (a new
    /// one is started instead).
    func join() -> Bool {
        state.withLock { state in
            guard !state.stopped, state.ending == nil else { return false }
            state.readers += 1
            return true
        }
    }

    /// One reader is gone; the last one stops the follower.
    func leave() {
        let stop = state.withLock { state in
            state.readers -= 1
            if state.readers <= 0, state.ending == nil { state.stopped = true }
            return state.stopped
        }
        if stop { reading.withLock { $0?.cancel() } }
    }

    /// Whether the window holds `seq` (or the events right after it): a reader catching up there
    /// can switch to the shared events.
    func holds(_ seq: Int) -> Bool {
        state.withLock { state in
            guard let first = state.window.first?.seq else { return state.head < seq && seq >= startSeq }
            return first <= seq
        }
    }

    /// The events from `seq` on, or what the reader must do instead.
    func take(from seq: Int) -> Take {
        state.withLock { state in
            if seq < startSeq { return .behind }
            if let first = state.window.first?.seq, seq < first { return .behind }
            if seq <= state.head {
                return .events(Array(state.window[Self.firstIndex(atOrAfter: seq, in: state.window)...]))
            }
            switch state.ending {
            case .success: return .ended
            case .failure(let error): return .failed(error)
            case nil: return .wait(head: state.head)
            }
        }
    }

    /// Returns once the follower has read beyond `head` or ended (or the task is cancelled).
    func waitForMore(than head: Int) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    if state.head > head || state.ending != nil || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The index of the first event with a `seq` of at least `seq` in `window` (in `seq` order),
    /// found by bisection: a hundred readers each asking per batch must not scan the window.
    private static func firstIndex(atOrAfter seq: Int, in window: [JournalEvent<Payload>]) -> Int {
        var low = window.startIndex
        var high = window.endIndex
        while low < high {
            let middle = (low + high) / 2
            if window[middle].seq < seq { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func append(_ batch: [JournalEvent<Payload>]) {
        let waiters = state.withLock { state in
            state.window.append(contentsOf: batch)
            // Trimmed in steps, so that trimming costs O(1) per event.
            if state.window.count > 2 * capacity { state.window.removeFirst(state.window.count - capacity) }
            state.head = batch.last?.seq ?? state.head
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    private func end(_ ending: Result<Void, any Error>) {
        let waiters = state.withLock { state in
            state.ending = ending
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }
}
