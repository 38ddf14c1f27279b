import ArgumentParser

/// The `redlite` command line. It grows into the RESP server (`redlite serve`) in a later issue; for
/// now it reports its version and documents itself.
@main
struct RedliteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redlite",
        abstract: "A Redis-compatible data store on SQLite.",
        discussion: """
            Redlite keeps Redis data types in a SQLite database: durable, transactional, embedded-first. \
            The server mode (`redlite serve`) speaks RESP so that redis-cli and every Redis client work \
            unchanged.
            """,
        version: RedliteVersion.current
    )

    func run() throws {
        print("redlite \(RedliteVersion.current)")
        print("Run `redlite --help` for usage.")
    }
}

enum RedliteVersion {
    static let current = "0.1.0"
}
