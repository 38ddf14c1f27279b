import NIOCore
import RESP
import RedisCommands

/// What a connection needs to know about a command before running it: its spec and how the server
/// treats it (a write for the group committer, a connection-level command, a blocking command…).
///
/// Worked out once per name when the server starts, so a request costs one dictionary lookup and
/// one reference count, instead of copying the spec out of the table and searching its flags and
/// several name sets for every command.
final class CommandRoute: Sendable {
    /// Redis's spec; nil for Redlite's own commands and for names nobody knows.
    let spec: CommandSpec?
    /// Goes to the group committer (Redis's `write` flag, or one of Redlite's own writes).
    let isWrite: Bool
    /// May change what others see (a write, or PUBLISH/SPUBLISH: Redis's `may_replicate`, which the
    /// command table does not carry): CLIENT PAUSE WRITE holds it.
    let mayChangeData: Bool
    /// Allowed before authentication (Redis's `no_auth` flag).
    let allowedUnauthenticated: Bool
    /// Handled by the connection (CLIENT, HELLO, MULTI, SUBSCRIBE…), not by the engine.
    let isServerCommand: Bool
    /// BLPOP and friends: may park the client.
    let isBlocking: Bool
    /// Allowed in RESP2 subscribed mode.
    let allowedWhileSubscribed: Bool
    /// Runs at once inside MULTI instead of being queued.
    let isTransactionControl: Bool

    /// An engine command with no connection-level step: may join a run of a pipeline (one commit or
    /// one read snapshot for many requests).
    var isEngineCommand: Bool { !isServerCommand && !isBlocking }

    /// INFO commandstats of the command (nil for a name nobody knows) and of its subcommands.
    let statistics: CommandStatistics?
    private let subcommandStatistics: [String: CommandStatistics]

    /// The statistics `request` counts toward: its subcommand's for a container (nil for a
    /// subcommand nobody knows, which Redis does not count either), the command's otherwise.
    func statistics(for request: [ByteBuffer]) -> CommandStatistics? {
        guard !subcommandStatistics.isEmpty else { return statistics }
        guard request.count >= 2 else { return statistics }
        return subcommandStatistics[request[1].lowercasedASCII]
    }

    /// Every statistics object of the route (INFO, CONFIG RESETSTAT).
    var allStatistics: [CommandStatistics] {
        guard subcommandStatistics.isEmpty else { return Array(subcommandStatistics.values) }
        return statistics.map { [$0] } ?? []
    }

    /// Whether Redis would run `request` at all rather than refuse it first: the right number of
    /// arguments and, for a container (CLIENT, CONFIG, SLOWLOG…), a subcommand it knows, with its
    /// own right number. `known` answers for a name without a spec (Redlite's own commands). The
    /// slow log notes only what ran, as Redis's does.
    func runs(_ request: [ByteBuffer], known: () -> Bool) -> Bool {
        guard let spec else { return known() }
        guard spec.accepts(argumentCount: request.count) else { return false }
        guard !spec.subcommands.isEmpty else { return true }
        let subcommand = request[1].lowercasedASCII
        return spec.subcommands.first { $0.subcommandName == subcommand }?.accepts(argumentCount: request.count) ?? false
    }

    init(name: String, spec: CommandSpec?) {
        self.spec = spec
        self.isWrite = spec?.hasFlag("write") ?? ClientConnection.redliteWrites.contains(name)
        self.mayChangeData = isWrite || ["publish", "spublish"].contains(name)
        self.allowedUnauthenticated = spec?.hasFlag("no_auth") ?? false
        self.isServerCommand = ClientConnection.serverCommandNames.contains(name)
        self.isBlocking = ClientConnection.blockingCommands.contains(name)
        self.allowedWhileSubscribed = ClientConnection.allowedWhileSubscribed.contains(name)
        self.isTransactionControl = ClientConnection.transactionControl.contains(name)
        self.statistics = name.isEmpty ? nil : CommandStatistics(name: name)
        var subcommands: [String: CommandStatistics] = [:]
        for subcommand in spec?.subcommands ?? [] {
            if let short = subcommand.subcommandName { subcommands[short] = CommandStatistics(name: subcommand.name) }
        }
        self.subcommandStatistics = subcommands
    }
}

/// Every known command's route by lowercase name.
struct CommandRoutes: Sendable {
    private let routes: [String: CommandRoute]
    /// The route of a name nobody knows: the engine answers it with Redis's unknown-command error.
    private let unknown = CommandRoute(name: "", spec: nil)

    init(table: CommandTable) {
        var routes: [String: CommandRoute] = [:]
        for spec in table.commands { routes[spec.name] = CommandRoute(name: spec.name, spec: spec) }
        for name in ClientConnection.redliteWrites { routes[name] = CommandRoute(name: name, spec: nil) }
        self.routes = routes
    }

    subscript(name: String) -> CommandRoute { routes[name] ?? unknown }

    /// Every known route (INFO commandstats, CONFIG RESETSTAT).
    var all: Dictionary<String, CommandRoute>.Values { routes.values }
}
