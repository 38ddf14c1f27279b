import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import RESP
import RedisCommands

/// ACL: Redlite's users as Redis's ACL commands show them.
///
/// Redlite's users are the default user (with `requirepass`'s password, with none when nothing is
/// configured, disabled when only named users are) and the `--user NAME:PASSWORD` users. Each may
/// run every command on every key and channel (`~* &* +@all`): the read-only ACL subcommands report
/// that, DRYRUN answers accordingly, and ACL LOG records failed authentications as Redis does.
/// Changing users at run time (SETUSER, DELUSER of a user that exists) is refused with an error that
/// says how users are configured instead: a server that accepted a restricting rule and then ignored
/// it would grant what the operator meant to deny.
extension ClientConnection {
    func acl(_ request: [ByteBuffer]) {
        let subcommand = request[1].lowercasedASCII
        switch subcommand {
        case "whoami":
            reply(.bulk(user))
        case "users":
            reply(.array(server.userNames.map { .bulk($0) }))
        case "list":
            reply(.array(server.userNames.map { .bulk(server.aclDescription(of: $0)) }))
        case "getuser":
            let name = String(buffer: request[2])
            guard server.userNames.contains(name) else { return reply(.nullBulkString) }
            let (enabled, hashes) = server.aclState(of: name)
            var flags: [RESPValue] = [.bulk(enabled ? "on" : "off")]
            if hashes.isEmpty { flags.append(.bulk("nopass")) }
            reply(.map([
                .init(.bulk("flags"), .set(flags)), .init(.bulk("passwords"), .array(hashes.map { .bulk($0) })),
                .init(.bulk("commands"), .bulk("+@all")), .init(.bulk("keys"), .bulk("~*")), .init(.bulk("channels"), .bulk("&*")),
                .init(.bulk("selectors"), .array([])),
            ]))
        case "cat":
            aclCategories(request)
        case "genpass":
            generatePassword(request)
        case "dryrun":
            dryRun(request)
        case "log":
            aclLog(request)
        case "deluser":
            let names = request.dropFirst(2).map { String(buffer: $0) }
            if names.contains("default") { return reply(.simpleError("ERR The 'default' user cannot be removed")) }
            guard !names.contains(where: server.userNames.contains) else { return reply(.simpleError(Self.usersAreConfigured)) }
            reply(.integer(0))
        case "setuser":
            reply(.simpleError(Self.usersAreConfigured))
        case "load", "save":
            reply(.simpleError("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."))
        case "help":
            reply(HelpTexts.acl)
        default:
            reply(.simpleError("ERR unknown subcommand '\(String(buffer: request[1]))'. Try ACL HELP."))
        }
    }

    static let usersAreConfigured = "ERR Redlite's users are set when the server starts (requirepass, --user NAME:PASSWORD or user lines of the --config file); they cannot be changed with ACL SETUSER or DELUSER"

    /// Redis's categories, in its order.
    static let aclCategoryNames = [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub",
        "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ]

    private func aclCategories(_ request: [ByteBuffer]) {
        guard request.count <= 3 else { return reply(Self.aclSyntaxError(request)) }
        guard request.count == 3 else { return reply(.array(Self.aclCategoryNames.map { .bulk($0) })) }
        let category = request[2].lowercasedASCII
        guard Self.aclCategoryNames.contains(category) else {
            return reply(.simpleError("ERR Unknown category '\(String(buffer: request[2]))'"))
        }
        // Commands and subcommands of the table in the category, as Redis lists them (`client|list`).
        var names: [RESPValue] = []
        for spec in server.table.commands {
            if spec.aclCategories.contains("@" + category) { names.append(.bulk(spec.name)) }
            for subcommand in spec.subcommands where subcommand.aclCategories.contains("@" + category) { names.append(.bulk(subcommand.name)) }
        }
        reply(.array(names))
    }

    private func generatePassword(_ request: [ByteBuffer]) {
        guard request.count <= 3 else { return reply(Self.aclSyntaxError(request)) }
        var bits: Int64 = 256
        if request.count == 3 {
            guard let parsed = RedisInteger.parse(request[2]) else { return reply(.simpleError("ERR value is not an integer or out of range")) }
            bits = parsed
        }
        guard bits > 0, bits <= 4096 else {
            return reply(.simpleError("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"))
        }
        // One hex digit per four bits, rounded up, from the system's cryptographic generator.
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<((bits + 3) / 4)).map { _ in String(Int.random(in: 0..<16, using: &generator), radix: 16) }
        reply(.bulk(digits.joined()))
    }

