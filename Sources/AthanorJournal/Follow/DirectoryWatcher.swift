import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Tells which files changed in a set of directories (created, written, renamed, removed), from
/// inotify, so that a catalog of thousands of journals reads only the ones that changed.
///
/// One watcher owns one inotify descriptor and one thread for the life of the process.
public final class DirectoryWatcher: Sendable {
    private struct State {
        var directories: [Int32: String] = [:]
        var watched: Set<String> = []
        var changed: Set<String> = []
        var overflowed = false
    }

    private let inotifyFD: Int32
    private let state = Mutex(State())
    private let signal = ChangeSignal()

    private static let mask = UInt32(
        IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)

    /// A watcher with its own inotify descriptor and reading thread.
    /// - Throws: ``JournalError/io(operation:path:code:)`` when inotify is not available.
    public init() throws(JournalError) {
        inotifyFD = inotify_init1(Int32(IN_CLOEXEC))
        guard inotifyFD >= 0 else { throw .fromErrno("start inotify for", "directory watcher") }
        let thread = Thread { [self] in readEvents() }
        thread.name = "athanor-directory-watch"
        thread.start()
    }

    /// Starts watching `directory` (again is harmless); `false` when it cannot be watched.
    @discardableResult
    public func watch(_ directory: String) -> Bool {
        state.withLock { state in
            guard !state.watched.contains(directory) else { return true }
            let descriptor = inotify_add_watch(inotifyFD, directory, Self.mask)
            guard descriptor >= 0 else { return false }
            state.directories[descriptor] = directory
            state.watched.insert(directory)
            return true
        }
    }

    /// Waits until something changed or `timeout` passed, then returns the paths that changed
    /// since the last call (`directory/name`), or `nil` when changes may have been missed (the
    /// kernel's queue overflowed): the caller should then look at everything.
    public func changes(timeout: Duration) async -> Set<String>? {
        await withTaskGroup(of: Void.self) { [signal] group in
            group.addTask { await signal.wait() }
            group.addTask { try? await Task.sleep(for: timeout) }
            _ = await group.next()
            group.cancelAll()
        }
        return state.withLock { state in
            defer {
                state.changed = []
                state.overflowed = false
            }
            return state.overflowed ? nil : state.changed
        }
    }

    private func readEvents() {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(inotifyFD, buffer, size)
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            record(UnsafeRawBufferPointer(start: buffer, count: count))
            signal.fire()
        }
    }

    private func record(_ events: UnsafeRawBufferPointer) {
        let headerSize = MemoryLayout<inotify_event>.size
        state.withLock { state in
            var offset = 0
            while offset + headerSize <= events.count {
                let descriptor = events.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = events.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let nameLength = Int(events.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { state.overflowed = true }
                if nameLength > 0, let directory = state.directories[descriptor] {
                    let nameBytes = UnsafeRawBufferPointer(
                        rebasing: events[(offset + headerSize)..<(offset + headerSize + nameLength)])
                    let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                    state.changed.insert(directory + "/" + name)
                }
                if mask & UInt32(IN_IGNORED) != 0, let directory = state.directories.removeValue(forKey: descriptor) {
                    state.watched.remove(directory)
                }
                offset += headerSize + nameLength
            }
        }
    }
}
