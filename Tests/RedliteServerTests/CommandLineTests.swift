import Foundation
import NIOCore
import RESP
import RedisTestSupport
import RedliteServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `redlite serve --config FILE`: the file's settings apply, and flags given on the command line win.
@Suite("redlite serve: configuration file and flags")
struct CommandLineTests {
    @Test("settings come from the file unless a flag overrides them")
    func configurationFile() async throws {
        try await offloaded {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redlite-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let port = try RedisServer.freeLoopbackPort()
            let database = directory.appendingPathComponent("configured.db").path
            let file = directory.appendingPathComponent("redlite.conf").path
            try """
                # redis.conf-style lines
                port \(port)
                dbfilename "\(database)"
                requirepass from-file
                maxclients 77
                synchronous full
                page-size 4096
                """.write(toFile: file, atomically: true, encoding: .utf8)
            // No --port, --db, --maxclients, --synchronous flags: the file decides; --requirepass wins.
            let server = try ServerDurabilityTests.startServer(
                arguments: ["--config", file, "--requirepass", "from-flag"], port: port,
                log: directory.appendingPathComponent("log").path)
            defer {
                server.signal(SIGTERM)
                _ = server.waitForExit(timeout: .seconds(10))
            }
            let connection = try RedisTestConnection(port: port, timeout: .seconds(10))
            #expect(try connection.send(["AUTH", "from-file"]).isError)
            #expect(try connection.send(["AUTH", "from-flag"]) == .ok)
            #expect(try connection.send(["CONFIG", "GET", "maxclients"]) == .array([.bulk("maxclients"), .bulk("77")]))
            #expect(try connection.send(["CONFIG", "GET", "synchronous"]) == .array([.bulk("synchronous"), .bulk("full")]))
            #expect(try connection.send(["SET", "k", "v"]) == .ok)
            #expect(FileManager.default.fileExists(atPath: database))
            // SQLite's header: the page size is the big-endian UInt16 at offset 16.
            let header = try Data(contentsOf: URL(fileURLWithPath: database)).prefix(18)
            #expect(Int(header[16]) << 8 | Int(header[17]) == 4096)
        }
    }

    @Test("a malformed setting in the file is refused")
    func badSetting() throws {
        var configuration = ServerConfiguration()
        #expect(throws: (any Error).self) { try configuration.apply(configurationFile: "page-size 1000\n") }
        #expect(throws: (any Error).self) { try configuration.apply(configurationFile: "synchronous sometimes\n") }
        #expect(throws: (any Error).self) { try configuration.apply(configurationFile: "no-such-directive 1\n") }
        try configuration.apply(configurationFile: "# comment only\n\nport 7000\n")
        #expect(configuration.port == 7000)
    }
}
