import Foundation

/// The writer connection behind a mutex that can also be tried: the server's event loops run a
/// batch of writes themselves only when the writer is free at once (a checkpoint or the expiry
/// cleaner may hold it for milliseconds, and a loop that waited would answer nothing meanwhile).
/// `NIOLockedValueBox` and `Mutex` offer no try-lock that can return a non-`Sendable` result.
final class WriterConnectionLock: @unchecked Sendable {
    // @unchecked: `connection` is reached only while `mutex` is held.
    private let connection: SQLiteConnection
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ connection: SQLiteConnection) {
        self.connection = connection
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the connection, waiting for the lock.
    func withLockedValue<T>(_ body: (SQLiteConnection) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(connection)
    }

    /// Runs `body` with the connection if the lock is free right now; nil (and `body` not run) if
    /// another thread holds it.
    func withLockedValueIfAvailable<T>(_ body: (SQLiteConnection) throws -> T) rethrows -> T? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return try body(connection)
    }
}
