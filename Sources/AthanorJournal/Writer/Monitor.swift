import CLinux

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A mutex (adaptive: it spins briefly before sleeping, as appenders and the flusher hold it
/// only for a few instructions) with two condition variables: one the flusher sleeps on, one for callers waiting
/// for the flusher's progress. Separate conditions mean waking the flusher never wakes a
/// caller by mistake, and the reverse.
final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let flusherCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let progressCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        athanor_init_adaptive_mutex(mutex)
        pthread_cond_init(flusherCondition, nil)
        pthread_cond_init(progressCondition, nil)
    }

    deinit {
        pthread_cond_destroy(progressCondition)
        pthread_cond_destroy(flusherCondition)
        pthread_mutex_destroy(mutex)
        progressCondition.deallocate()
        flusherCondition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Sleeps until ``wakeFlusher()``; call with the lock held.
    func waitForWork() { pthread_cond_wait(flusherCondition, mutex) }
    func wakeFlusher() { pthread_cond_signal(flusherCondition) }

    /// Sleeps until ``announceProgress()``; call with the lock held.
    func waitForProgress() { pthread_cond_wait(progressCondition, mutex) }
    func announceProgress() { pthread_cond_broadcast(progressCondition) }
}
