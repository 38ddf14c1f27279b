import Foundation

/// Runs blocking work (a child process, a blocking socket loop, a long CPU-bound check) on a thread
/// of its own, off Swift's cooperative pool.
///
/// The cooperative pool has as many threads as cores (two here). A test that blocks one of them for
/// seconds starves every async test running beside it: their continuations cannot resume and their
/// deadlines fire. Long blocking sections of tests go through this instead.
public func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