    /// Whether the user could run the command: every user may run every command, so the answer is
    /// OK for a known user and a command Redis would run, and Redis's refusal otherwise.
    private func dryRun(_ request: [ByteBuffer]) {
        let name = String(buffer: request[2])
        guard server.userNames.contains(name) else { return reply(.simpleError("ERR User '\(name)' not found")) }
        let command = Array(request[3...])
        let commandName = command[0].lowercasedASCII
        guard let spec = server.table[commandName] else {
            return reply(.simpleError("ERR Command '\(String(buffer: command[0]))' not found"))
        }
        guard spec.accepts(argumentCount: command.count) else {
            return reply(.simpleError("ERR wrong number of arguments for '\(spec.name)' command"))
        }
        if !spec.subcommands.isEmpty, command.count >= 2 {
            guard let subcommand = knownSubcommand(commandName, command) else {
                return reply(.simpleError("ERR Command '\(String(buffer: command[0]))' not found"))
            }
            guard subcommand.fits else { return reply(.simpleError("ERR wrong number of arguments for '\(subcommand.name)' command")) }
        }
        reply(.ok)
    }

    private func aclLog(_ request: [ByteBuffer]) {
        guard request.count <= 3 else { return reply(Self.aclSyntaxError(request)) }
        var count = 10
        if request.count == 3 {
            if request[2].lowercasedASCII == "reset" {
                server.aclLog.reset()
                return reply(.ok)
            }
            guard let parsed = RedisInteger.parse(request[2]) else { return reply(.simpleError("ERR value is not an integer or out of range")) }
            count = Int(max(0, min(parsed, Int64(Int32.max))))
        }
        let now = Date()
        reply(.array(server.aclLog.entries(limit: count).map { entry in
            .map([
                .init(.bulk("count"), .integer(Int64(entry.count))), .init(.bulk("reason"), .bulk(entry.reason)),
                .init(.bulk("context"), .bulk(entry.context)), .init(.bulk("object"), .bulk(entry.object)),
                .init(.bulk("username"), .bulk(entry.username)),
                .init(.bulk("age-seconds"), .double(Double(Int64(now.timeIntervalSince(entry.updated) * 1000)) / 1000)),
                .init(.bulk("client-info"), .bulk(entry.clientInfo)),
            ])
        }))
    }

    /// A failed authentication by `command` (AUTH, or HELLO … AUTH) for ACL LOG, whose object is the
    /// command's name as the client spelled it, as in Redis.
    func logFailedAuthentication(username: String, command: String) {
        server.aclLog.record(reason: "auth", context: transaction == nil && capturedReplies == nil ? "toplevel" : "multi",
                             object: command, username: username, clientInfo: handle.listLine())
    }

    private static func aclSyntaxError(_ request: [ByteBuffer]) -> RESPValue {
        .simpleError("ERR unknown subcommand or wrong number of arguments for '\(String(buffer: request[1]))'. Try ACL HELP.")
    }
}

extension ServerContext {
    /// Every user's name, in Redis's order (sorted).
    var userNames: [String] { (["default"] + configuration.users.keys).sorted() }

    /// Whether the user may authenticate at all, and the SHA-256 digests of its passwords (none: it
    /// takes any password). The default user is disabled when only named users are configured.
    func aclState(of name: String) -> (enabled: Bool, passwordHashes: [String]) {
        let configuration = self.configuration
        let password = name == "default" ? configuration.requirePass : configuration.users[name]
        let enabled = name != "default" || configuration.requirePass != nil || configuration.users.isEmpty
        return (enabled, password.map { [SHA256.hash(data: Data($0.utf8)).map { String(format: "%02x", $0) }.joined()] } ?? [])
    }

    /// ACL LIST's line for a user.
    func aclDescription(of name: String) -> String {
        let (enabled, hashes) = aclState(of: name)
        let passwords = hashes.isEmpty ? "nopass" : hashes.map { "#" + $0 }.joined(separator: " ")
        return "user \(name) \(enabled ? "on" : "off") \(passwords) ~* &* +@all"
    }
}
