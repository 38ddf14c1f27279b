import Foundation
import NIOCore
import RESP
import RedisCommands
import Redlite

/// Commands about the connection and the server itself, answered here rather than by the engine.
extension ClientConnection {
    /// Names of the commands this layer answers (the engine answers the rest).
    static let serverCommandNames: Set<String> = Set<String>([
        "hello", "auth", "quit", "reset", "ping", "client", "command", "info", "config", "shutdown", "select",
        "multi", "exec", "discard", "watch", "unwatch", "subscribe", "psubscribe", "ssubscribe", "unsubscribe",
        "punsubscribe", "sunsubscribe", "publish", "spublish", "pubsub", "monitor", "slowlog", "acl", "latency",
    ]).union(serverAdminCommandNames)

    /// Subcommands Redlite answers that the command table (Redis 7.0) does not know, with their exact
    /// argument counts (Redis 7.2's).
    static let subcommandsBeyondTable: [String: Int] = ["client|setinfo": 4]

    /// A container command's subcommand as this server knows it (from the command table or
    /// `subcommandsBeyondTable`): its full name (`client|list`) and whether the request's argument
    /// count fits it; nil when no subcommand is given or it is unknown.
    func knownSubcommand(_ name: String, _ request: [ByteBuffer]) -> (name: String, fits: Bool)? {
        guard request.count >= 2 else { return nil }
        let subcommand = request[1].lowercasedASCII
        if let spec = server.table.subcommand(name, subcommand) { return (spec.name, spec.accepts(argumentCount: request.count)) }
        if let arity = Self.subcommandsBeyondTable["\(name)|\(subcommand)"] { return ("\(name)|\(subcommand)", request.count == arity) }
        return nil
    }

    /// Answers a server-level command; false when `name` is the engine's.
    func handleServerCommand(_ name: String, _ request: [ByteBuffer]) -> Bool {
        // Container commands: the subcommand's own arity, from the command table, as Redis checks it.
        // Subcommands newer than the table are checked too, or a short request would reach the
        // handler's reads of arguments that are not there.
        if ["client", "command", "config", "pubsub", "slowlog", "acl", "latency"].contains(name), let subcommand = knownSubcommand(name, request),
           !subcommand.fits {
            reply(.simpleError("ERR wrong number of arguments for '\(subcommand.name)' command"))
            return true
        }
        // CLUSTER is refused as a whole on a standalone server, but only once its subcommand is known
        // and fits, as Redis's command lookup comes first.
        if name == "cluster" && request.count >= 2 {
            guard let subcommand = knownSubcommand(name, request) else {
                reply(.simpleError("ERR unknown subcommand '\(String(buffer: request[1]))'. Try CLUSTER HELP."))
                return true
            }
            guard subcommand.fits else {
                reply(.simpleError("ERR wrong number of arguments for '\(subcommand.name)' command"))
                return true
            }
        }
        switch name {
        case "hello": hello(request)
        case "auth": auth(request)
        case "quit":
            reply(.ok)
            closeAfterReplies()
        case "reset": resetState()
        case "ping":
            if isSubscribed && session.protocolVersion == .resp2 {
                reply(.array([.bulk("pong"), request.count > 1 ? .bulkString(request[1]) : .bulk("")]))
            } else if request.count > 2 {
                reply(.simpleError("ERR wrong number of arguments for 'ping' command"))
            } else {
                reply(request.count > 1 ? .bulkString(request[1]) : .simpleString("PONG"))
            }
        case "client": client(request)
        case "command": command(request)
        case "info": info(request)
        case "config": config(request)
        case "shutdown":
            if request.count > 2 || (request.count == 2 && !["nosave", "save", "now", "force", "abort"].contains(request[1].lowercasedASCII)) {
                reply(.simpleError("ERR syntax error"))
            } else {
                server.logger.info("SHUTDOWN requested by client \(handle.id)")
                closeAfterReplies()
                server.requestShutdown()
            }
        case "select":
            reply(server.store.execute(request, session: &session))
            let database = session.database
            handle.update { $0.database = database }
        case "multi": multi()
        case "exec": exec()
        case "discard": discard()
        case "watch": watch(request)
        case "unwatch":
            watched = []
            reply(.ok)
        case "subscribe": subscribe(request, kind: .channel)
        case "psubscribe": subscribe(request, kind: .pattern)
        case "ssubscribe": subscribe(request, kind: .shard)
        case "unsubscribe": unsubscribe(request, kind: .channel)
        case "punsubscribe": unsubscribe(request, kind: .pattern)
        case "sunsubscribe": unsubscribe(request, kind: .shard)
        case "publish": reply(.integer(Int64(server.store.pubsub.publish(channel: request[1], payload: request[2]))))
        case "spublish": reply(.integer(Int64(server.store.pubsub.publish(shardChannel: request[1], payload: request[2]))))
        case "pubsub": pubsubIntrospection(request)
        case "monitor": startMonitoring()
        case "slowlog": slowlog(request)
        case "acl": acl(request)
        case "latency": latency(request)
        case _ where Self.serverAdminCommandNames.contains(name): serverAdmin(name, request)
        default: return false
        }
        return true
    }

