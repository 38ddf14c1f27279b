// swift-tools-version: 6.1
//
// Redlite for Swift: an embedded Redis-compatible store on SQLite, its RESP server, an async Redis
// client and building blocks on top. The module map (and why each module depends on what it does)
// is in README.md; data flows one way down it and nothing imports a module above itself.

import PackageDescription

let strictSwift6: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "redlite-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RESP", targets: ["RESP"]),
        .library(name: "RedisCommands", targets: ["RedisCommands"]),
        .library(name: "Redlite", targets: ["Redlite"]),
        .library(name: "RedliteServer", targets: ["RedliteServer"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .executable(name: "redlite", targets: ["redlite"]),
    ],
    dependencies: [
        // ByteBuffer: the byte container RESP decodes from and encodes into, shared with the NIO server and client.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The `redlite` command line.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SQLite itself: sqlite-nio vendors a current amalgamation (3.54.1) and compiles it into the
        // package, so the engine does not run on whatever libsqlite3 the machine has (Debian 12's is
        // 3.40.1, built without lookaside memory; the server's writes ran 17-41 % slower on it, see the
        // README). Its C API is prefixed `sqlite_nio_`, so it never clashes with a system libsqlite3 in
        // the same process. Only that C module (`VaporCSQLite`) is used, not the Swift driver.
        // Pinned to a minor release: RedliteSQLiteWAL relies on how SQLite writes WAL frames and
        // renumbers pages (see its files), checked against the SQLite of that release.
        .package(url: "https://github.com/vapor/sqlite-nio", .upToNextMinor(from: "1.13.2")),
        // TLS for the server's TLS port and the client's rediss:// connections.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Logging, metrics and tracing through the ecosystem's API packages (backends are the app's choice).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // Graceful start and shutdown (SIGTERM/SIGINT) of the server as a Service.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // SHA1 of Lua scripts for EVALSHA (the client's RedisScript).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // RESP2/RESP3 values, the incremental decoder with limits, and the encoder.
        .target(
            name: "RESP",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSwift6
        ),
        // The Redis command specification artifact (commands.json) and its Swift API.
        .target(
            name: "RedisCommands",
            dependencies: ["RESP"],
            resources: [.copy("Resources/commands.json")],
            swiftSettings: strictSwift6
        ),
        // A VFS shim that writes a transaction's WAL frames with one system call instead of two per
        // page. C, because SQLite's VFS interface is a C struct of function pointers.
        .target(
            name: "RedliteSQLiteWAL",
            dependencies: [.product(name: "SQLiteNIO", package: "sqlite-nio")]
        ),
        // The embedded store: Redis data types on SQLite, one command executor, a typed Swift API.
        .target(
            name: "Redlite",
            dependencies: [
                "RESP", "RedisCommands", "RedliteSQLiteWAL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        // The RESP server: connections, pub/sub, blocking commands, transactions, AUTH, limits.
        .target(
            name: "RedliteServer",
            dependencies: [
                "Redlite", "RESP", "RedisCommands",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift6
        ),
        // The async Redis client: connections, pipelining, reconnects, pool, TLS, the embedded transport.
        .target(
            name: "RedisClient",
            dependencies: [
                "RESP", "Redlite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift6
        ),
        // Shared by every integration test: a real redis-server on a free loopback port, and a small
        // blocking RESP connection to talk to it.
        .target(
            name: "RedisTestSupport",
            dependencies: [
                "RESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        // Child process of the durability tests: acknowledges each committed write until killed.
        .executableTarget(
            name: "DurabilityWriter",
            dependencies: ["Redlite", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSwift6
        ),
        // Regenerates Sources/RedisCommands/Resources/commands.json from a live redis-server.
        .executableTarget(
            name: "CommandSpecDumper",
            dependencies: ["RESP", "RedisCommands", "RedisTestSupport"],
            swiftSettings: strictSwift6
        ),
        // Renders the client's typed command API from the command table (shared by the generator
        // executable and the test that checks the checked-in output is up to date).
        .target(
            name: "RedisCommandGeneratorCore",
            dependencies: ["RedisCommands"],
            swiftSettings: strictSwift6
        ),
        // Writes Sources/RedisClient/Commands/Generated (scripts/generate-client-commands).
        .executableTarget(
            name: "RedisCommandGenerator",
            dependencies: ["RedisCommandGeneratorCore", "RedisCommands"],
            swiftSettings: strictSwift6
        ),
        // Release-built benchmarks behind scripts/bench-*: they run the peer in the same process run
        // and print Markdown ratio tables.
        .executableTarget(
            name: "RedliteBench",
            dependencies: [
                "RESP", "Redlite", "RedisClient",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "redlite",
            dependencies: [
                "RedliteServer", "Redlite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "RESPTests",
            dependencies: ["RESP", "RedisTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "RedisCommandsTests",
            dependencies: ["RedisCommands", "RedisTestSupport", "RESP"],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "RedliteTests",
            dependencies: ["Redlite", "RedliteSQLiteWAL", "RedisTestSupport", "RESP", "RedisCommands", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "RedliteServerTests",
            dependencies: [
                "RedliteServer", "Redlite", "RedisTestSupport", "RESP",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "RedisClient", "Redlite", "RedisTestSupport", "RESP", "RedisCommandGeneratorCore", "RedisCommands",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "RedisTestSupportTests",
            dependencies: ["RedisTestSupport", "RESP"],
            swiftSettings: strictSwift6
        ),
    ]
)
