import Foundation
import Synchronization
import NIOCore
import RESP
@testable import RedisClient
import RedisTestSupport
import Testing

/// Fails (instead of hanging) when `body` takes longer than `seconds`: every test that talks to a
/// server runs under one of these.
func bounded<T: Sendable>(_ seconds: Double, _ what: String = #function, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw TestTimeout(what: what, seconds: seconds)
        }
        group.cancelAll()
        return value
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
