import NIOCore
import RESP
import RedisCommands

/// A command implementation: parses its arguments, does the work, answers the RESP reply.
typealias CommandHandler = @Sendable (inout CommandContext, CommandArguments) throws -> RESPValue

/// The dispatch table: command names to handlers, with arity from the Redis command specification
/// artifact (`RedisCommands`), so that arity errors are exactly Redis's.
final class CommandRegistry: Sendable {
    /// A class, so that a lookup per command costs one reference count, not a copy of the spec.
    final class Entry: Sendable {
        /// The name Redis reports in errors (lowercase).
        let name: String
        let arity: Int
        let handler: CommandHandler
        /// Redis's spec of the command (flags, key positions); nil for Redlite's own commands.
        let spec: CommandSpec?
        /// The spec's `write` flag, looked up once.
        let isWrite: Bool

        init(name: String, arity: Int, handler: @escaping CommandHandler, spec: CommandSpec?) {
            self.name = name
            self.arity = arity
            self.handler = handler
            self.spec = spec
            self.isWrite = spec?.hasFlag("write") ?? false
        }

        func accepts(_ count: Int) -> Bool { arity >= 0 ? count == arity : count >= -arity }
    }

    private let entries: [String: Entry]

    private init(entries: [String: Entry]) {
        self.entries = entries
    }

    /// Every command the engine implements.
    static func standard() throws -> CommandRegistry {
        var builder = Builder(table: try CommandTable.bundled)
        KeyCommands.register(&builder)
        StringCommands.register(&builder)
        HashCommands.register(&builder)
        ListCommands.register(&builder)
        SetCommands.register(&builder)
        SortedSetCommands.register(&builder)
        ServerCommands.register(&builder)
        MemoryCommands.register(&builder)
        ObjectCommands.register(&builder)
        SortCommand.register(&builder)
        HyperLogLogCommands.register(&builder)
        BitfieldCommand.register(&builder)
        GeoCommands.register(&builder)
        GeoSearch.register(&builder)
        RedliteCommands.register(&builder)
        return CommandRegistry(entries: builder.entries)
    }

    /// Names of the implemented commands.
    var names: [String] { entries.keys.sorted() }

    func contains(_ name: String) -> Bool { entries[name] != nil }

    func execute(_ arguments: [ByteBuffer], context: inout CommandContext) -> RESPValue {
        guard let first = arguments.first else { return .simpleError("ERR empty command") }
        return execute(arguments, name: first.lowercasedASCII, context: &context)
    }

    func execute(_ arguments: [ByteBuffer], name: String, context: inout CommandContext) -> RESPValue {
        guard let entry = entries[name] else { return .simpleError(Self.unknownCommand(arguments)) }
        guard entry.accepts(arguments.count) else { return .simpleError(RedisError.wrongArity(entry.name).message) }
        do {
            let reply = try entry.handler(&context, CommandArguments(values: arguments))
            var eventsTaken = false
            defer { if entry.isWrite && !eventsTaken { context.discardKeyChanges() } }
            // Clients blocked on keys learn about writes to them (only tracked while someone waits).
            // A write command that answered null (LMPOP on empty lists, SET NX on an existing key…)
            // changed nothing: it must not wake anyone, or a blocked client's own failed attempt
            // would wake it again, forever.
            let changed = !reply.isError && !reply.isNull && !context.changedNothing
            if entry.isWrite, let spec = entry.spec, changed || context.store.notifications.isEnabled,
               context.store.blocking.hasWaiters || context.store.notifications.isEnabled {
                let positions = spec.keyPositions(arguments: arguments.map { String(buffer: $0) })
                if changed && context.store.blocking.hasWaiters {
                    for position in positions {
                        context.store.blocking.markWritten(.init(database: context.database, key: arguments[position]))
                    }
                }
                if context.store.notifications.isEnabled {
                    let changes = context.takeKeyChanges()
                    eventsTaken = true
                    // Keys found expired are announced whatever the command then did (SET … XX over
                    // an expired key answers null), as Redis's lookup removes them first.
                    var events: [KeyspaceNotifications.Event] = []
                    if changed {
                        events = KeyspaceNotifications.addDeletions(context.deletedKeyEvents + KeyspaceNotifications.events(
                            command: entry.name, arguments: arguments, keyPositions: positions, reply: reply, database: context.database),
                            emptied: changes.emptied)
                    }
                    context.events += KeyspaceNotifications.addExpirations(events, expired: changes.expired)
                }
            }
            return reply
        } catch let error as RedisError {
            if entry.isWrite { context.discardKeyChanges() }
            return .simpleError(error.message)
        } catch {
            if entry.isWrite { context.discardKeyChanges() }
            return .simpleError("ERR \(error)")
        }
    }

    /// Redis's text for a command it does not know, arguments included (at most 128 bytes of them).
    static func unknownCommand(_ arguments: [ByteBuffer]) -> String {
        var text = "ERR unknown command '\(String(String(buffer: arguments[0]).prefix(128)))', with args beginning with: "
        var listed = 0
        for argument in arguments.dropFirst() where listed < 128 {
            let piece = String(String(buffer: argument).prefix(128 - listed))
            text += "'\(piece)' "
            listed += piece.utf8.count + 3
        }
        return text.replacingNewlines()
    }

    /// Collects registrations; arity comes from the command table unless given (Redlite's own
    /// commands are not in Redis's table).
    struct Builder {
        let table: CommandTable
        var entries: [String: Entry] = [:]

        mutating func register(_ name: String, arity: Int? = nil, _ handler: @escaping CommandHandler) {
            guard let arity = arity ?? table[name]?.arity else {
                preconditionFailure("\(name) is not in the command table: give its arity")
            }
            entries[name] = Entry(name: name, arity: arity, handler: handler, spec: table[name])
        }
    }
}

extension String {
    /// Error replies are one line: Redis turns CR and LF into spaces.
    func replacingNewlines() -> String {
        // By scalar, not by Character: "\r\n" is one Character but two bytes, and Redis maps each byte.
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars { scalars.append(scalar == "\r" || scalar == "\n" ? " " : scalar) }
        return String(scalars)
    }
}
