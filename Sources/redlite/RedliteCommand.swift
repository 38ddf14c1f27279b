import ArgumentParser
import Foundation
import Logging
import NIOPosix
import Redlite
import RedliteServer
import ServiceLifecycle

/// The `redlite` command line: `redlite serve` (the default) runs the RESP server.
@main
struct RedliteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redlite",
        abstract: "A Redis-compatible data store on SQLite.",
        discussion: """
            Redlite keeps Redis data types in a SQLite database: durable, transactional, embedded-first. \
            `redlite serve` speaks RESP so that redis-cli and every Redis client work unchanged.
            """,
        version: RedliteVersion.current,
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self
    )
}

enum RedliteVersion {
    static let current = "0.1.0"
}

/// `redlite serve`: the RESP server on a Redlite database.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a Redlite database over the Redis protocol (RESP2 and RESP3)."
    )

    @Option(help: "The database file (created if missing). Default: ./redlite.db")
    var db: String?

    @Flag(help: "Serve an in-memory database instead of a file.")
    var memory = false

    @Option(help: "TCP port. Default: 6767")
    var port: Int?

    @Option(help: "Address to listen on (repeatable). Loopback only by default. Redis's syntax: * and ::* for every IPv4 or IPv6 address, a leading - for one that may be missing (write it --bind=-::1).")
    var bind: [String] = []

    @Option(help: "Also listen on this unix socket path.")
    var unixsocket: String?

    @Option(help: "Password of the default user (AUTH password).")
    var requirepass: String?

    @Option(help: "A user as NAME:PASSWORD for AUTH username password (repeatable).")
    var user: [String] = []

    @Option(help: "Serve TLS on this port too (needs --tls-cert and --tls-key).")
    var tlsPort: Int?

    @Option(help: "TLS certificate chain (PEM).")
    var tlsCert: String?

    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?

    @Option(help: "CA certificate (PEM) for client certificates.")
    var tlsCa: String?

    @Option(help: "Maximum simultaneous clients. Default: 10000")
    var maxclients: Int?

    @Option(help: "SQLite synchronous mode: normal (durable against crashes; the default) or full (also against power loss).")
    var synchronous: String?

    @Option(help: "SQLite page size in bytes for a new database file (a power of two, 512–65536). Default: 1024")
    var pageSize: Int?

    @Option(help: "A redis.conf-style file with the same settings (flags given here win over it). CONFIG REWRITE writes the running settings back to it.")
    var config: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical, or Redis's verbose (CONFIG SET loglevel changes it). Default: info, or the config file's loglevel")
    var logLevel: String?

    @Option(help: "Event-loop (I/O) threads. Default: one per core.")
    var ioThreads: Int?

    func run() async throws {
        var configuration = ServerConfiguration()
        if let config {
            try configuration.apply(configurationFile: String(contentsOfFile: config, encoding: .utf8))
            configuration.configFile = URL(fileURLWithPath: config).standardizedFileURL.path
        }
        if memory { configuration.databasePath = nil } else if let db { configuration.databasePath = db }
        if let port { configuration.port = port }
        if !bind.isEmpty { configuration.bind = bind }
        if let unixsocket { configuration.unixSocket = unixsocket }
        if let requirepass { configuration.requirePass = requirepass }
        if !user.isEmpty { try configuration.apply("user", user) }
        if let maxclients { try configuration.apply("maxclients", [String(maxclients)]) }
        if let synchronous { try configuration.apply("synchronous", [synchronous]) }
        if let pageSize { try configuration.apply("page-size", [String(pageSize)]) }
        if let tlsPort {
            guard let tlsCert, let tlsKey else { throw ValidationError("--tls-port needs --tls-cert and --tls-key") }
            configuration.tls = .init(port: tlsPort, certificatePath: tlsCert, keyPath: tlsKey, caPath: tlsCa)
        }

        var logger = Logger(label: "redlite")
        logger.logLevel = .info
        if let logLevel {
            // swift-log's names first (debug, notice and warning mean the same in both).
            if let level = Logger.Level(rawValue: logLevel.lowercased()) {
                logger.logLevel = level
                configuration.logLevel = nil
            } else if let level = ServerConfiguration.LogLevel(rawValue: logLevel.lowercased()) {
                configuration.logLevel = level
            } else {
                throw ValidationError("--log-level: unknown level '\(logLevel)'")
            }
        }
        let eventLoops: MultiThreadedEventLoopGroup = ioThreads.map { MultiThreadedEventLoopGroup(numberOfThreads: max(1, $0)) } ?? .singleton
        let server = try RedliteServer(configuration: configuration, logger: logger, eventLoopGroup: eventLoops)
        // SHUTDOWN from a client makes the server return from `run()`; that is a normal end of the
        // process, not a failure, so the group shuts down gracefully and the exit status is 0.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}
