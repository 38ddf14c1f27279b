public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `redis-server` for tests: started on a free loopback port in a temporary directory, ready
/// when this returns, stopped when asked, when released, or when the test process ends.
///
/// ```swift
/// let redis = try RedisServer.start()
/// defer { redis.stop() }
/// let connection = try redis.connect()
/// #expect(try connection.send("PING") == .simpleString("PONG"))
/// ```
///
/// The server runs under a small shell guard whose standard input is a pipe from the test process.
/// When the test process exits, however it exits (even SIGKILL), the pipe closes and the guard
/// terminates the server: servers never outlive the tests that started them.
public final class RedisServer: Sendable {
    /// What the server is started with.
    public struct Options: Sendable {
        /// `requirepass`.
        public var password: String?
        /// `enable-debug-command yes` (for `DEBUG SLEEP`, `DEBUG RELOAD`, …).
        public var enableDebugCommand: Bool
        /// Keep RDB snapshots and AOF off unless asked: tests want a clean server.
        public var appendOnly: Bool
        /// Serve TLS on a second port with these files.
        public var tls: TLSFiles?
        /// `cluster-enabled yes` with a nodes file in the server's directory.
        public var clusterEnabled: Bool
        /// Any other `--name value` arguments, passed last.
        public var extraArguments: [String]

        public init(
            password: String? = nil, enableDebugCommand: Bool = false, appendOnly: Bool = false,
            tls: TLSFiles? = nil, clusterEnabled: Bool = false, extraArguments: [String] = []
        ) {
            self.password = password
            self.enableDebugCommand = enableDebugCommand
            self.appendOnly = appendOnly
            self.tls = tls
            self.clusterEnabled = clusterEnabled
            self.extraArguments = extraArguments
        }
    }