    // MARK: HELLO, AUTH, RESET

    func hello(_ request: [ByteBuffer]) {
        var index = 1
        var version = session.protocolVersion
        if request.count > 1 {
            guard let requested = Int(String(buffer: request[1])) else {
                reply(.simpleError("ERR Protocol version is not an integer or out of range"))
                return
            }
            guard requested == 2 || requested == 3 else {
                reply(.simpleError("NOPROTO unsupported protocol version"))
                return
            }
            version = requested == 3 ? .resp3 : .resp2
            index = 2
        }
        var newName: String?
        while index < request.count {
            let option = request[index].lowercasedASCII
            if option == "auth" && index + 2 < request.count {
                let user = String(buffer: request[index + 1]), password = String(buffer: request[index + 2])
                guard server.authenticate(user: user, password: password) else {
                    logFailedAuthentication(username: user, command: String(buffer: request[0]))
                    reply(.simpleError("WRONGPASS invalid username-password pair or user is disabled."))
                    return
                }
                authenticated = true
                self.user = user
                index += 3
            } else if option == "setname" && index + 1 < request.count {
                newName = String(buffer: request[index + 1])
                index += 2
            } else {
                reply(.simpleError("ERR Syntax error in HELLO option '\(String(buffer: request[index]))'"))
                return
            }
        }
        guard authenticated else {
            reply(.simpleError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"))
            return
        }
        if let newName {
            guard Self.isValidName(newName) else {
                reply(.simpleError("ERR Client names cannot contain spaces, newlines or special characters."))
                return
            }
            name = newName
            handle.update { $0.name = newName }
        }
        session.protocolVersion = version
        handle.update { $0.protocolVersion = version.rawValue }
        reply(.map([
            .init(.bulk("server"), .bulk("redis")),
            .init(.bulk("version"), .bulk(server.table.redisVersion)),
            .init(.bulk("proto"), .integer(Int64(version.rawValue))),
            .init(.bulk("id"), .integer(Int64(handle.id))),
            .init(.bulk("mode"), .bulk("standalone")),
            .init(.bulk("role"), .bulk("master")),
            .init(.bulk("modules"), .array([])),
        ]))
    }

    func auth(_ request: [ByteBuffer]) {
        guard request.count == 2 || request.count == 3 else {
            reply(.simpleError("ERR syntax error"))
            return
        }
        // Only the one-argument form is refused when the default user has no password; with a user
        // name, the default user then takes any password (Redis's `nopass`), and others are unknown.
        guard request.count == 3 || server.authenticationRequired else {
            reply(.simpleError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"))
            return
        }
        let user = request.count == 3 ? String(buffer: request[1]) : "default"
        let password = String(buffer: request[request.count - 1])
        guard server.authenticate(user: user, password: password) else {
            logFailedAuthentication(username: user, command: String(buffer: request[0]))
            reply(.simpleError("WRONGPASS invalid username-password pair or user is disabled."))
            return
        }
        authenticated = true
        self.user = user
        handle.update { $0.user = user }
        reply(.ok)
    }

    func resetState() {
        if isMonitor {
            server.monitor.remove(id: handle.id)
            isMonitor = false
        }
        transaction = nil
        transactionFailed = false
        watched = []
        unsubscribeAll()
        session = RedliteSession()
        name = ""
        authenticated = !server.authenticationRequired
        user = "default"
        // CLIENT REPLY OFF ends, as Redis 7.0's RESET clears its reply-off flag; under CLIENT REPLY
        // SKIP this RESET's own answer is still the one skipped. (7.0 keeps CLIENT NO-EVICT.)
        if replies == .off { replies = .on }
        handle.update {
            $0.name = ""
            $0.database = 0
            $0.protocolVersion = 2
            $0.inMulti = -1
            $0.user = "default"
        }
        reply(.simpleString("RESET"))
    }

    /// MONITOR: from now on, every command any other client sends arrives here as a line.
    func startMonitoring() {
        guard !departed, context != nil else { return }
        reply(.ok)
        guard !isMonitor else { return }
        isMonitor = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let inbox = monitorInbox
        server.monitor.add(id: handle.id) { line in
            let wasEmpty = inbox.withLockedValue { queue -> Bool in
                queue.append(line)
                return queue.count == 1
            }
            if wasEmpty { eventLoop.execute { bound.value.drainMonitorInbox() } }
        }
    }

    func drainMonitorInbox() {
        let lines = monitorInbox.withLockedValue { queue -> [String] in
            defer { queue.removeAll() }
            return queue
        }
        guard context != nil, context.channel.isActive else { return }
        if server.configuration.pubsubOutputLimit.isReached(pending: outputBytes, overSoftSince: &overSoftLimitSince) {
            server.logger.warning("closing monitor \(handle.id): output buffer limit reached")
            server.monitor.remove(id: handle.id)
            context.close(promise: nil)
            return
        }
        for line in lines { reply(.simpleString(line)) }
        flushIfNeeded()
        // Being written to is activity, as Redis counts it: a monitor is not idle while it listens.
        handle.touch()
    }

    static func isValidName(_ name: String) -> Bool {
        name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }

    // MARK: CLIENT

    func client(_ request: [ByteBuffer]) {
        guard request.count >= 2 else {
            reply(.simpleError("ERR wrong number of arguments for 'client' command"))
            return
        }
        let sub = request[1].lowercasedASCII
        switch sub {
        case "id":
            reply(.integer(Int64(handle.id)))
        case "setname":
            let newName = String(buffer: request[2])
            guard Self.isValidName(newName) || newName.isEmpty else {
                reply(.simpleError("ERR Client names cannot contain spaces, newlines or special characters."))
                return
            }
            name = newName
            handle.update { $0.name = newName }
            reply(.ok)
        case "getname":
            reply(name.isEmpty ? .nullBulkString : .bulk(name))
        case "list":
            var clients = server.clients.all
            var index = 2
            while index < request.count {
                let option = request[index].lowercasedASCII
                if option == "type" && index + 1 < request.count {
                    switch request[index + 1].lowercasedASCII {
                    case "normal": clients = clients.filter { !$0.isPubSub }
                    case "pubsub": clients = clients.filter(\.isPubSub)
                    case "master", "replica", "slave": clients = []
                    default:
                        reply(.simpleError("ERR Unknown client type '\(String(buffer: request[index + 1]))'"))
                        return
                    }
                    index += 2
                } else if option == "id" && index + 1 < request.count {
                    var ids: Set<UInt64> = []
                    for raw in request[(index + 1)...] {
                        guard let id = UInt64(String(buffer: raw)), id > 0 else {
                            reply(.simpleError("ERR Invalid client ID"))
                            return
                        }
                        ids.insert(id)
                    }
                    clients = clients.filter { ids.contains($0.id) }
                    index = request.count
                } else {
                    reply(.simpleError("ERR syntax error"))
                    return
                }
            }
            let ownArguments = request.reduce(0) { $0 + $1.readableBytes }
            let lines = clients.map { $0.listLine(argumentBytes: $0 === handle ? ownArguments : 0) + "\n" }
            reply(.verbatimString(format: "txt", text: ByteBuffer(string: lines.joined())))
        case "info":
            let ownArguments = request.reduce(0) { $0 + $1.readableBytes }
            reply(.verbatimString(format: "txt", text: ByteBuffer(string: handle.listLine(argumentBytes: ownArguments) + "\n")))
        case "kill":
            clientKill(request)
        case "no-evict":
            switch request[2].lowercasedASCII {
            case "on", "off":
                let on = request[2].lowercasedASCII == "on"
                handle.update { $0.noEvict = on }
                reply(.ok)
            default:
                reply(.simpleError("ERR syntax error"))
            }
        case "setinfo":
            let attribute = request[2].lowercasedASCII, value = String(buffer: request[3])
            guard Self.isValidName(value) || value.isEmpty else {
                reply(.simpleError("ERR \(attribute) cannot contain spaces, newlines or special characters."))
                return
            }
            switch attribute {
            case "lib-name": handle.update { $0.libraryName = value }
            case "lib-ver": handle.update { $0.libraryVersion = value }
            default:
                reply(.simpleError("ERR Unrecognized option '\(String(buffer: request[2]))'"))
                return
            }
            reply(.ok)
        case "unblock":
            clientUnblock(request)
        case "pause":
            clientPause(request)
        case "unpause":
            server.pause.unpause()
            reply(.ok)
        case "reply":
            switch request[2].lowercasedASCII {
            case "on":
                replies = .on
                reply(.ok)
            case "off": replies = .off
            case "skip": replies = .skipNext
            default: reply(.simpleError("ERR syntax error"))
            }
        // Client-side caching (CLIENT TRACKING) is not implemented: these answer as Redis does for a
        // client that has not turned it on.
        case "getredir":
            reply(.integer(-1))
        case "trackinginfo":
            reply(.map([
                .init(.bulk("flags"), .set([.bulk("off")])), .init(.bulk("redirect"), .integer(-1)), .init(.bulk("prefixes"), .array([])),
            ]))
        case "caching":
            reply(.simpleError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"))
        case "help":
            reply(.array(["CLIENT <subcommand> [<arg> ...]. Subcommands are:", "ID", "SETNAME <name>", "GETNAME", "LIST [TYPE normal|pubsub] [ID id ...]",
                          "INFO", "KILL <ip:port> | KILL [ID id] [ADDR ip:port] [LADDR ip:port] [TYPE normal|pubsub] [USER name] [SKIPME yes|no]",
                          "NO-EVICT on|off", "SETINFO LIB-NAME|LIB-VER <value>", "UNBLOCK <clientid> [TIMEOUT|ERROR]", "PAUSE <timeout> [WRITE|ALL]", "UNPAUSE", "REPLY ON|OFF|SKIP",
                          "GETREDIR", "TRACKINGINFO"].map { .simpleString($0) }))
        default:
            reply(.simpleError("ERR unknown subcommand '\(String(buffer: request[1]))'. Try CLIENT HELP."))
        }
    }

    /// CLIENT PAUSE timeout [WRITE|ALL]: Redis 7.0's checks, in its order (the mode, then the
    /// timeout in milliseconds); an end past the range of a long long wraps in Redis and ends the
    /// pause at once, and does here.
    private func clientPause(_ request: [ByteBuffer]) {
        guard request.count <= 4 else {
            reply(.simpleError("ERR unknown subcommand or wrong number of arguments for '\(String(buffer: request[1]))'. Try CLIENT HELP."))
            return
        }
        var mode = ClientPause.Mode.all
        if request.count == 4 {
            switch request[3].lowercasedASCII {
            case "write": mode = .write
            case "all": mode = .all
            default:
                reply(.simpleError("ERR CLIENT PAUSE mode must be WRITE or ALL"))
                return
            }
        }
        guard let milliseconds = RedisInteger.parse(request[2]) else {
            reply(.simpleError("ERR timeout is not an integer or out of range"))
            return
        }
        guard milliseconds >= 0 else {
            reply(.simpleError("ERR timeout is negative"))
            return
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let (_, wraps) = now.addingReportingOverflow(milliseconds)
        // Past NIO's clock (about 292 years of nanoseconds), the pause lasts until CLIENT UNPAUSE.
        let end: NIODeadline? = wraps ? nil
            : milliseconds == 0 ? .now() : Self.timerAmount(seconds: Double(milliseconds) / 1000).map { .now() + $0 } ?? .distantFuture
        guard context != nil else { return }
        server.pause.pause(mode, until: end, timerOn: context.eventLoop)
        reply(.ok)
    }

    /// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when the client was blocked (BLPOP and friends, WAIT)
    /// and is now answered, as if it had timed out or with Redis's UNBLOCKED error.
    private func clientUnblock(_ request: [ByteBuffer]) {
        guard let id = RedisInteger.parse(request[2]) else {
            reply(.simpleError("ERR value is not an integer or out of range"))
            return
        }
        var withError = false
        if request.count == 4 {
            switch request[3].lowercasedASCII {
            case "timeout": withError = false
            case "error": withError = true
            default:
                reply(.simpleError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"))
                return
            }
        }
        let target = server.clients.all.first { Int64($0.id) == id }
        let unblock = target?.unblocker.withLockedValue { $0 }
        reply(.integer(unblock?(withError) == true ? 1 : 0))
    }

    private func clientKill(_ request: [ByteBuffer]) {
        let clients = server.clients.all
        if request.count == 3 {
            // The old form: CLIENT KILL addr:port.
            let address = String(buffer: request[2])
            guard let target = clients.first(where: { $0.address == address }) else {
                reply(.simpleError("ERR No such client"))
                return
            }
            reply(.ok)
            target.close()
            return
        }
        var filters: [(ClientHandle) -> Bool] = []
        var skipMe = true
        var index = 2
        while index + 1 < request.count {
            let option = request[index].lowercasedASCII, value = String(buffer: request[index + 1])
            switch option {
            case "id":
                guard let id = UInt64(value), id > 0 else {
                    reply(.simpleError("ERR client-id should be greater than 0"))
                    return
                }
                filters.append { $0.id == id }
            case "addr": filters.append { $0.address == value }
            case "laddr": filters.append { $0.localAddress == value }
            case "user":
                guard value == "default" || server.configuration.users[value] != nil else {
                    reply(.simpleError("ERR No such user '\(value)'"))
                    return
                }
                filters.append { $0.snapshot.user == value }
            case "type":
                switch value.lowercased() {
                case "normal": filters.append { !$0.isPubSub }
                case "pubsub": filters.append(\.isPubSub)
                case "master", "replica", "slave": filters.append { _ in false }
                default:
                    reply(.simpleError("ERR Unknown client type '\(value)'"))
                    return
                }
            case "skipme":
                switch value.lowercased() {
                case "yes": skipMe = true
                case "no": skipMe = false
                default:
                    reply(.simpleError("ERR syntax error"))
                    return
                }
            case "maxage":
                guard let age = Int(value) else {
                    reply(.simpleError("ERR syntax error"))
                    return
                }
                filters.append { Date().timeIntervalSince($0.createdAt) >= Double(age) }
            default:
                reply(.simpleError("ERR syntax error"))
                return
            }
            index += 2
        }
        guard index == request.count else {
            reply(.simpleError("ERR syntax error"))
            return
        }
        let targets = clients.filter { client in filters.allSatisfy { $0(client) } && !(skipMe && client.id == handle.id) }
        reply(.integer(Int64(targets.count)))
        for target in targets {
            if target.id == handle.id { closeAfterReplies() } else { target.close() }
        }
    }

    // MARK: COMMAND

    func command(_ request: [ByteBuffer]) {
        let table = server.table
        guard request.count > 1 else {
            reply(.array(table.commands.map(\.infoReply)))
            return
        }
        let sub = request[1].lowercasedASCII
        let names = request.dropFirst(2).map { $0.lowercasedASCII }
        switch sub {
        case "count":
            reply(.integer(Int64(table.commands.count)))
        case "info":
            if names.isEmpty {
                reply(.array(table.commands.map(\.infoReply)))
            } else {
                reply(.array(names.map { table[$0]?.infoReply ?? .null }))  // an unknown name: a null bulk string, as in Redis
            }
        case "docs":
            let specs = names.isEmpty ? table.commands : names.compactMap { table[$0] }
            reply(.map(specs.map { .init(.bulk($0.name), $0.docsReply) }))
        case "list":
            // Subcommands are listed too, by their full names (`client|list`), as Redis 7 lists them.
            var specs = table.commands.flatMap { [$0] + $0.subcommands }
            if request.count == 5, request[2].lowercasedASCII == "filterby" {
                let value = String(buffer: request[4])
                switch request[3].lowercasedASCII {
                case "aclcat": specs = specs.filter { $0.aclCategories.contains("@" + value.lowercased()) }
                case "pattern":
                    let pattern = value.lowercased()
                    specs = specs.filter { Self.simpleGlob(pattern, $0.name) }
                case "module": specs = []
                default:
                    reply(.simpleError("ERR syntax error"))
                    return
                }
            } else if request.count != 2 {
                reply(.simpleError("ERR syntax error"))
                return
            }
            reply(.array(specs.map { .bulk($0.name) }))
        case "getkeys", "getkeysandflags":
            guard request.count >= 3 else {
                reply(.simpleError("ERR wrong number of arguments for 'command|\(sub)' command"))
                return
            }
            let words = request.dropFirst(2).map { String(buffer: $0) }
            guard var spec = table[words[0].lowercased()] else {
                reply(.simpleError("ERR Invalid command specified"))
                return
            }
            // A container's keys are its subcommand's (OBJECT ENCODING k, XINFO STREAM s): their key
            // specs count positions from the container's name, as `words` does.
            if !spec.subcommands.isEmpty, words.count >= 2 {
                guard let subcommand = table.subcommand(spec.name, words[1]) else {
                    reply(.simpleError("ERR Invalid command specified"))
                    return
                }
                spec = subcommand
            }
            // Redis's order: a command without keys is refused before its arity is checked; a keyed
            // command whose arguments give no keys answers an empty array if keys are optional for it
            // (EVAL with no keys), an error otherwise.
            guard spec.hasKeyArguments else {
                reply(.simpleError("ERR The command has no key arguments"))
                return
            }
            guard spec.accepts(argumentCount: words.count) else {
                reply(.simpleError("ERR Invalid number of arguments specified for command"))
                return
            }
            let positions = spec.keyPositions(arguments: words)
            guard !positions.isEmpty else {
                reply(spec.hasFlag("no_mandatory_keys") ? .array([]) : .simpleError("ERR Invalid arguments specified for command"))
                return
            }
            if sub == "getkeys" {
                reply(.array(positions.map { .bulkString(request[$0 + 2]) }))
            } else {
                // Each key with its own key spec's flags.
                reply(.array(spec.keyPositionsAndFlags(arguments: words).map { key in
                    .array([.bulkString(request[key.position + 2]), .set(key.flags.map { .simpleString($0) })])
                }))
            }
        case "help":
            reply(HelpTexts.command)
        default:
            reply(.simpleError("ERR unknown subcommand '\(String(buffer: request[1]))'. Try COMMAND HELP."))
        }
    }

    /// `*` and `?` globbing over a command name (COMMAND LIST FILTERBY PATTERN).
    static func simpleGlob(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8), s = Array(name.utf8)
        func match(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == s.count }
            if p[i] == UInt8(ascii: "*") { return (j...s.count).contains { match(i + 1, $0) } }
            guard j < s.count else { return false }
            return (p[i] == UInt8(ascii: "?") || p[i] == s[j]) && match(i + 1, j + 1)
        }
        return match(0, 0)
    }
}
