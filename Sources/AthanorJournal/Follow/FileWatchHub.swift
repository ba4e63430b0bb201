import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One inotify descriptor and one thread that wake every follower of every journal in the
/// process, plus a periodic tick as a safety net; files inotify cannot see (on a network file
/// system, or everywhere with `--poll`: see ``FilePolling``) are woken every
/// ``FilePolling/followInterval`` instead.
final class FileWatchHub: Sendable {
    /// The process-wide hub.
    static let shared = FileWatchHub()

    private struct Registry {
        var signalsByDescriptor: [Int32: [ObjectIdentifier: ChangeSignal]] = [:]
        var allSignals: [ObjectIdentifier: ChangeSignal] = [:]
        /// The signals of polled files.
        var polledSignals: [ObjectIdentifier: ChangeSignal] = [:]
    }

    private let inotifyFD: Int32
    private let registry = Mutex(Registry())
    /// How often every follower re-checks its file even without an inotify event.
    let tickInterval: Duration

    private static let mask = UInt32(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF)

    private init() {
        inotifyFD = inotify_init1(Int32(IN_CLOEXEC))
        tickInterval = inotifyFD >= 0 ? .seconds(1) : .milliseconds(50)
        let thread = Thread { [self] in run() }
        thread.name = "athanor-file-watch"
        thread.start()
    }

    /// Starts watching `path`; the returned watch's signal fires on every change to the file
    /// and on every tick. A path that does not exist yet is still ticked.
    func watch(_ path: String) -> FileWatch {
        let signal = ChangeSignal()
        let id = ObjectIdentifier(signal)
        let polled = FilePolling.applies(to: path)
        let descriptor = registry.withLock { registry -> Int32 in
            registry.allSignals[id] = signal
            if polled { registry.polledSignals[id] = signal }
            guard inotifyFD >= 0, !polled else { return -1 }
            let descriptor = inotify_add_watch(inotifyFD, path, Self.mask)
            if descriptor >= 0 { registry.signalsByDescriptor[descriptor, default: [:]][id] = signal }
            return descriptor
        }
        return FileWatch(signal: signal, descriptor: descriptor, hub: self)
    }

    fileprivate func remove(_ watch: FileWatch) {
        let id = ObjectIdentifier(watch.signal)
        registry.withLock { registry in
            registry.allSignals[id] = nil
            registry.polledSignals[id] = nil
            guard watch.descriptor >= 0 else { return }
            registry.signalsByDescriptor[watch.descriptor]?[id] = nil
            if registry.signalsByDescriptor[watch.descriptor]?.isEmpty == true {
                registry.signalsByDescriptor[watch.descriptor] = nil
                inotify_rm_watch(inotifyFD, watch.descriptor)
            }
        }
    }

    private func run() {
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        let clock = ContinuousClock()
        var nextTick = clock.now + tickInterval
        var nextPoll = clock.now + FilePolling.followInterval
        while true {
            let polling = registry.withLock { !$0.polledSignals.isEmpty }
            let wake = polling ? min(nextTick, nextPoll) : nextTick
            let timeout = Self.milliseconds(max(.zero, wake - clock.now))
            var descriptor = pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)
            let ready = inotifyFD >= 0 ? poll(&descriptor, 1, timeout) : 0
            if inotifyFD < 0 { usleep(UInt32(timeout) * 1000) }
            if ready > 0 {
                let count = read(inotifyFD, buffer, bufferSize)
                if count > 0 { fireSignals(forEventsIn: UnsafeRawBufferPointer(start: buffer, count: count)) }
            }
            if clock.now >= nextTick {
                nextTick = clock.now + tickInterval
                nextPoll = clock.now + FilePolling.followInterval
                for signal in registry.withLock({ Array($0.allSignals.values) }) { signal.fire() }
            } else if polling, clock.now >= nextPoll {
                nextPoll = clock.now + FilePolling.followInterval
                for signal in registry.withLock({ Array($0.polledSignals.values) }) { signal.fire() }
            }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        Int32(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    private func fireSignals(forEventsIn events: UnsafeRawBufferPointer) {
        var descriptors: Set<Int32> = []
        var offset = 0
        let headerSize = MemoryLayout<inotify_event>.size
        while offset + headerSize <= events.count {
            let descriptor = events.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let nameLength = events.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
            descriptors.insert(descriptor)
            offset += headerSize + Int(nameLength)
        }
        let signals = registry.withLock { registry in
            descriptors.flatMap { registry.signalsByDescriptor[$0].map { Array($0.values) } ?? [] }
        }
        for signal in signals { signal.fire() }
    }
}

/// A registration with the ``FileWatchHub``; it ends when this object is released.
final class FileWatch: Sendable {
    let signal: ChangeSignal
    let descriptor: Int32
    private let hub: FileWatchHub

    fileprivate init(signal: ChangeSignal, descriptor: Int32, hub: FileWatchHub) {
        self.signal = signal
        self.descriptor = descriptor
        self.hub = hub
    }

    deinit {
        hub.remove(self)
    }
}
