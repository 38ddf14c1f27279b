import Foundation
import NIOCore
import RESP
import RedisTestSupport
import Redlite
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `redlite serve` as its own process: killed with SIGKILL under load it loses no acknowledged write;
/// stopped with SIGTERM it exits 0 after checkpointing the WAL.
@Suite("redlite serve as a process")
struct ServerDurabilityTests {
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("redlite").path
    }

    /// Starts `redlite serve` and waits (bounded) until it answers PING.
    static func startServer(database: String, port: Int, log: String) throws -> ChildProcess {
        try startServer(arguments: ["--db", database, "--port", String(port)], port: port, log: log)
    }

    /// Starts `redlite serve` with `arguments` and waits (bounded) until it answers on `port` (any
    /// reply: PING may be refused with NOAUTH).
    static func startServer(arguments: [String], port: Int, log: String) throws -> ChildProcess {
        let child = try ChildProcess(arguments: [binary, "serve"] + arguments + ["--log-level", "warning"], outputPath: log)
        for _ in 0..<200 {
            if let connection = try? RedisTestConnection(port: port, timeout: .seconds(1)), (try? connection.send(["PING"])) != nil {
                return child
            }
            guard child.isRunning else { break }
            usleep(25_000)
        }
        child.signal(SIGKILL)
        throw RedisServerError.failedToStart(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// Starts `redlite serve` on a fresh database in a fresh temporary folder, hands both to `body`
    /// and removes the folder afterwards.
    static func withFreshServer(_ name: String, _ body: (_ server: ChildProcess, _ port: Int, _ database: String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redlite-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("\(name).db").path
        let port = try RedisServer.freeLoopbackPort()
        let server = try startServer(database: database, port: port, log: directory.appendingPathComponent("log").path)
        try body(server, port, database)
    }

    @Test("SIGKILL mid-load, restart: every acknowledged write is there and the file is sound")
    func killedUnderLoad() async throws {
        try await offloaded { try Self.killedUnderLoadBody() }
    }

    static func killedUnderLoadBody() throws {
        let repetitions = ProcessInfo.processInfo.environment["REDLITE_LONG_TESTS"] == "1" ? 20 : 3
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redlite-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("kill.db").path
        let log = directory.appendingPathComponent("server.log").path
        var acknowledged: [String] = []

        for repetition in 0..<repetitions {
            let port = try RedisServer.freeLoopbackPort()
            let server = try startServer(database: database, port: port, log: log)
            let writer = try RedisTestConnection(port: port, timeout: .seconds(10))
            // Pipelines of 100 SETs; each reply read is an acknowledgement. The last pipeline is
            // written and the server killed before its replies are read: killed mid-stream.
            for batch in 0..<20 {
                let keys = (0..<100).map { "r\(repetition):b\(batch):k\($0)" }
                var buffer = ByteBuffer()
                for key in keys { buffer.writeRESPCommand(["SET", key, "value-of-\(key)"]) }
                try writer.write(buffer)
                if batch == 19 {
                    server.signal(SIGKILL)
                    break
                }
                for key in keys where try writer.readValue() == .ok { acknowledged.append(key) }
            }
            #expect(server.waitForExit(timeout: .seconds(10)))

            let restarted = try startServer(database: database, port: port, log: log)
            let reader = try RedisTestConnection(port: port, timeout: .seconds(10))
            var missing: [String] = []
            for chunk in stride(from: 0, to: acknowledged.count, by: 500) {
                let keys = Array(acknowledged[chunk..<min(chunk + 500, acknowledged.count)])
                let values = try reader.send(["MGET"] + keys).elements ?? []
                for (key, value) in zip(keys, values) where value != .bulk("value-of-\(key)") { missing.append(key) }
            }
            #expect(missing.isEmpty, "repetition \(repetition): acknowledged but lost: \(missing.prefix(5))")
            restarted.signal(SIGTERM)
            #expect(restarted.waitForExit(timeout: .seconds(20)))
            #expect(restarted.exitStatus == 0)
        }
        let store = try RedliteStore.open(path: database)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("SIGTERM: stops accepting, exits 0, leaves the WAL checkpointed")
    func gracefulStop() async throws {
        try await offloaded { try Self.gracefulStopBody() }
    }

    static func gracefulStopBody() throws {
        try withFreshServer("term") { server, port, database in
            let connection = try RedisTestConnection(port: port)
            for index in 0..<200 { _ = try connection.send(["SET", "k\(index)", "v"]) }
            server.signal(SIGTERM)
            #expect(server.waitForExit(timeout: .seconds(20)))
            #expect(server.exitStatus == 0)
            let walSize = (try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int) ?? 0
            #expect(walSize == 0, "WAL not checkpointed: \(walSize) bytes")
            let store = try RedliteStore.open(path: database)
            var session = RedliteSession()
            #expect(store.execute("DBSIZE", session: &session) == .integer(200))
        }
    }

    @Test("SHUTDOWN from a client: the process exits 0 with the data on disk")
    func shutdownCommand() async throws {
        try await offloaded { try Self.shutdownCommandBody() }
    }

    static func shutdownCommandBody() throws {
        try withFreshServer("shutdown") { server, port, database in
            let connection = try RedisTestConnection(port: port)
            #expect(try connection.send(["SET", "kept", "yes"]) == .ok)
            // Redis closes the connection without a reply when SHUTDOWN succeeds.
            _ = try? connection.send(["SHUTDOWN"])
            #expect(server.waitForExit(timeout: .seconds(20)))
            #expect(server.exitStatus == 0)
            let store = try RedliteStore.open(path: database)
            var session = RedliteSession()
            #expect(store.execute("GET", "kept", session: &session) == .bulk("yes"))
        }
    }
}
