import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import RESP
import RedisTestSupport
import Redlite
import RedliteServer
import Testing

/// A `RedliteServer` serving a fresh database file on a free loopback port, in this process.
final class ServedRedlite: @unchecked Sendable {
    // @unchecked: every property is a `let` set in init; the types are Sendable or only used from the
    // test that owns the instance.
    let server: RedliteServer
    let directory: URL
    let port: Int

    static func start(metricsFactory: (any MetricsFactory)? = nil, _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServedRedlite {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redlite-served-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration()
        configuration.databasePath = directory.appendingPathComponent("served.db").path
        configuration.port = 0
        configure(&configuration)
        var logger = Logger(label: "redlite-test")
        logger.logLevel = .warning
        // Event loops of its own: a test that floods its server must not starve NIO work elsewhere in
        // the test process (clients under test use the shared singleton).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try RedliteServer(configuration: configuration, logger: logger, eventLoopGroup: group, metricsFactory: metricsFactory)
        try await server.start()
        guard let port = server.localAddresses.first?.port else { throw RedisServerError.noFreePort }
        return ServedRedlite(server: server, directory: directory, port: port, group: group)
    }

    private let group: MultiThreadedEventLoopGroup

    private init(server: RedliteServer, directory: URL, port: Int, group: MultiThreadedEventLoopGroup) {
        self.server = server
        self.directory = directory
        self.port = port
        self.group = group
    }

    func connect(timeout: Duration = RedisTestConnection.defaultTimeout) throws -> RedisTestConnection {
        try RedisTestConnection(port: port, timeout: timeout)
    }

    func stop() async {
        try? await server.stop()
        try? await group.shutdownGracefully()
        try? FileManager.default.removeItem(at: directory)
    }
}

extension RedisTestConnection {
    /// Sends words and returns the reply (shorthand).
    @discardableResult
    func run(_ words: String...) throws -> RESPValue { try send(words) }
}

extension ServedRedlite {
    /// Sends `commands` to a fresh redis-server and a fresh `redlite serve`, one connection each, and
    /// records every divergence.
    static func expectSameAnswers(_ commands: [[String]]) async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        var harness = DifferentialHarness(reference: try redis.connect(), subject: try served.connect())
        for command in commands {
            if let divergence = try harness.check(command) { Issue.record("\(divergence)") }
        }
        await served.stop()
    }
}

extension ServedRedlite {
    /// Publishes `payload` to `channel` from a connection of its own, off the test's thread, until
    /// no subscriber receives it or `limit` messages have gone out; the receiver counts, in order.
    func publishUntilNobodyListens(channel: String, payload: String, limit: Int) async throws -> [RESPValue] {
        let port = self.port
        return try await offloaded { () -> [RESPValue] in
            let publisher = try RedisTestConnection(port: port)
            var receivers: [RESPValue] = []
            for _ in 0..<limit {
                let reply = try publisher.send(["PUBLISH", channel, payload])
                receivers.append(reply)
                if reply == .integer(0) { break }
            }
            return receivers
        }
    }
}
