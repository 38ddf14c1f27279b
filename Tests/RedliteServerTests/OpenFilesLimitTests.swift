import Foundation
import RESP
import RedisTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `redlite serve` under a low `ulimit -n`, as a fresh Debian login has (1,024 against a default
/// maxclients of 10,000): it raises the soft limit where the hard one allows, and otherwise lowers
/// maxclients to what fits, as Redis does.
@Suite("redlite serve and the open-files limit")
struct OpenFilesLimitTests {
    /// `redlite serve` started by a shell that first runs `limit` (a `ulimit` command), with one
    /// event loop so the descriptors it keeps are known: 32 + 5 per loop.
    static func withServer(limit: String, maxclients: Int, _ body: (_ connection: RedisTestConnection, _ pid: Int32) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redlite-nofile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try RedisServer.freeLoopbackPort()
        let log = directory.appendingPathComponent("log").path
        let child = try ChildProcess(arguments: [
            "/bin/sh", "-c", "\(limit) && exec \"$0\" \"$@\"", ServerDurabilityTests.binary, "serve", "--memory", "--port", String(port),
            "--io-threads", "1", "--maxclients", String(maxclients), "--log-level", "warning",
        ], outputPath: log)
        defer {
            child.signal(SIGKILL)
            _ = child.waitForExit(timeout: .seconds(10))
        }
        var connection: RedisTestConnection?
        for _ in 0..<200 {
            if let ready = try? RedisTestConnection(port: port, timeout: .seconds(2)), (try? ready.send(["PING"])) != nil {
                connection = ready
                break
            }
            guard child.isRunning else { break }
            usleep(25_000)
        }
        guard let connection else {
            throw RedisServerError.failedToStart(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        try body(connection, child.pid)
    }

    /// The soft open-files limit of process `pid`, from /proc.
    static func softLimit(of pid: Int32) throws -> Int? {
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        guard let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) else { return nil }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap { Int($0) }
    }

    @Test("a hard limit too low for maxclients lowers maxclients to what fits; CONFIG SET above it answers Redis's error with the number that fits")
    func lowHardLimit() async throws {
        try await offloaded {
            try Self.withServer(limit: "ulimit -n 200", maxclients: 1_000) { (connection: RedisTestConnection, _: Int32) throws in
                let fits = 200 - (32 + 5)
                #expect(try connection.run("CONFIG", "GET", "maxclients") == .array([.bulk("maxclients"), .bulk(String(fits))]))
                #expect(try connection.run("CONFIG", "SET", "maxclients", "500")
                    == .simpleError("ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with \(fits)"))
                #expect(try connection.run("CONFIG", "SET", "maxclients", "100") == .ok)
                #expect(try connection.run("CONFIG", "GET", "maxclients") == .array([.bulk("maxclients"), .bulk("100")]))
            }
        }
    }

    @Test("a low soft limit under a higher hard one is raised for maxclients")
    func lowSoftLimit() async throws {
        try await offloaded {
            // Only where the hard limit leaves room (it does on Debian: 524,288).
            var limits = rlimit()
            guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limits) == 0, limits.rlim_max >= 4_000 else { return }
            try Self.withServer(limit: "ulimit -S -n 256", maxclients: 3_000) { (connection: RedisTestConnection, pid: Int32) throws in
                #expect(try connection.run("CONFIG", "GET", "maxclients") == .array([.bulk("maxclients"), .bulk("3000")]))
                #expect(try Self.softLimit(of: pid) ?? 0 >= 3_000 + 37)
                #expect(try connection.run("CONFIG", "SET", "maxclients", "3500") == .ok)
                #expect(try Self.softLimit(of: pid) ?? 0 >= 3_500 + 37)
            }
        }
    }

    @Test("a limit that leaves no room for a client fails the start with Redis's message")
    func tooLowToStart() async throws {
        try await offloaded {
            let port = try RedisServer.freeLoopbackPort()
            let result = try ChildProcess.run([
                "/bin/sh", "-c", "ulimit -n 30 && exec \"$0\" \"$@\" 2>&1", ServerDurabilityTests.binary, "serve", "--memory", "--port", String(port),
                "--io-threads", "1",
            ], timeout: .seconds(30))
            #expect(result.status != 0)
            #expect(result.output.contains("Your current 'ulimit -n' of 30 is not enough for the server to start. Please increase your open file limit to at least 38."), "\(result.output)")
        }
    }
}
