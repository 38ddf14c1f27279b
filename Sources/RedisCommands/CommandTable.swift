public import Foundation

/// The Redis command table: every command and subcommand of the Redis version the artifact was
/// generated from, looked up by name.
///
/// This is the single source of command metadata in the package. The server's dispatch table and the
/// client's generated command API are both built from it; no second list of commands is kept by hand.
///
/// ```swift
/// let table = CommandTable.bundled
/// table["get"]?.arity          // 2
/// table["client|setname"]      // a subcommand
/// ```
public struct CommandTable: Sendable, Codable {
    /// The `redis_version` of the server the artifact was read from.
    public var redisVersion: String
    /// Top-level commands sorted by name; subcommands hang off their container.
    public var commands: [CommandSpec]

    private var index: [String: CommandSpec] = [:]

    private enum CodingKeys: String, CodingKey {
        case redisVersion, commands
    }

    public init(redisVersion: String, commands: [CommandSpec]) {
        self.redisVersion = redisVersion
        self.commands = commands.sorted { $0.name < $1.name }
        buildIndex()
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            redisVersion: try container.decode(String.self, forKey: .redisVersion),
            commands: try container.decode([CommandSpec].self, forKey: .commands)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(redisVersion, forKey: .redisVersion)
        try container.encode(commands, forKey: .commands)
    }

    private mutating func buildIndex() {
        var index: [String: CommandSpec] = [:]
        for command in commands {
            index[command.name] = command
            for sub in command.subcommands { index[sub.name] = sub }
        }
        self.index = index
    }

    /// The command or subcommand (`client|setname`) named `name`, case-insensitively.
    public subscript(name: String) -> CommandSpec? {
        index[name] ?? index[name.lowercased()]
    }

    /// The subcommand `sub` of `container`, case-insensitively.
    public func subcommand(_ container: String, _ sub: String) -> CommandSpec? {
        self["\(container)|\(sub)"]
    }

    /// Every command and subcommand.
    public var allCommands: [CommandSpec] {
        commands.flatMap { [$0] + $0.subcommands }
    }

    /// The table checked into the package (`Sources/RedisCommands/Resources/commands.json`).
    public static var bundled: CommandTable {
        get throws { try loaded.get() }
    }

    private static let loaded: Result<CommandTable, CommandSpecError> = {
        guard let url = Bundle.module.url(forResource: "commands", withExtension: "json") else {
            return .failure(.artifactMissing)
        }
        do {
            return .success(try decode(Data(contentsOf: url)))
        } catch let error as CommandSpecError {
            return .failure(error)
        } catch {
            return .failure(.artifactUnreadable(String(describing: error)))
        }
    }()

    /// Reads an artifact.
    public static func decode(_ data: Data) throws(CommandSpecError) -> CommandTable {
        do {
            return try JSONDecoder().decode(CommandTable.self, from: data)
        } catch {
            throw .artifactUnreadable(String(describing: error))
        }
    }

    /// Writes the artifact: pretty-printed with sorted keys, so regenerating it from the same server
    /// gives the same bytes and a diff shows exactly what a new Redis version changed.
    public func encodedArtifact() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}