    /// Certificate files for a TLS port (PEM paths).
    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String
        public var caCertificate: String
        /// `tls-auth-clients`: `no`, `optional` or `yes`.
        public var authClients: String
        public init(certificate: String, key: String, caCertificate: String, authClients: String = "optional") {
            self.certificate = certificate
            self.key = key
            self.caCertificate = caCertificate
            self.authClients = authClients
        }
    }

    public let host = "127.0.0.1"
    /// The plain-text port (always open, also when TLS is on, so the fixture can check readiness).
    public let port: Int
    /// The TLS port when `options.tls` is set.
    public let tlsPort: Int?
    /// The server's working directory (logs, pid file, any persistence).
    public let directory: URL
    public let options: Options

    private let state = Mutex<ProcessState>(ProcessState())

    private struct ProcessState: ~Copyable {
        var guardProcess: ChildProcess?
        /// This process's end of the guard's standard input.
        var guardInput: Int32 = -1
    }

    private init(port: Int, tlsPort: Int?, directory: URL, options: Options) {
        self.port = port
        self.tlsPort = tlsPort
        self.directory = directory
        self.options = options
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Starting

    /// Starts a new server and waits until it answers `PING`.
    ///
    /// - Throws: `RedisServerError.notInstalled` when `redis-server` is not on PATH (the message says
    ///   how to install it), or `RedisServerError.failedToStart` with the server's log.
    public static func start(_ options: Options = Options()) throws -> RedisServer {
        let executable = try locateRedisServer()
        var lastError: (any Error)?
        // A free port can be taken by someone else between choosing and binding it: try a few.
        for _ in 0..<5 {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("redis-fixture-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let server = RedisServer(
                port: try freeLoopbackPort(),
                tlsPort: options.tls == nil ? nil : try freeLoopbackPort(),
                directory: directory,
                options: options
            )
            do {
                try server.launch(executable: executable)
                return server
            } catch {
                lastError = error
                server.stop()
            }
        }
        throw lastError ?? RedisServerError.failedToStart(log: "")
    }

    /// One server per test process, started on first use, for tests that only need *a* Redis and
    /// do not restart or reconfigure it. Tests sharing it must use keys of their own.
    public static func shared() throws -> RedisServer {
        try sharedServer.get()
    }

    private static let sharedServer: Result<RedisServer, any Error> = Result { try RedisServer.start() }

    /// Stops the server (if running) and starts it again on the same port with the same options and
    /// directory: for fault tests (in-flight commands, reconnects).
    public func restart() throws {
        stop()
        try launch(executable: try Self.locateRedisServer())
    }

    /// Stops the server and waits (up to 10 s) until it has exited. Safe to call more than once.
    public func stop() {
        let (process, input) = state.withLock { state -> (ChildProcess?, Int32) in
            defer {
                state.guardProcess = nil
                state.guardInput = -1
            }
            return (state.guardProcess, state.guardInput)
        }
        guard let process else { return }
        // Closing the channel is enough (the guard reads EOF and terminates the server); signalling the
        // server directly as well makes stopping quick and independent of the shell.
        signalServer(SIGTERM)
        if input >= 0 { close(input) }
        if !process.waitForExit(timeout: .seconds(10)) {
            signalServer(SIGKILL)
            process.signal(SIGKILL)
            _ = process.waitForExit(timeout: .seconds(5))
        }
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("redis.pid"))
    }

    /// A new blocking connection to the server (authenticated when a password is set).
    public func connect(timeout: Duration = RedisTestConnection.defaultTimeout) throws -> RedisTestConnection {
        let connection = try RedisTestConnection(host: host, port: port, timeout: timeout)
        if let password = options.password {
            let reply = try connection.send(["AUTH", password])
            guard reply == .simpleString("OK") else { throw RedisServerError.failedToStart(log: "AUTH failed: \(reply)") }
        }
        return connection
    }

    /// The server's log so far.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
    }

    // MARK: Internals

    private var arguments: [String] {
        var arguments = [
            "--port", String(port), "--bind", host, "--dir", directory.path,
            "--logfile", directory.appendingPathComponent("redis.log").path,
            "--pidfile", directory.appendingPathComponent("redis.pid").path,
            "--daemonize", "no", "--save", "", "--appendonly", options.appendOnly ? "yes" : "no",
            "--protected-mode", "no",
        ]
        if let password = options.password { arguments += ["--requirepass", password] }
        if options.enableDebugCommand { arguments += ["--enable-debug-command", "yes"] }
        if let tls = options.tls, let tlsPort {
            arguments += [
                "--tls-port", String(tlsPort), "--tls-cert-file", tls.certificate, "--tls-key-file", tls.key,
                "--tls-ca-cert-file", tls.caCertificate, "--tls-auth-clients", tls.authClients,
            ]
        }
        if options.clusterEnabled {
            arguments += ["--cluster-enabled", "yes", "--cluster-config-file", directory.appendingPathComponent("nodes.conf").path]
        }
        return arguments + options.extraArguments
    }

    /// The guard: runs the server in the background and terminates it when standard input closes.
    private static let guardScript = """
        "$@" &
        server=$!
        trap 'kill -TERM "$server" 2>/dev/null; wait "$server"; exit 0' TERM INT
        while read -r _line; do :; done
        kill -TERM "$server" 2>/dev/null
        wait "$server"
        """

    private func launch(executable: String) throws {
        // The guard's standard input: one end of a socket pair. Both ends are close-on-exec from birth
        // (SOCK_CLOEXEC; Glibc's pipe2 is not visible from Swift), so no other child of this process
        // (another server's guard, started by a test running in parallel) can inherit this process's
        // end and keep the channel open after this process is gone. posix_spawn dup2()s the guard's
        // end onto its fd 0, which clears the flag there only.
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw RedisServerError.failedToStart(log: "socketpair failed: errno \(errno)")
        }
        let process: ChildProcess
        do {
            process = try ChildProcess(
                arguments: ["/bin/sh", "-c", Self.guardScript, "redis-fixture-guard", executable] + arguments,
                standardInput: ends[0]
            )
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[0])
        state.withLock { state in
            state.guardProcess = process
            state.guardInput = ends[1]
        }
        try waitUntilReady(process: process)
    }

    private func waitUntilReady(process: ChildProcess) throws {
        let deadline = ContinuousClock.now + .seconds(15)
        var lastProblem = "no attempt made"
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                lastProblem = "the server exited"
                break
            }
            do {
                let connection = try RedisTestConnection(host: host, port: port, timeout: .seconds(2))
                defer { connection.close() }
                let reply = try connection.send(["PING"])
                // With requirepass, PING before AUTH answers NOAUTH: the server is up all the same.
                if reply == .simpleString("PONG") || reply.errorMessage?.hasPrefix("NOAUTH") == true {
                    // The answer must come from this server: between choosing the port and binding it,
                    // another test's server may take it (a `redlite serve` binding port 0 can be given
                    // the same port), and then this one cannot bind and exits while PING reaches the
                    // other. Redis writes its pid file once it listens; INFO names its process.
                    if try isAnsweredByThisServer(connection) { return }
                    lastProblem = "another server answers on port \(port)"
                } else {
                    lastProblem = "PING answered \(reply)"
                }
            } catch {
                lastProblem = "PING failed: \(error)"
            }
            usleep(20_000)
        }
        throw RedisServerError.failedToStart(log: "(\(lastProblem))\n" + log)
    }

    /// Whether the server answering `connection` is the one this fixture started: the process INFO
    /// reports is the one in the pid file.
    private func isAnsweredByThisServer(_ connection: RedisTestConnection) throws -> Bool {
        let pidFile = directory.appendingPathComponent("redis.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
              let pid = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return false }
        if let password = options.password { _ = try connection.send(["AUTH", password]) }
        guard let info = try connection.send(["INFO", "server"]).string else { return false }
        let field = info.split(separator: "\r\n").first { $0.hasPrefix("process_id:") }
        return field.flatMap { Int($0.dropFirst("process_id:".count)) } == pid
    }

    private func signalServer(_ signal: Int32) {
        let pidFile = directory.appendingPathComponent("redis.pid")
        if let text = try? String(contentsOf: pidFile, encoding: .utf8),
           let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
            kill(pid, signal)
        }
    }

    /// The path of `redis-server`, searched on PATH and the usual Debian locations.
    public static func locateRedisServer() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"]
        for directory in candidates {
            let file = directory + "/redis-server"
            if FileManager.default.isExecutableFile(atPath: file) { return file }
        }
        throw RedisServerError.notInstalled
    }

    /// A port that was free on 127.0.0.1 a moment ago (bound to port 0, read back, released).
    public static func freeLoopbackPort() throws -> Int {
        // Close-on-exec from birth: not inherited by the processes the fixture spawns.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw RedisServerError.noFreePort }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw RedisServerError.noFreePort }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw RedisServerError.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why a test Redis could not be had.
public enum RedisServerError: Error, Sendable, CustomStringConvertible {
    case notInstalled
    case noFreePort
    case failedToStart(log: String)

    public var description: String {
        switch self {
        case .notInstalled:
            return "redis-server was not found on PATH. Install it with `scripts/setup` "
                + "(on Debian: `apt-get install -y redis-server redis-tools`), then run the tests again."
        case .noFreePort:
            return "no free loopback port could be found for redis-server"
        case .failedToStart(let log):
            return "redis-server did not become ready. Its log:\n\(log)"
        }
    }
}
