import Foundation
import Synchronization
import NIOCore
import RESP
@testable import RedisClient
import RedisTestSupport
import Testing

/// Fails (instead of hanging) when `body` takes longer than `seconds`: every test that talks to a
/// server runs under one of these.
///
/// The deadline does not wait for `body`: a body stuck where cancellation cannot reach it (a blocking
/// call, a continuation never resumed) is left behind and the test fails at the deadline. (A task
/// group would wait for it, and hang with it.) The timer runs on a Dispatch queue, so it fires even
/// while the cooperative pool's threads are all busy.
func bounded<T: Sendable>(_ seconds: Double, _ what: String = #function, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.install(continuation)
        let work = Task {
            do { outcome.finish(.success(try await body())) } catch { outcome.finish(.failure(error)) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if outcome.finish(.failure(TestTimeout(what: what, seconds: seconds))) { work.cancel() }
        }
    }
}

/// Resumes a continuation with the first of several outcomes; the later ones are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    /// True if this outcome was the first.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        guard let continuation = continuation.withLock({ value in defer { value = nil }; return value }) else { return false }
        continuation.resume(with: result)
        return true
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var seconds: Double
    var description: String { "\(what) did not finish within \(seconds) s (a hang)" }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
func eventually(_ seconds: Double = 10, _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// A temporary directory removed when released.
final class TemporaryDirectory: Sendable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("redis-client-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Unique key names per test run (the shared server is shared by tests running in parallel).
func uniqueKey(_ name: String) -> String { "test:\(UUID().uuidString.prefix(8)):\(name)" }

/// The client id of `connection`'s current socket, as the server sees it.
func clientID(of client: some RedisCommandExecutor) async throws -> Int64 {
    guard case .integer(let id) = try await client.send(RedisCommand(["CLIENT", "ID"]), timeout: nil) else {
        throw TestTimeout(what: "CLIENT ID", seconds: 0)
    }
    return id
}

extension RedisServer {
    /// A client configuration for this server's plain port.
    func configuration(password: String? = nil) -> RedisConfiguration {
        var configuration = RedisConfiguration(endpoint: .tcp(host: host, port: port))
        configuration.password = password ?? options.password
        return configuration
    }
}

/// A counter tasks can share.
final class SharedCounter: Sendable {
    private let value = Mutex<Int>(0)
    func increment() { value.withLock { $0 += 1 } }
    var current: Int { value.withLock { $0 } }
}

@Suite("Test helpers")
struct TestHelperTests {
    @Test("bounded fails at its deadline even when the body never returns and ignores cancellation")
    func boundedDoesNotWaitForItsBody() async {
        // With a task group that waits for its children, this test would hang instead.
        await #expect(throws: TestTimeout.self) {
            try await bounded(0.5) {
                // Suspended for good: no resumption, no cancellation handler (the body is left behind).
                await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
            }
        }
    }
}
