import Synchronization

/// The sweep drivers running in the background of one process (a server's), each until its
/// sweep ends. A driver that dies with its process leaves its sweep resumable.
final class SweepDrivers: Sendable {
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])

    /// Runs `body` for the sweep `id` in the background, forgotten when it returns.
    func start(_ id: String, _ body: @escaping @Sendable () async -> Void) {
        tasks.withLock { tasks in
            tasks[id] = Task { [self] in
                await body()
                _ = self.tasks.withLock { $0.removeValue(forKey: id) }
            }
        }
    }

    /// How many drivers run.
    var count: Int { tasks.withLock { $0.count } }
}
