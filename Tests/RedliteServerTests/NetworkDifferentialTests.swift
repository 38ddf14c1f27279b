import NIOCore
import RESP
import RedisTestSupport
import Testing

/// The differential harness over the network: the same cases against `redis-server` and against
/// `redlite serve`, through real sockets, in RESP2 and in RESP3.
@Suite("Differential over the network: redlite serve against redis-server")
struct NetworkDifferentialTests {
    @Test("case over RESP2", arguments: DifferentialCases.all)
    func resp2(_ testCase: DifferentialCase) async throws {
        try await run(testCase, hello3: false)
    }

    @Test("case over RESP3", arguments: DifferentialCases.keysStringsHashes.prefix(6) + DifferentialCases.sortedSets.prefix(3))
    func resp3(_ testCase: DifferentialCase) async throws {
        try await run(testCase, hello3: true)
    }

    private func run(_ testCase: DifferentialCase, hello3: Bool) async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        let reference = try redis.connect()
        let subject = try served.connect()
        if hello3 {
            _ = try reference.send(["HELLO", "3"])
            _ = try subject.send(["HELLO", "3"])
        }
        var harness = DifferentialHarness(reference: reference, subject: subject)
        for command in testCase.commands {
            if let divergence = try harness.check(command) { Issue.record("\(divergence)") }
        }
        await served.stop()
    }

    private func expectSameAnswers(_ commands: [[String]]) async throws {
        try await ServedRedlite.expectSameAnswers(commands)
    }

    @Test("connection-level commands answer as Redis does")
    func connectionCommands() async throws {
        try await expectSameAnswers([
            ["PING"], ["PING", "x"], ["PING", "a", "b"], ["ECHO", "hi"], ["SELECT", "3"], ["SET", "k", "v"], ["SELECT", "0"], ["GET", "k"],
            ["CLIENT", "SETNAME", "my-client"], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "bad name"], ["CLIENT", "SETNAME", ""],
            ["CLIENT", "GETNAME"], ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT", "maybe"], ["CLIENT", "BOGUS"], ["CLIENT"],
            ["AUTH", "x"], ["AUTH", "a", "b", "c"], ["HELLO", "4"], ["HELLO", "x"], ["HELLO", "2", "BOGUS"],
            ["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["HSET", "a", "f", "v"], ["EXEC"], ["EXEC"], ["DISCARD"],
            ["MULTI"], ["SET", "a", "1"], ["NOSUCH"], ["EXEC"], ["MULTI"], ["GET"], ["EXEC"], ["MULTI"], ["MULTI"], ["DISCARD"],
            ["MULTI"], ["WATCH", "a"], ["DISCARD"], ["WATCH", "a"], ["UNWATCH"], ["MULTI"], ["PING"], ["ECHO", "x"], ["EXEC"],
            ["COMMAND", "COUNT"], ["COMMAND", "INFO", "get"], ["COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"],
            ["COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b"], ["COMMAND", "GETKEYS", "PING"], ["COMMAND", "BOGUS"],
            // Each key with its own spec's flags; SET's and BITFIELD's worked out from the arguments.
            ["COMMAND", "GETKEYSANDFLAGS", "SET", "a", "b"], ["COMMAND", "GETKEYSANDFLAGS", "SET", "a", "b", "GET"],
            ["COMMAND", "GETKEYSANDFLAGS", "LMOVE", "a", "b", "LEFT", "RIGHT"], ["COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "GET", "u8", "0"],
            ["COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "SET", "u8", "0", "1"], ["COMMAND", "GETKEYSANDFLAGS", "SORT", "k", "STORE", "d"],
            ["COMMAND", "GETKEYS", "SORT", "k", "LIMIT", "0", "1", "STORE", "d", "BY", "x", "STORE", "e"], ["COMMAND", "GETKEYS", "SORT", "k", "GET", "STORE"],
            // Refusals in Redis's order (no keys before arity), optional keys, and MIGRATE's two forms.
            ["COMMAND", "GETKEYS", "TIME", "x"], ["COMMAND", "GETKEYS", "PING", "a"], ["COMMAND", "GETKEYS", "EVAL", "x", "0"],
            ["COMMAND", "GETKEYSANDFLAGS", "FCALL", "f", "0"], ["COMMAND", "GETKEYS", "SINTERCARD", "0", "a"],
            ["COMMAND", "GETKEYS", "ZUNION", "0", "a"], ["COMMAND", "GETKEYS", "XREAD", "STREAMS", "a"],
            ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "10", "KEYS", "a", "b"],
            ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "10", "KEYS", "a", "b"],
            ["COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "1", "", "0", "10", "COPY", "KEYS", "a"],
            ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "10", "KEYS"], ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "10"],
            ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "10", "AUTH", "KEYS"],
            ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "10", "AUTH2", "u", "keys", "KEYS", "a"],
            ["COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "1", "k", "0", "10", "REPLACE"],
            // Containers: their subcommand's keys.
            ["COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"], ["COMMAND", "GETKEYSANDFLAGS", "XINFO", "STREAM", "s"],
            ["COMMAND", "GETKEYS", "MEMORY", "usage", "k"], ["COMMAND", "GETKEYS", "CONFIG", "GET", "x"],
            ["COMMAND", "GETKEYS", "OBJECT", "HELP"], ["COMMAND", "GETKEYS", "OBJECT", "BOGUS", "k"],
            ["COMMAND", "GETKEYS", "OBJECT", "ENCODING"], ["COMMAND", "GETKEYS", "CONFIG"],
            ["CONFIG", "GET", "databases"], ["CONFIG", "SET", "nosuch", "x"], ["CONFIG", "BOGUS"],
            ["PUBLISH", "ch", "msg"], ["PUBSUB", "NUMSUB", "ch"], ["PUBSUB", "NUMPAT"], ["PUBSUB", "CHANNELS"], ["UNSUBSCRIBE"],
            // Found by the server-command fuzzer.
            ["PUBSUB", "CHANNELS", "a", "b"], ["PUBSUB", "shardchannels", "a", "b"], ["PUBSUB", "HELP"], ["PUBSUB", "NUMPAT", "x"],
            ["COMMAND", "INFO", "nosuch", "get"], ["COMMAND", "DOCS", "nosuch"], ["COMMAND", "LIST"],
            ["COMMAND", "LIST", "FILTERBY", "PATTERN", "client*"], ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "dangerous"],
            ["CONFIG", "HELP"], ["COMMAND", "HELP"], ["SLOWLOG", "HELP"], ["MEMORY", "HELP"], ["PUBSUB", "HELP"],
        ])
    }

    @Test("server commands inside MULTI: queued (a container's subcommand and arity checked first) and answered in EXEC's reply")
    func serverCommandsInTransactions() async throws {
        try await expectSameAnswers([
            ["MULTI"], ["SET", "a", "1"], ["CONFIG", "GET", "maxclients"], ["COMMAND", "COUNT"], ["CLIENT", "SETNAME", "inside"],
            ["CLIENT", "GETNAME"], ["SLOWLOG", "LEN"], ["PUBSUB", "NUMPAT"], ["INFO", "nosuch"], ["GET", "a"], ["EXEC"], ["CLIENT", "GETNAME"],
            ["MULTI"], ["CONFIG", "SET", "maxclients", "x"], ["CLIENT", "KILL", "ID", "99999"], ["CLIENT", "NO-EVICT", "maybe"], ["EXEC"],
            ["MULTI"], ["CLIENT", "BOGUS"], ["CLIENT", "SETNAME"], ["CONFIG"], ["COMMAND", "GETKEYS"], ["PING"], ["EXEC"],
            ["MULTI"], ["WATCH", "x"], ["PING"], ["EXEC"], ["MULTI"], ["SHUTDOWN"], ["EXEC"],
            // A WATCHed key changed: nothing runs, the server commands neither.
            ["WATCH", "a"], ["SET", "a", "2"], ["MULTI"], ["CLIENT", "SETNAME", "never"], ["EXEC"], ["CLIENT", "GETNAME"],
        ])
        let served = try await ServedRedlite.start()
        let connection = try served.connect()
        #expect(try connection.run("MULTI") == .ok)
        #expect(try connection.run("HELLO", "2", "SETNAME", "helloed") == .simpleString("QUEUED"))
        #expect(try connection.run("INFO", "keyspace") == .simpleString("QUEUED"))
        guard case .array(let replies) = try connection.run("EXEC"), replies.count == 2, case .bulkString(let info) = replies[1] else {
            Issue.record("EXEC did not answer HELLO's and INFO's replies")
            return
        }
        #expect(replies[0].elements?.count == 14)
        #expect(String(buffer: info).hasPrefix("# Keyspace"))
        #expect(try connection.run("CLIENT", "GETNAME") == .bulk("helloed"))
        // A command of the table that Redlite does not implement is unknown inside MULTI too.
        #expect(try connection.run("MULTI") == .ok)
        #expect(try connection.run("XADD", "stream", "*", "a", "1")
            == .simpleError("ERR unknown command 'XADD', with args beginning with: 'stream' '*' 'a' '1' "))
        #expect(try connection.run("EXEC") == .simpleError("EXECABORT Transaction discarded because of previous errors."))
        await served.stop()
    }

    @Test("SUBSCRIBE and friends, UNWATCH and MONITOR inside MULTI answer in EXEC as Redis's do, to the byte: a SUBSCRIBE of two channels writes two replies into EXEC's array")
    func subscriptionsInTransactions() async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        let publisher = (reference: try redis.connect(), subject: try served.connect())
        // Each step: commands sent in one write, and how many values the replies make. Redis gives
        // EXEC's array the number of commands as its length and writes one reply per channel, so two
        // values of a transaction's replies follow its array (both sides are read as one stream).
        // (UNSUBSCRIBE of all channels answers in the order of Redis's randomly seeded hash table.)
        let steps: [(commands: [[String]], values: Int)] = [
            ([["MULTI"], ["UNWATCH"], ["MONITOR"], ["SET", "k", "1"], ["EXEC"], ["GET", "k"]], 6),
            ([["MULTI"], ["PSUBSCRIBE", "p*"], ["SUBSCRIBE", "a", "b"], ["UNSUBSCRIBE", "b", "c"], ["PING"], ["GET", "k"], ["EXEC"]], 9),
            // Subscribed now (RESP2): PING in its subscribed form, other commands refused.
            ([["PING"], ["GET", "k"], ["MULTI"]], 3),
        ]
        let reference = try redis.connect(), subject = try served.connect()
        for step in steps {
            var bytes = ByteBuffer()
            for command in step.commands { bytes.writeRESPCommand(command) }
            try reference.write(bytes)
            try subject.write(bytes)
            let expected = try (0..<step.values).map { _ in try reference.readValue() }
            let answered = try (0..<step.values).map { _ in try subject.readValue() }
            #expect(answered == expected, "\(step.commands)")
        }
        // The subscriptions made inside EXEC are live.
        #expect(try publisher.reference.send("PUBLISH", "a", "m") == .integer(1))
        #expect(try publisher.subject.send("PUBLISH", "a", "m") == .integer(1))
        #expect(try subject.readValue() == reference.readValue())
        #expect(try publisher.subject.send("PUBLISH", "pq", "m") == publisher.reference.send("PUBLISH", "pq", "m"))
        #expect(try subject.readValue() == reference.readValue())

        // RESP3: the replies are pushes inside EXEC's array.
        let reference3 = try redis.connect(), subject3 = try served.connect()
        _ = try reference3.send("HELLO", "3")
        _ = try subject3.send("HELLO", "3")
        var bytes = ByteBuffer()
        for command in [["MULTI"], ["SUBSCRIBE", "x", "y"], ["PING"], ["EXEC"], ["PING"]] { bytes.writeRESPCommand(command) }
        try reference3.write(bytes)
        try subject3.write(bytes)
        let expected = try (0..<6).map { _ in try reference3.readValue() }
        #expect(try (0..<6).map { _ in try subject3.readValue() } == expected)
        await served.stop()
    }

    @Test("ACL answers as Redis's: WHOAMI, USERS, LIST, GETUSER, CAT, DRYRUN, GENPASS, HELP's errors, DELUSER, LOAD, and LOG of failed AUTH and HELLO, grouped")
    func accessControl() async throws {
        try await expectSameAnswers([
            ["ACL", "HELP"], ["ACL", "WHOAMI"], ["ACL", "USERS"], ["ACL", "LIST"], ["ACL", "GETUSER", "default"], ["ACL", "GETUSER", "nobody"],
            ["ACL", "CAT"], ["ACL", "CAT", "connection"], ["ACL", "CAT", "STRING"], ["ACL", "CAT", "nosuch"], ["ACL", "CAT", "a", "b"],
            ["ACL", "GENPASS"], ["ACL", "GENPASS", "5"], ["ACL", "GENPASS", "4096"], ["ACL", "GENPASS", "0"], ["ACL", "GENPASS", "x"],
            ["ACL", "GENPASS", "4097"], ["ACL", "GENPASS", "1", "2"],
            ["ACL", "DRYRUN", "default", "get", "k"], ["ACL", "DRYRUN", "default", "get"], ["ACL", "DRYRUN", "nobody", "get", "k"],
            ["ACL", "DRYRUN", "default", "nosuch"], ["ACL", "DRYRUN", "default", "client", "list"], ["ACL", "DRYRUN", "default", "client", "bogus"],
            ["ACL", "DRYRUN", "default", "config", "get"], ["ACL", "DRYRUN", "default"],
            ["ACL", "DELUSER", "default"], ["ACL", "DELUSER", "nobody", "other"], ["ACL", "LOAD"], ["ACL", "SAVE"],
            ["ACL"], ["ACL", "BOGUS"], ["ACL", "WHOAMI", "x"], ["ACL", "LOG", "x"], ["ACL", "LOG", "1", "2"],
            ["ACL", "LOG", "RESET"], ["ACL", "LOG"],
            ["AUTH", "nobody", "wrong"], ["AUTH", "nobody", "wrong"], ["HELLO", "2", "AUTH", "nobody", "wrong"], ["AUTH", "other", "x"],
            ["MULTI"], ["AUTH", "nobody", "wrong"], ["EXEC"],
            ["ACL", "LOG"], ["ACL", "LOG", "2"], ["ACL", "LOG", "0"], ["ACL", "LOG", "-1"], ["ACL", "LOG", "RESET"], ["ACL", "LOG"],
        ])
        // With passwords: requirepass, a named user (set with ACL SETUSER on Redis, --user here), and
        // the default user disabled (Redlite's default user when only named users are configured).
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start {
            $0.requirePass = "pw"
            $0.users = ["alice": "secret"]
        }
        let reference = try redis.connect(), subject = try served.connect()
        #expect(try reference.run("ACL", "SETUSER", "alice", "on", ">secret", "~*", "&*", "+@all") == .ok)
        #expect(try reference.run("CONFIG", "SET", "requirepass", "pw") == .ok)
        #expect(try subject.run("AUTH", "pw") == .ok)
        var harness = DifferentialHarness(reference: reference, subject: subject)
        for command: [String] in [["ACL", "LIST"], ["ACL", "USERS"], ["ACL", "GETUSER", "alice"], ["ACL", "GETUSER", "default"],
                                  ["AUTH", "alice", "wrong"], ["AUTH", "alice", "secret"], ["ACL", "WHOAMI"], ["ACL", "DRYRUN", "alice", "set", "k", "v"]] {
            if let divergence = try harness.check(command) { Issue.record("\(divergence)") }
        }
        await served.stop()
        let namedOnly = try await ServedRedlite.start { $0.users = ["alice": "secret"] }
        let named = try namedOnly.connect()
        #expect(try named.run("AUTH", "alice", "secret") == .ok)
        #expect(try reference.run("ACL", "SETUSER", "default", "off", "nopass") == .ok)
        #expect(try named.run("ACL", "GETUSER", "default") == reference.run("ACL", "GETUSER", "default"))
        #expect(try named.run("AUTH", "default", "x") == reference.run("AUTH", "default", "x"))
        // Users are configured at start: changing them at run time is refused, never half-applied.
        for command in [["ACL", "SETUSER", "bob", "on", ">pw", "~app:*", "+get"], ["ACL", "DELUSER", "alice"]] {
            guard case .simpleError(let text) = try named.send(command) else {
                Issue.record("\(command) was not refused")
                continue
            }
            #expect(text.hasPrefix("ERR Redlite's users are set when the server starts"))
        }
        #expect(try named.run("ACL", "USERS") == .array([.bulk("alice"), .bulk("default")]))
        await namedOnly.stop()
    }

    @Test("LATENCY answers as Redis's with the latency monitor off, and HISTOGRAM counts each command's calls as Redis's does")
    func latency() async throws {
        try await expectSameAnswers([
            ["LATENCY", "HELP"], ["LATENCY", "LATEST"], ["LATENCY", "HISTORY", "command"], ["LATENCY", "RESET"], ["LATENCY", "RESET", "x", "y"],
            ["LATENCY", "GRAPH", "command"], ["LATENCY", "DOCTOR"], ["LATENCY", "BOGUS"], ["LATENCY", "HISTORY"], ["LATENCY", "GRAPH"],
            ["LATENCY", "DOCTOR", "x"], ["LATENCY", "LATEST", "x"], ["LATENCY"], ["LATENCY", "HISTOGRAM", "nosuch"],
            ["CONFIG", "RESETSTAT"], ["SET", "a", "1"], ["SET", "b", "2"], ["GET", "a"], ["GET", "nosuch"], ["GET"], ["CLIENT", "GETNAME"],
            ["LATENCY", "HISTOGRAM", "set", "get", "nosuch"], ["LATENCY", "HISTOGRAM", "client"], ["LATENCY", "HISTOGRAM", "SET"],
            ["CONFIG", "GET", "latency-*"],
        ])
    }

    @Test("administration commands answer as Redis does: ROLE, WAIT, DEBUG, BGSAVE and SAVE arguments, AUTH forms, CONFIG SET errors")
    func administrationCommands() async throws {
        try await expectSameAnswers([
            ["ROLE"], ["WAIT", "x", "0"], ["WAIT", "0", "x"], ["WAIT", "0", "-1"], ["WAIT", "-5", "0"], ["WAIT", "0", "0"],
            ["WAIT", "1", "100"], ["DEBUG", "OBJECT", "x"], ["DEBUG"], ["BGSAVE", "x"], ["BGSAVE", "a", "b"], ["SAVE", "x"],
            ["MULTI"], ["WAIT", "1", "100"], ["ROLE"], ["DEBUG", "SLEEP", "0"], ["SAVE"], ["EXEC"],
            ["MULTI"], ["ROLE"], ["WAIT", "0", "0"], ["EXEC"],
            // With no password set, the default user takes any password when named; others are unknown.
            ["AUTH", "default", "whatever"], ["AUTH", "alice", "x"], ["AUTH", "whatever"], ["AUTH", "a", "b", "c"],
            ["CONFIG", "SET", "maxclients", "abc"], ["CONFIG", "SET", "slowlog-max-len", "-1"],
            ["CONFIG", "SET", "slowlog-log-slower-than", "-2"], ["CONFIG", "SET", "slowlog-log-slower-than", "x"],
            ["CONFIG", "SET", "slowlog-log-slower-than", "10000"], ["CONFIG", "GET", "slowlog*"],
            // Several settings at once: names checked first, then all applied or none.
            ["CONFIG", "SET", "maxclients", "123", "timeout", "-1"], ["CONFIG", "GET", "maxclients"],
            ["CONFIG", "SET", "timeout", "7", "maxclients", "abc"], ["CONFIG", "GET", "timeout"],
            ["CONFIG", "SET", "MAXCLIENTS", "5000", "maxclients", "200"], ["CONFIG", "SET", "maxclients", "5000", "bogus", "1", "maxclients", "2"],
            ["CONFIG", "SET", "slowlog-max-len", "5", "notify-keyspace-events", "Zq"], ["CONFIG", "GET", "slowlog-max-len"],
            ["CONFIG", "SET", "slowlog-max-len", "7", "notify-keyspace-events", "Kg"], ["CONFIG", "GET", "slowlog-max-len", "notify-keyspace-events"],
            ["CONFIG", "SET", "maxclients", "10000", "timeout", "0", "slowlog-max-len", "128", "notify-keyspace-events", ""],
            ["CONFIG", "GET", "notify-keyspace-events", "timeout"],
            ["SLOWLOG", "GET", "-2"], ["SLOWLOG", "GET", "x"], ["SLOWLOG", "GET", "1", "2"], ["SLOWLOG", "BOGUS"],
            ["SLOWLOG", "RESET", "x"], ["SLOWLOG"], ["SLOWLOG", "HELP"],
            ["RPUSH", "l", "a", "b"], ["SET", "s", "v"], ["MEMORY", "USAGE", "l"], ["MEMORY", "USAGE", "s", "SAMPLES", "0"],
            ["MEMORY", "USAGE", "nosuch"], ["MEMORY", "USAGE", "l", "SAMPLES"], ["MEMORY", "USAGE", "l", "SAMPLES", "x"],
            ["MEMORY", "USAGE", "nosuch", "SAMPLES", "-1"], ["MEMORY", "USAGE", "l", "FOO", "1"], ["MEMORY", "USAGE"],
            ["MEMORY", "PURGE"], ["MEMORY", "DOCTOR", "x"], ["MEMORY", "BOGUS"], ["MEMORY"], ["MEMORY", "HELP"],
            // Out-of-range settings and timeouts: Redis's answers, where Redlite had overflowed.
            ["CONFIG", "SET", "timeout", "2147483648"], ["CONFIG", "SET", "tcp-keepalive", "9223372036854775807"],
            ["CONFIG", "SET", "maxclients", "0"], ["CONFIG", "SET", "maxclients", "-1"], ["CONFIG", "SET", "timeout", "-1"],
            // Listener settings: Redis's checks before it binds, an address not on this machine (the
            // connection and its listener stay), TLS without certificates, and the settings Redis
            // never changes at run time, checked name by name before any value.
            ["CONFIG", "SET", "port", "abc"], ["CONFIG", "SET", "port", "70000"], ["CONFIG", "SET", "port", "-1"],
            ["CONFIG", "SET", "bind", "192.0.2.1"], ["PING"], ["CONFIG", "SET", "tls-port", "1234"], ["CONFIG", "GET", "tls-port"],
            // Redis's bind syntax: an address named twice fails; `-` marks one that may be missing.
            ["CONFIG", "SET", "bind", "127.0.0.1 127.0.0.1"], ["CONFIG", "SET", "bind", "127.0.0.1 -192.0.2.1"],
            ["CONFIG", "GET", "bind"], ["PING"], ["CONFIG", "SET", "bind", "127.0.0.1"],
            ["CONFIG", "SET", "databases", "4"], ["CONFIG", "SET", "unixsocket", "/tmp/x.sock"], ["CONFIG", "SET", "daemonize", "yes"],
            ["CONFIG", "SET", "dbfilename", "x.rdb"], ["CONFIG", "SET", "dir", "/tmp"],
            ["CONFIG", "SET", "maxclients", "10", "maxclients", "20", "databases", "3"], ["CONFIG", "SET", "databases", "3", "bogus", "1"],
            ["CONFIG", "SET", "maxclients", "77", "port", "abc"], ["CONFIG", "SET", "maxclients", "77", "bind", "192.0.2.1"],
            ["CONFIG", "GET", "maxclients"],
            ["DEL", "bl"], ["BLPOP", "bl", "inf"], ["BLPOP", "bl", "-inf"], ["BLPOP", "bl", "1e308"], ["BLPOP", "bl", "nan"],
            ["BLPOP", "bl", "9223372036854775807"], ["BZPOPMIN", "bl", "1e20"], ["BLMOVE", "bl", "d", "LEFT", "RIGHT", "18446744073709551616"],
            ["BLMPOP", "1e400", "1", "bl", "LEFT"], ["BLPOP", "bl", "0.001"],
        ])
    }

    @Test("cluster and replication commands answer as a standalone Redis: CLUSTER, READONLY, READWRITE, ASKING, REPLICAOF NO ONE, FAILOVER's checks")
    func clusterAndReplication() async throws {
        try await expectSameAnswers([
            ["CLUSTER", "INFO"], ["CLUSTER", "NODES"], ["CLUSTER", "SLOTS"], ["CLUSTER", "SHARDS"], ["CLUSTER", "KEYSLOT", "k"], ["CLUSTER", "BOGUS"],
            ["CLUSTER"], ["CLUSTER", "HELP"], ["CLUSTER", "KEYSLOT"], ["READONLY"], ["READWRITE"], ["ASKING"], ["READONLY", "x"],
            ["REPLICAOF", "NO", "ONE"], ["SLAVEOF", "no", "one"], ["REPLICAOF", "localhost", "x"], ["REPLICAOF", "localhost", "70000"],
            ["REPLICAOF", "localhost", "-1"], ["REPLICAOF", "a"], ["SLAVEOF", "a", "b", "c"],
            ["FAILOVER"], ["FAILOVER", "ABORT"], ["FAILOVER", "TIMEOUT", "0"], ["FAILOVER", "TIMEOUT", "x"], ["FAILOVER", "TIMEOUT", "-5"],
            ["FAILOVER", "TO", "h", "x"], ["FAILOVER", "TO", "h"], ["FAILOVER", "FORCE"], ["FAILOVER", "FORCE", "FORCE"], ["FAILOVER", "BOGUS"],
            ["FAILOVER", "TIMEOUT", "100", "TIMEOUT", "5"], ["FAILOVER", "TO", "h", "1", "TIMEOUT", "10", "FORCE"], ["FAILOVER", "ABORT", "x"],
            ["ROLE"], ["MULTI"], ["CLUSTER", "INFO"], ["READONLY"], ["REPLICAOF", "NO", "ONE"], ["FAILOVER"], ["EXEC"],
        ])
    }

    @Test("CONFIG SET of the settings clients commonly change answers as Redis does: output-buffer limits, appendfsync, save, appendonly, maxmemory, loglevel")
    func commonSettings() async throws {
        try await expectSameAnswers([
            ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 64mb 16mb 30"], ["CONFIG", "GET", "client-output-buffer-limit"],
            ["CONFIG", "SET", "client-output-buffer-limit", "replica 1gb 512MB 120 normal 2k 1KB 5"], ["CONFIG", "GET", "client-output-buffer-limit"],
            ["CONFIG", "SET", "client-output-buffer-limit", "slave 1 2 3"], ["CONFIG", "GET", "client-output-buffer-limit"],
            ["CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"], ["CONFIG", "SET", "client-output-buffer-limit", "master 1 1 1"],
            ["CONFIG", "SET", "client-output-buffer-limit", "bogus 1 1 1"], ["CONFIG", "SET", "client-output-buffer-limit", "pubsub x 1 1"],
            ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 1 -1"], ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 1 x"],
            ["CONFIG", "SET", "client-output-buffer-limit", "pubsub -1 1 1"], ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 1 1 normal 1"],
            ["CONFIG", "GET", "client-output-buffer-limit"],
            ["CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"],
            ["CONFIG", "SET", "appendfsync", "always"], ["CONFIG", "GET", "appendfsync"], ["CONFIG", "SET", "appendfsync", "sometimes"],
            ["CONFIG", "SET", "appendfsync", "EVERYSEC"], ["CONFIG", "GET", "appendfsync"],
            ["CONFIG", "SET", "save", ""], ["CONFIG", "GET", "save"], ["CONFIG", "SET", "save", "100"], ["CONFIG", "SET", "save", "a b"],
            ["CONFIG", "SET", "save", "3600 1 300 100"], ["CONFIG", "GET", "save"], ["CONFIG", "SET", "save", ""],
            ["CONFIG", "SET", "appendonly", "no"], ["CONFIG", "SET", "appendonly", "maybe"], ["CONFIG", "GET", "appendonly"],
            ["CONFIG", "SET", "maxmemory", "0"], ["CONFIG", "SET", "maxmemory", "abc"], ["CONFIG", "SET", "maxmemory", "-1"],
            ["CONFIG", "SET", "maxmemory", "0mb"], ["CONFIG", "GET", "maxmemory"],
            ["CONFIG", "SET", "maxmemory-policy", "noeviction"], ["CONFIG", "SET", "maxmemory-policy", "lru"],
            ["CONFIG", "SET", "maxmemory-policy", "NOEVICTION"], ["CONFIG", "GET", "maxmemory-policy"],
            ["CONFIG", "SET", "loglevel", "warning"], ["CONFIG", "GET", "loglevel"], ["CONFIG", "SET", "loglevel", "loud"],
            ["CONFIG", "SET", "loglevel", "nothing"], ["CONFIG", "GET", "loglevel"], ["CONFIG", "SET", "loglevel", "notice"],
            ["CONFIG", "SET", "loglevel", "verbose", "maxmemory-policy", "lru"], ["CONFIG", "GET", "loglevel"],
            ["CONFIG", "SET", "client-output-buffer-limit", ""], ["CONFIG", "SET", "client-output-buffer-limit", "PUBSUB 1 2 3"],
            ["CONFIG", "GET", "client-output-buffer-limit"], ["CONFIG", "SET", "maxmemory", "0 0"], ["CONFIG", "SET", "save", "0 0"],
            ["CONFIG", "GET", "save"], ["CONFIG", "SET", "save", "-1 5"], ["CONFIG", "SET", "save", " "], ["CONFIG", "GET", "save"],
            ["CONFIG", "SET", "appendonly", "YES"], ["CONFIG", "GET", "appendonly"], ["CONFIG", "SET", "appendonly", "no"],
        ])
    }

    @Test("SLOWLOG keeps what Redis keeps: arguments cut to 32 and 128 bytes, passwords redacted, EXEC's commands but not EXEC, nothing refused")
    func slowLog() async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        let sequence: [[String]] = [
            ["CONFIG", "SET", "slowlog-log-slower-than", "0"], ["SLOWLOG", "RESET"], ["CLIENT", "SETNAME", "namer"],
            ["ECHO", String(repeating: "x", count: 200)], ["DEL"] + (0..<40).map { "k\($0)" }, ["SET", "a", "1"], ["get", "a"],
            ["NOSUCH", "command"], ["GET"], ["SLOWLOG", "BOGUS"],
            ["AUTH", "default", "pw"], ["HELLO", "2", "AUTH", "default", "pw", "SETNAME", "nm"], ["CONFIG", "SET", "requirepass", ""],
            ["MULTI"], ["SET", "b", "2"], ["INCR", "b"], ["EXEC"], ["SLOWLOG", "LEN"],
        ]
        var logs: [[RESPValue]] = []
        for connection in [try redis.connect(), try served.connect()] {
            for command in sequence { _ = try connection.send(command) }
            guard case .array(let entries) = try connection.send(["SLOWLOG", "GET", "-1"]) else {
                Issue.record("SLOWLOG GET did not answer an array")
                return
            }
            // Id, time, duration and the client's port are each server's own: compared are the
            // arguments and the client's name.
            logs.append(entries.map { entry in
                guard case .array(let fields) = entry, fields.count == 6 else { return entry }
                return .array([fields[3], fields[5]])
            })
            #expect(try connection.send(["SLOWLOG", "LEN"]) == .integer(Int64(entries.count + 1)))
            #expect(try connection.send(["CONFIG", "SET", "slowlog-max-len", "2"]) == .ok)
            #expect(try connection.send(["SLOWLOG", "LEN"]) == .integer(2))
        }
        #expect(logs[1] == logs[0])
        // SLOWLOG RESET through SLOWLOG LEN, less the three refused commands and EXEC.
        #expect(logs[0].count == 13)
        await served.stop()
    }

    @Test("INFO commandstats and errorstats count what Redis counts: calls, failed and rejected calls per command and subcommand, errors by code")
    func commandAndErrorStatistics() async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        let sequence: [[String]] = [
            ["CONFIG", "RESETSTAT"], ["SET", "a", "1"], ["GET", "a"], ["INCR", "a"], ["HSET", "a", "f", "v"], ["GET"],
            ["CLIENT", "SETNAME", "x"], ["CLIENT", "BOGUS"], ["CLIENT", "SETNAME"], ["NOSUCH"], ["SLOWLOG", "LEN"],
            ["MULTI"], ["SET", "b", "1"], ["INCR", "a"], ["LPUSH", "a", "x"], ["EXEC"],
            ["MULTI"], ["GET"], ["EXEC"], ["LPUSH", "list", "1", "2"], ["LRANGE", "list", "0", "-1"], ["BLPOP", "list", "0"],
        ]
        /// INFO's fields of `section`, without times: `cmdstat_get` → `calls=1,rejected_calls=0,failed_calls=0`.
        func fields(_ connection: RedisTestConnection, _ section: String) throws -> [String: String] {
            guard case .bulkString(let text) = try connection.send(["INFO", section]) else { return [:] }
            var fields: [String: String] = [:]
            for line in String(buffer: text).split(separator: "\r\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                fields[String(parts[0])] = parts[1].split(separator: ",").filter { !$0.hasPrefix("usec") }.joined(separator: ",")
            }
            return fields
        }
        var statistics: [[String: String]] = []
        for connection in [try redis.connect(), try served.connect()] {
            for command in sequence { _ = try connection.send(command) }
            statistics.append(try fields(connection, "commandstats").merging(try fields(connection, "errorstats")) { first, _ in first })
            // The default sections leave commandstats out; `all` has it.
            #expect(try fields(connection, "default").keys.contains { $0.hasPrefix("cmdstat_") } == false)
            #expect(try fields(connection, "default")["errorstat_ERR"] != nil)
            #expect(try fields(connection, "all")["cmdstat_get"] != nil)
            #expect(try fields(connection, "cpu")["used_cpu_user"] != nil)
        }
        #expect(statistics[1] == statistics[0])
        #expect(statistics[0]["cmdstat_get"] == "calls=1,rejected_calls=2,failed_calls=0")
        await served.stop()
    }

    @Test("INFO stats keyspace_hits and keyspace_misses move as Redis's do, command by command; expired_keys counts keys found expired by writes")
    func keyspaceStatistics() async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        // Reads count each key they look up (a wrong type is a hit); writes do not, except those that
        // answer the old value (GETSET, GETDEL, GETEX, SET … GET); a store's reads of its sources count.
        let sequence = """
            SET s v|GET s|GET nosuch|MGET s nosuch s x|EXISTS s nosuch|TYPE s|TYPE nosuch|TTL s|PTTL nosuch|STRLEN s|GETRANGE s 0 1
            SET s2 v GET|SET s v GET|GETSET s w|GETDEL s2|GETEX s|GETEX nosuch PERSIST|APPEND s x|SETRANGE s 0 a|INCR n|DECR n
            SETNX s x|MSETNX a 1 b 2|SET s x NX|SET s x XX|HSET h f v g w|HGET h f|HGET h nf|HGET nh f|HMGET h f g z|HGETALL h|HLEN h
            HEXISTS h f|HKEYS h|HVALS h|HINCRBY h n 1|HDEL h g|HSETNX h f x|HSTRLEN h f|HRANDFIELD h|LPUSH l a b c|LRANGE l 0 -1|LLEN l
            LINDEX l 0|LPOP l|RPOP l|LPOS l a|LSET l 0 z|LINSERT l BEFORE z y|LTRIM l 0 5|RPOPLPUSH l l2|LMOVE l2 l LEFT RIGHT
            LRANGE nl 0 1|SADD st a b c|SMEMBERS st|SISMEMBER st a|SMISMEMBER st a z|SCARD st|SINTER st nst|SUNION st nst|SDIFF st nst
            SINTERSTORE d st nst|SUNIONSTORE d st nst|SDIFFSTORE d st|SMOVE st st2 a|SREM st b|SRANDMEMBER st|SINTERCARD 2 st st2
            ZADD z 1 a 2 b|ZSCORE z a|ZMSCORE z a q|ZRANGE z 0 -1|ZRANK z a|ZREVRANK z b|ZCARD z|ZCOUNT z 0 5|ZINCRBY z 1 a|ZREM z b
            ZRANGEBYSCORE z 0 10|ZUNIONSTORE zd 2 z nz|ZINTER 2 z nz|ZRANGESTORE zd2 z 0 -1|ZPOPMIN z|GET l|LLEN s|HGET s f|SMEMBERS h
            DEL a b nosuch|UNLINK x|EXPIRE s 100|PERSIST s|RENAME s s3|RENAMENX s3 s4|COPY s4 s5|MOVE s5 1|TOUCH s4 nosuch|SCAN 0|KEYS *
            DBSIZE|SETBIT bits 7 1|GETBIT bits 7|BITCOUNT bits|BITPOS bits 1|BITOP AND bd bits nb|GETBIT nb 1
            OBJECT ENCODING s4|OBJECT ENCODING nosuch|OBJECT REFCOUNT h|OBJECT FREQ nosuch|SUBSTR s4 0 1|SUBSTR nosuch 0 1
            """.split(whereSeparator: { $0 == "|" || $0 == "\n" }).map { $0.split(separator: " ").map(String.init) }
        func counts(_ connection: RedisTestConnection) throws -> [String: Int] {
            guard case .bulkString(let text) = try connection.send(["INFO", "stats"]) else { return [:] }
            var counts: [String: Int] = [:]
            for line in String(buffer: text).split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, ["keyspace_hits", "keyspace_misses", "expired_keys"].contains(parts[0]) {
                    counts[String(parts[0])] = Int(parts[1])
                }
            }
            return counts
        }
        let reference = try redis.connect(), subject = try served.connect()
        for connection in [reference, subject] { _ = try connection.send(["CONFIG", "RESETSTAT"]) }
        for command in sequence {
            var moved: [[String: Int]] = []
            for connection in [reference, subject] {
                let before = try counts(connection)
                _ = try connection.send(command)
                moved.append(try counts(connection).merging(before) { after, before in after - before })
            }
            #expect(moved[1] == moved[0], "\(command.joined(separator: " ")): redis \(moved[0]), redlite \(moved[1])")
        }
        #expect(try counts(subject)["keyspace_hits"] ?? 0 > 50)
        // A transaction's reads count when EXEC runs them (INFO is not asked between: Redlite refuses
        // it inside MULTI).
        var moved: [[String: Int]] = []
        for connection in [reference, subject] {
            let before = try counts(connection)
            for command in [["MULTI"], ["GET", "bits"], ["GET", "nosuch"], ["SET", "x", "1"], ["EXEC"]] { _ = try connection.send(command) }
            moved.append(try counts(connection).merging(before) { after, before in after - before })
        }
        #expect(moved[0] == ["keyspace_hits": 1, "keyspace_misses": 1, "expired_keys": 0])
        #expect(moved[1] == moved[0])

        // Keys found expired by a write are removed and counted, whatever their type; Redis's active
        // expiry may count them first, which comes to the same total.
        // The counts start again before the keys exist: Redis's active expiry may remove one as soon
        // as its millisecond has passed, and that removal must count too.
        // Under a whole suite's load Redis once counted other than expected here, though it counts each
        // way a key goes (its logs showed nothing): the reference gets up to three tries, and Redlite
        // must count what Redis counted on the try that gave the expected count.
        var referenceCounts: [Int] = []
        for _ in 0..<3 {
            for connection in [reference, subject] {
                _ = try connection.send(["FLUSHALL"])
                _ = try connection.send(["CONFIG", "RESETSTAT"])
                for (key, create) in [("l", ["RPUSH", "l", "a"]), ("h", ["HSET", "h", "f", "v"]), ("st", ["SADD", "st", "a"]), ("i", ["SET", "i", "1"]),
                                      ("sv", ["SET", "sv", "old"]), ("hs", ["HSET", "hs", "f", "v"]), ("m", ["SET", "m", "old"])] {
                    _ = try connection.send(create)
                    _ = try connection.send(["PEXPIRE", key, "1"])
                }
            }
            try await Task.sleep(for: .milliseconds(30))
            for connection in [reference, subject] {
                // SET and MSET replace an expired key (a string, or a hash) in one statement in Redlite: counted too.
                for command in [["LPUSH", "l", "b"], ["HSET", "h", "g", "w"], ["SADD", "st", "b"], ["INCR", "i"], ["SET", "sv", "new"],
                                ["SET", "hs", "new"], ["MSET", "m", "new", "fresh", "1"]] { _ = try connection.send(command) }
            }
            referenceCounts.append(try counts(reference)["expired_keys"] ?? -1)
            #expect(try counts(subject)["expired_keys"] == 7)
            if referenceCounts.last == 7 { break }
        }
        #expect(referenceCounts.last == 7, "redis-server counted \(referenceCounts) expired keys")
        #expect(try subject.send(["INCR", "i"]) == .integer(2))
        _ = try subject.send(["CONFIG", "RESETSTAT"])
        #expect(try counts(subject) == ["keyspace_hits": 0, "keyspace_misses": 0, "expired_keys": 0])
        await served.stop()
    }

    @Test("CLIENT REPLY OFF/SKIP/ON, UNBLOCK, GETREDIR, TRACKINGINFO, CACHING, KILL USER answer as Redis does")
    func clientSubcommands() async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        let input = [
            "CLIENT REPLY OFF", "SET a 1", "GET a", "NOSUCH", "CLIENT REPLY ON", "GET a", "CLIENT REPLY SKIP", "INCR a", "INCR a",
            "CLIENT REPLY SKIP", "CLIENT REPLY SKIP", "GET a", "GET a", "CLIENT REPLY bogus", "CLIENT GETREDIR", "CLIENT TRACKINGINFO",
            "CLIENT CACHING yes", "CLIENT UNBLOCK 99999", "CLIENT UNBLOCK x", "CLIENT UNBLOCK 1 bogus", "CLIENT KILL USER nobody",
            "CLIENT KILL USER default SKIPME yes",
            // RESET ends CLIENT REPLY OFF (its own answer is sent); under SKIP its answer is the one skipped.
            "CLIENT REPLY OFF", "RESET", "PING", "CLIENT REPLY SKIP", "RESET", "PING",
        ].map { $0 + "\r\n" }.joined()
        var answers: [[RESPValue]] = []
        for connection in [try redis.connect(), try served.connect()] {
            try connection.write(ByteBuffer(string: input))
            // Sixteen answers for 28 commands: REPLY OFF and SKIP drop the others.
            answers.append(try (0..<16).map { _ in try connection.readValue() })
            #expect(try connection.run("PING") == .simpleString("PONG"))
        }
        #expect(answers[1] == answers[0])

        // CLIENT UNBLOCK ends BLPOP as if timed out, or with UNBLOCKED; WAIT answers its 0 replicas.
        for server in [(try redis.connect(), { try redis.connect() }), (try served.connect(), { try served.connect() })] {
            let (admin, connect) = server
            for (command, reason, expected) in [
                ("BLPOP nothing 0", "TIMEOUT", RESPValue.nullArray), ("BLPOP nothing 0", "ERROR", .simpleError("UNBLOCKED client unblocked via CLIENT UNBLOCK")),
                ("WAIT 1 0", "TIMEOUT", .integer(0)), ("WAIT 1 0", "ERROR", .simpleError("UNBLOCKED client unblocked via CLIENT UNBLOCK")),
            ] {
                let blocked = try connect()
                guard case .integer(let id) = try blocked.run("CLIENT", "ID") else { continue }
                try blocked.write(ByteBuffer(string: command + "\r\n"))
                var unblocked = RESPValue.integer(0)
                for _ in 0..<100 {
                    unblocked = try admin.run("CLIENT", "UNBLOCK", String(id), reason)
                    if unblocked == .integer(1) { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(unblocked == .integer(1), "\(command) \(reason)")
                #expect(try blocked.readValue() == expected, "\(command) \(reason)")
                #expect(try admin.run("CLIENT", "UNBLOCK", String(id)) == .integer(0))
                #expect(try blocked.run("PING") == .simpleString("PONG"))
            }
        }
        await served.stop()
    }

    @Test("before AUTH, requests are parsed one at a time under Redis's tighter bounds; an AUTH lifts them for the requests behind it")
    func boundsBeforeAuthentication() async throws {
        let redis = try RedisServer.start(.init(password: "s3cret"))
        defer { redis.stop() }
        let served = try await ServedRedlite.start { $0.requirePass = "s3cret" }
        // Each input ends exactly where the server stops reading, so the server's close is a FIN
        // behind its error reply, never a reset that could drop it.
        let closing = [
            "*11\r\n",
            "*2\r\n$3\r\nGET\r\n$20000\r\n",
            "PING\r\n*11\r\n",
            "*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n",
        ]
        // Not `redis.connect()`: it authenticates.
        func unauthenticated() throws -> RedisTestConnection { try RedisTestConnection(port: redis.port) }
        for input in closing {
            let expected = try Self.repliesUntilClosed(unauthenticated(), sending: input)
            #expect(try Self.repliesUntilClosed(served.connect(), sending: input) == expected, "\(input.debugDescription)")
            #expect(expected.last?.isError == true)
        }
        var authThenLarge = ByteBuffer()
        authThenLarge.writeRESPCommand(["AUTH", "s3cret"])
        authThenLarge.writeRESPCommand(["SET", "k", String(repeating: "x", count: 20_000)])
        authThenLarge.writeRESPCommand(["STRLEN", "k"])
        authThenLarge.writeRESPCommand(["ECHO"] + Array(repeating: "a", count: 11))
        var replies: [[RESPValue]] = []
        for connection in [try unauthenticated(), try served.connect()] {
            try connection.write(authThenLarge)
            replies.append(try (0..<4).map { _ in try connection.readValue() })
        }
        #expect(replies[1] == replies[0])
        #expect(replies[0][2] == .integer(20_000))
        await served.stop()
    }

    private static func repliesUntilClosed(_ connection: RedisTestConnection, sending input: String) throws -> [RESPValue] {
        try connection.write(ByteBuffer(string: input))
        var rest = try connection.readUntilClosed()
        var decoder = RESPValueDecoder()
        var replies: [RESPValue] = []
        while let reply = try decoder.decode(from: &rest) { replies.append(reply) }
        return replies
    }
}
