import Foundation
import NIOCore
import RESP
@testable import RedisClient
import RedisCommandGeneratorCore
import RedisCommands
import RedisTestSupport
import Testing

/// The generated command API: the checked-in files are what the generator makes of the artifact,
/// and a broad sample of the commands works against a real redis-server with typed replies.
@Suite("Generated command API")
struct GeneratedCommandTests {
    static let generatedDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/RedisClient/Commands/Generated")

    static func client() async throws -> RedisClient {
        try await RedisClient.connect(configuration: try RedisServer.shared().configuration())
    }

    // MARK: - The generator

    @Test("the checked-in generated files are up to date with the command table")
    func generatedFilesAreUpToDate() throws {
        let files = ClientCommandGenerator(table: try CommandTable.bundled).render()
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.generatedDirectory.path)
            .filter { $0.hasSuffix(".swift") }
        #expect(Set(onDisk) == Set(files.keys), "run scripts/generate-client-commands")
        for (name, contents) in files {
            let checkedIn = (try? String(contentsOf: Self.generatedDirectory.appendingPathComponent(name), encoding: .utf8)) ?? ""
            guard checkedIn != contents else { continue }
            let expected = contents.split(separator: "\n", omittingEmptySubsequences: false)
            let actual = checkedIn.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(expected.count, actual.count)
            Issue.record("""
                \(name) is out of date (first difference at line \(line + 1)): run scripts/generate-client-commands
                generated: \(line < expected.count ? String(expected[line]) : "<end of file>")
                on disk:   \(line < actual.count ? String(actual[line]) : "<end of file>")
                """)
        }
    }

    @Test("every command and subcommand but the listed few gets a method")
    func coverage() throws {
        let table = try CommandTable.bundled
        let generator = ClientCommandGenerator(table: table)
        let counts = generator.counts()
        #expect(counts.generated >= 300)
        #expect(counts.skipped.count == ClientCommandGenerator.skipped.count)
        let files = generator.render()
        let all = files.values.joined()
        for command in table.allCommands where command.subcommands.isEmpty && ClientCommandGenerator.skipped[command.name] == nil {
            let name = ClientCommandGenerator.methodName(command)
            #expect(all.contains("public func \(name)("), "no method for \(command.name)")
        }
        #expect(ClientCommandGenerator.methodName(table["client|setname"]!) == "clientSetname")
        #expect(ClientCommandGenerator.methodName(table["config|get"]!) == "configGet")
        #expect(ClientCommandGenerator.methodName(table["cluster|addslots"]!) == "clusterAddslots")
        #expect(ClientCommandGenerator.methodName(table["client|no-evict"]!) == "clientNoEvict")
        // Skipped commands are named at the top of their group's file.
        #expect(files["PubSubCommands.swift"]?.contains("// - SUBSCRIBE: ") == true)
        // Deprecated commands are marked.
        #expect(files["SortedSetCommands.swift"]?.contains("@available(*, deprecated, message: \"Deprecated since Redis 6.2.0") == true)
    }

    @Test("INFO text is parsed into sections")
    func infoParsing() {
        let sections = RedisReplyDecoder.parseInfo("# Server\r\nredis_version:7.0.15\r\nos:Linux x:y\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0\r\n")
        #expect(sections["server"]?["redis_version"] == "7.0.15")
        #expect(sections["server"]?["os"] == "Linux x:y")
        #expect(sections["keyspace"]?["db0"] == "keys=1,expires=0")
    }

    // MARK: - Against redis-server

    @Test("strings and bitmaps")
    func strings() async throws {
        try await bounded(30) {
            let client = try await Self.client()
            let key = uniqueKey("string")
            let binary = ByteBuffer(bytes: [0, 255, 13, 10, 7])
            #expect(try await client.set(key: key, value: binary) == .simpleString("OK"))
            #expect(try await client.get(key: key) == binary)
            #expect(try await client.get(key: key + ":missing") == nil)
            #expect(try await client.set(key: key, value: "v2", condition: .nx) .isNull)
            #expect(try await client.set(key: key, value: "hello", condition: .xx, get: true, expiration: .seconds(100)) == .bulkString(binary))
            #expect(try await client.ttl(key) == 100)
            #expect(try await client.strlen(key) == 5)
            #expect(try await client.append(key, value: " world") == 11)
            #expect(try await client.getrange(key, start: 0, end: 4) == ByteBuffer(string: "hello"))
            #expect(try await client.setrange(key, offset: 6, value: "WORLD") == 11)
            #expect(try await client.getex(key, expiration: .persist) == ByteBuffer(string: "hello WORLD"))
            #expect(try await client.ttl(key) == -1)
            try await client.mset([(key: key + ":a", value: "1"), (key: key + ":b", value: 2)])
            #expect(try await client.mget([key + ":a", key + ":b", key + ":nope"]) == [ByteBuffer(string: "1"), ByteBuffer(string: "2"), nil])
            #expect(try await client.msetnx([(key: key + ":a", value: "x"), (key: key + ":c", value: "y")]) == false)
            #expect(try await client.incr(key + ":n") == 1)
            #expect(try await client.decrby(key + ":n", decrement: 5) == -4)
            #expect(try await client.incrbyfloat(key + ":n", increment: 1.5) == -2.5)
            try await client.setex(key + ":ex", seconds: 50, value: "e")
            #expect(try await client.getdel(key + ":ex") == ByteBuffer(string: "e"))
            // Bitmaps.
            #expect(try await client.setbit(key + ":bits", offset: 7, value: 1) == 0)
            #expect(try await client.getbit(key + ":bits", offset: 7) == 1)
            #expect(try await client.bitcount(key + ":bits") == 1)
            #expect(try await client.bitcount(key + ":bits", index: .init(start: 0, end: 7, indexUnit: .bit)) == 1)
            #expect(try await client.bitpos(key + ":bits", bit: 1) == 7)
            #expect(try await client.bitop("OR", destkey: key + ":bits2", keys: [key + ":bits"]) == 1)
            let field = try await client.bitfield(key + ":bits", operations: [.encodingOffset(encoding: "u8", offset: 0)])
            #expect(field == .array([.integer(1)]))
            #expect(try await client.unlink([key, key + ":a", key + ":b", key + ":n", key + ":bits", key + ":bits2"]) == 6)
            await client.close()
        }
    }

    @Test("hashes, lists and sets")
    func collections() async throws {
        try await bounded(30) {
            let client = try await Self.client()
            let hash = uniqueKey("hash")
            #expect(try await client.hset(hash, fieldValues: [(field: "name", value: "Ada"), (field: "year", value: 1815)]) == 2)
            #expect(try await client.hsetnx(hash, field: "name", value: "Bob") == false)
            #expect(try await client.hget(hash, field: "name") == ByteBuffer(string: "Ada"))
            #expect(try await client.hgetall(hash) == ["name": ByteBuffer(string: "Ada"), "year": ByteBuffer(string: "1815")])
            #expect(try await client.hmget(hash, fields: ["year", "nope"]) == [ByteBuffer(string: "1815"), nil])
            #expect(try await client.hincrby(hash, field: "year", increment: 1) == 1816)
            #expect(try await client.hincrbyfloat(hash, field: "year", increment: 0.5) == 1816.5)
            #expect(try await client.hexists(hash, field: "year"))
            #expect(try await client.hlen(hash) == 2)
            #expect(try await client.hstrlen(hash, field: "name") == 3)
            #expect(Set(try await client.hkeys(hash)) == [ByteBuffer(string: "name"), ByteBuffer(string: "year")])
            #expect(try await client.hvals(hash).count == 2)
            #expect(try await client.hdel(hash, fields: ["year", "nope"]) == 1)
            #expect(try await client.hgetall(hash + ":missing") == [:])

            let list = uniqueKey("list")
            #expect(try await client.rpush(list, elements: ["a", "b", "c"]) == 3)
            #expect(try await client.lpush(list, elements: ["z"]) == 4)
            #expect(try await client.lrange(list, start: 0, stop: -1) == ["z", "a", "b", "c"].map { ByteBuffer(string: $0) })
            #expect(try await client.linsert(list, where: .before, pivot: "b", element: "ab") == 5)
            #expect(try await client.llen(list) == 5)
            #expect(try await client.lindex(list, index: 2) == ByteBuffer(string: "ab"))
            try await client.lset(list, index: 0, element: "y")
            #expect(try await client.lpop(list) == .bulkString(ByteBuffer(string: "y")))
            #expect(try await client.rpop(list, count: 2) == .array([.bulkString(ByteBuffer(string: "c")), .bulkString(ByteBuffer(string: "b"))]))
            #expect(try await client.lmove(list, destination: list + ":2", wherefrom: .left, whereto: .right) == ByteBuffer(string: "a"))
            #expect(try await client.lpos(list, element: "ab") == .integer(0))
            #expect(try await client.lrem(list, count: 0, element: "ab") == 1)
            try await client.ltrim(list + ":2", start: 0, stop: 0)
            #expect(try await client.blpop([list + ":2"], timeout: 0.1) == .array([.bulkString(ByteBuffer(string: list + ":2")), .bulkString(ByteBuffer(string: "a"))]))
            #expect(try await client.lindex(list, index: 0) == nil)

            let set = uniqueKey("set")
            #expect(try await client.sadd(set, members: ["a", "b", "c"]) == 3)
            #expect(try await client.sadd(set + ":2", members: ["b", "c", "d"]) == 3)
            #expect(try await client.scard(set) == 3)
            #expect(try await client.sismember(set, member: "a"))
            #expect(try await client.smismember(set, members: ["a", "x"]) == [1, 0])
            #expect(Set(try await client.smembers(set)) == Set(["a", "b", "c"].map { ByteBuffer(string: $0) }))
            #expect(Set(try await client.sinter([set, set + ":2"])) == Set(["b", "c"].map { ByteBuffer(string: $0) }))
            #expect(Set(try await client.sunion([set, set + ":2"])).count == 4)
            #expect(try await client.sdiff([set, set + ":2"]) == [ByteBuffer(string: "a")])
            #expect(try await client.sintercard([set, set + ":2"], limit: 1) == 1)
            #expect(try await client.smove(set, destination: set + ":2", member: "a"))
            #expect(try await client.srem(set, members: ["b", "nope"]) == 1)
            #expect(try await client.del([hash, list, set, set + ":2"]) >= 3)
            await client.close()
        }
    }

    @Test("sorted sets")
    func sortedSets() async throws {
        try await bounded(30) {
            let client = try await Self.client()
            let key = uniqueKey("zset")
            #expect(try await client.zadd(key, scoreMembers: [(score: 1, member: "a"), (score: 2, member: "b"), (score: 3.5, member: "c")]) == .integer(3))
            #expect(try await client.zadd(key, condition: .xx, change: true, scoreMembers: [(score: 10, member: "a")]) == .integer(1))
            #expect(try await client.zcard(key) == 3)
            #expect(try await client.zscore(key, member: "c") == 3.5)
            #expect(try await client.zscore(key, member: "nope") == nil)
            #expect(try await client.zmscore(key, members: ["b", "nope"]) == [2, nil])
            #expect(try await client.zincrby(key, increment: 2, member: "b") == 4)
            #expect(try await client.zrank(key, member: "c") == 0)
            #expect(try await client.zrank(key, member: "nope") == nil)
            #expect(try await client.zrevrank(key, member: "c") == 2)
            #expect(try await client.zcount(key, min: 4, max: 100) == 2)
            let range = try await client.zrange(key, start: "0", stop: "-1")
            #expect(range.elements?.compactMap(\.string) == ["c", "b", "a"])
            let byScore = try await client.zrange(key, start: "4", stop: "+inf", sortby: .byscore, offsetCount: (offset: 0, count: 1))
            #expect(byScore.elements?.compactMap(\.string) == ["b"])
            #expect(try await client.zunionstore(key + ":u", keys: [key, key], weights: [1, 2], aggregate: .max) == 3)
            #expect(try await client.zscore(key + ":u", member: "a") == 20)
            #expect(try await client.zrem(key, members: ["a"]) == 1)
            #expect(try await client.zremrangebyscore(key, min: 0, max: 3.5) == 1)
            #expect(try await client.del([key, key + ":u"]) == 2)
            await client.close()
        }
    }

    @Test("keys and the generic group")
    func generic() async throws {
        try await bounded(30) {
            let client = try await Self.client()
            let key = uniqueKey("generic")
            _ = try await client.set(key: key, value: "1")
            #expect(try await client.exists([key, key + ":nope"]) == 1)
            #expect(try await client.type(key) == "string")
            #expect(try await client.expire(key, seconds: 100))
            #expect(try await client.expire(key, seconds: 50, condition: .gt) == false)
            #expect(try await client.pttl(key) > 90_000)
            #expect(try await client.persist(key))
            #expect(try await client.copy(key, destination: key + ":copy"))
            try await client.rename(key + ":copy", newkey: key + ":renamed")
            #expect(try await client.renamenx(key + ":renamed", newkey: key) == false)
            #expect(try await client.touch([key, key + ":renamed"]) == 2)
            #expect(try await client.objectEncoding(key) == ByteBuffer(string: "int"))
            let dump = try #require(try await client.dump(key))
            try await client.restore(key + ":restored", ttl: 0, serializedValue: dump)
            #expect(try await client.get(key: key + ":restored") == ByteBuffer(string: "1"))
            _ = try await client.rpush(key + ":sort", elements: ["3", "1", "2"])
            #expect(try await client.sort(key + ":sort", order: .desc) == .array(["3", "2", "1"].map { .bulkString(ByteBuffer(string: $0)) }))
            #expect(try await client.randomkey() != nil)
            #expect(try await client.del([key, key + ":renamed", key + ":restored", key + ":sort"]) == 4)
            await client.close()
        }
    }

    @Test("server, connection, scripting, pub/sub and transactions")
    func serverAndConnection() async throws {
        try await bounded(30) {
            let client = try await Self.client()
            #expect(try await client.echo("hi") == ByteBuffer(string: "hi"))
            #expect(try await client.ping(message: "hey") == .bulkString(ByteBuffer(string: "hey")))
            let time = try await client.time()
            #expect(time.seconds > 1_600_000_000)
            #expect((0..<1_000_000).contains(time.microseconds))
            let info = try await client.info(sections: ["server", "keyspace"])
            #expect(info["server"]?["redis_version"]?.hasPrefix("7.") == true)
            #expect(info["server"]?["tcp_port"] == String(try RedisServer.shared().port))
            let config = try await client.configGet(["maxmemory-policy", "appendonly"])
            #expect(config.keys.sorted() == ["appendonly", "maxmemory-policy"])
            #expect(try await client.dbsize() >= 0)
            #expect(try await client.lastsave() > 0)
            #expect(try await client.clientId() > 0)
            #expect(try await client.commandCount() == (try CommandTable.bundled.commands.count))
            #expect(try await client.memoryUsage(uniqueKey("nope")) == nil)
            #expect(String(buffer: try await client.clientInfo()).contains("id="))

            try await client.withConnection { connection in
                try await connection.clientSetname("generated-tests")
                #expect(try await connection.clientGetname() == ByteBuffer(string: "generated-tests"))
            }

            // Scripting.
            let script = "return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}"
            let evaluated = try await client.eval(script, keys: ["k1"], args: ["a1", 41])
            #expect(evaluated == .array([.bulkString(ByteBuffer(string: "k1")), .bulkString(ByteBuffer(string: "a1")), .integer(42)]))
            let sha = try await client.scriptLoad(script)
            #expect(sha.readableBytes == 40)
            #expect(try await client.scriptExists([sha, "0000000000000000000000000000000000000000"]) == [1, 0])
            #expect(try await client.evalsha(sha, keys: ["k2"], args: ["a2", 1]) == .array([.bulkString(ByteBuffer(string: "k2")), .bulkString(ByteBuffer(string: "a2")), .integer(2)]))

            // Pub/sub: no subscribers yet.
            #expect(try await client.publish(uniqueKey("channel"), message: "hello") == 0)
            #expect(try await client.pubsubNumpat() >= 0)

            // MULTI/EXEC on a connection of its own.
            let key = uniqueKey("tx")
            let exec = try await client.withConnection { connection in
                try await connection.multi()
                #expect(try await connection.set(key: key, value: "1") == .simpleString("QUEUED"))
                #expect(try await connection.lpop(key + ":none") == .simpleString("QUEUED"))
                return try await connection.exec()
            }
            #expect(exec == .array([.simpleString("OK"), .null]) || exec == .array([.simpleString("OK"), .nullBulkString]))
            try await client.withConnection { connection in
                try await connection.watch([key])
                try await connection.unwatch()
                try await connection.multi()
                try await connection.discard()
            }
            #expect(try await client.del([key]) == 1)
            await client.close()
        }
    }

    @Test("hyperloglog, geo and streams")
    func hyperLogLogGeoStreams() async throws {
        try await bounded(30) {
            let client = try await Self.client()
            let hll = uniqueKey("hll")
            #expect(try await client.pfadd(hll, elements: ["a", "b", "c"]))
            #expect(try await client.pfadd(hll, elements: ["a"]) == false)
            #expect(try await client.pfadd(hll + ":2", elements: ["d"]))
            try await client.pfmerge(hll + ":m", sourcekeys: [hll, hll + ":2"])
            #expect(try await client.pfcount([hll + ":m"]) == 4)

            let geo = uniqueKey("geo")
            #expect(try await client.geoadd(geo, longitudeLatitudeMembers: [
                (longitude: 13.361389, latitude: 38.115556, member: "Palermo"),
                (longitude: 15.087269, latitude: 37.502669, member: "Catania"),
            ]) == 2)
            let kilometres = try #require(try await client.geodist(geo, member1: "Palermo", member2: "Catania", unit: .km))
            #expect(try await client.geodist(geo, member1: "Palermo", member2: "nope") == nil)
            #expect(abs(kilometres - 166.27) < 0.1)
            let found = try await client.geosearch(geo, from: .longitudeLatitude(longitude: 15, latitude: 37),
                                                   by: .circle(.init(radius: 200, unit: .km)), order: .asc)
            #expect(found.elements?.compactMap(\.string) == ["Catania", "Palermo"])
            let byMember = try await client.geosearch(geo, from: .member("Palermo"), by: .box(.init(width: 10, height: 10, unit: .km)))
            #expect(byMember.elements?.compactMap(\.string) == ["Palermo"])
            #expect(try await client.geopos(geo, members: ["Palermo", "nope"]).elements?.count == 2)
            #expect(try await client.geohash(geo, members: ["Palermo", "nope"]) == [ByteBuffer(string: "sqc8b49rny0"), nil])

            let stream = uniqueKey("stream")
            let id1 = try await client.xadd(stream, idOrAuto: .autoId, fieldValues: [(field: "f", value: "1")])
            #expect(id1.map { String(buffer: $0) }?.contains("-") == true)
            #expect(try await client.xadd(stream, idOrAuto: .id("99999999999999-0"), fieldValues: [(field: "f", value: "2")]) == ByteBuffer(string: "99999999999999-0"))
            #expect(try await client.xadd(stream + ":none", nomkstream: true, idOrAuto: .autoId, fieldValues: [(field: "f", value: "3")]) == nil)
            #expect(try await client.xlen(stream) == 2)
            #expect(try await client.xrange(stream, start: "-", end: "+", count: 1).elements?.count == 1)
            try await client.xgroupCreate(stream, groupname: "g", id: .id("0"))
            #expect(try await client.xgroupCreateconsumer(stream, groupname: "g", consumername: "c2") == 1)
            let read = try await client.xreadgroup((group: "g", consumer: "c"), count: 10, streams: .init(keys: [stream], ids: [">"]))
            #expect(read.isNull == false)
            #expect(try await client.xack(stream, group: "g", ids: ["99999999999999-0"]) == 1)
            let plain = try await client.xread(count: 1, streams: .init(keys: [stream], ids: ["0"]))
            #expect(plain.isNull == false)
            #expect(try await client.xdel(stream, ids: ["99999999999999-0"]) == 1)
            #expect(try await client.xtrim(stream, trim: .init(strategy: .maxlen, threshold: 0)) == 1)
            #expect(try await client.del([hll, hll + ":2", hll + ":m", geo, stream]) == 5)
            await client.close()
        }
    }

    @Test("the generated API and the scan sequences work over every transport", arguments: BasicSuiteTests.Transport.allCases)
    func everyTransport(transport: BasicSuiteTests.Transport) async throws {
        try await bounded(30) {
            let (client, _directory) = try await BasicSuiteTests.client(transport)
            defer { _ = _directory }
            let key = uniqueKey("transport")
            #expect(try await client.hset(key + ":h", fieldValues: [(field: "a", value: "1"), (field: "b", value: ByteBuffer(bytes: [0, 255]))]) == 2)
            #expect(try await client.hgetall(key + ":h") == ["a": ByteBuffer(string: "1"), "b": ByteBuffer(bytes: [0, 255])])
            _ = try await client.zadd(key + ":z", scoreMembers: [(score: 1.5, member: "m")])
            #expect(try await client.zscore(key + ":z", member: "m") == 1.5)
            #expect(try await client.sadd(key + ":s", members: (0..<250).map { "m\($0)" }) == 250)
            var seen = Set<ByteBuffer>()
            for try await member in client.sscanAll(key + ":s", count: 20) { seen.insert(member) }
            #expect(seen.count == 250)
            var fields = 0
            for try await _ in client.hscanAll(key + ":h") { fields += 1 }
            #expect(fields == 2)
            #expect(try await client.get(key: key + ":h:missing") == nil)
            #expect(try await client.del([key + ":h", key + ":z", key + ":s"]) == 3)
            await client.close()
        }
    }

    // MARK: - Scan sequences

    @Test("SCAN, HSCAN, SSCAN and ZSCAN sequences return each of 1,000 elements exactly once")
    func scanSequences() async throws {
        try await bounded(60) {
            let client = try await Self.client()
            let prefix = uniqueKey("scan")
            let count = 1_000
            let names = (0..<count).map { "m\($0)" }
            // Keys for SCAN (in their own database-wide namespace, found with MATCH).
            for batch in stride(from: 0, to: count, by: 100) {
                try await client.mset((batch..<batch + 100).map { (key: "\(prefix):k:\($0)", value: $0) })
            }
            var keys: [String: Int] = [:]
            for try await key in client.scanAll(match: "\(prefix):k:*", count: 50) {
                keys[String(buffer: key), default: 0] += 1
            }
            #expect(keys.count == count)
            #expect(keys.values.allSatisfy { $0 == 1 })

            let hash = prefix + ":hash"
            for batch in stride(from: 0, to: count, by: 100) {
                try await client.hset(hash, fieldValues: names[batch..<batch + 100].map { (field: $0, value: "v" + $0) })
            }
            var fields: [String: Int] = [:]
            for try await (field, value) in client.hscanAll(hash, count: 50) {
                let name = String(buffer: field)
                #expect(String(buffer: value) == "v" + name)
                fields[name, default: 0] += 1
            }
            #expect(Set(fields.keys) == Set(names))
            #expect(fields.values.allSatisfy { $0 == 1 })

            let set = prefix + ":set"
            for batch in stride(from: 0, to: count, by: 100) {
                try await client.sadd(set, members: Array(names[batch..<batch + 100]))
            }
            var members: [String: Int] = [:]
            for try await member in client.sscanAll(set, count: 50) {
                members[String(buffer: member), default: 0] += 1
            }
            #expect(Set(members.keys) == Set(names))
            #expect(members.values.allSatisfy { $0 == 1 })

            let zset = prefix + ":zset"
            for batch in stride(from: 0, to: count, by: 100) {
                _ = try await client.zadd(zset, scoreMembers: (batch..<batch + 100).map { (score: Double($0), member: names[$0]) })
            }
            var scored: [String: Int] = [:]
            for try await (member, score) in client.zscanAll(zset, count: 50) {
                let name = String(buffer: member)
                #expect(name == "m\(Int(score))")
                scored[name, default: 0] += 1
            }
            #expect(Set(scored.keys) == Set(names))
            #expect(scored.values.allSatisfy { $0 == 1 })

            // An empty collection and MATCH filtering.
            var none = 0
            for try await _ in client.sscanAll(prefix + ":empty") { none += 1 }
            #expect(none == 0)
            var matched: [ByteBuffer] = []
            for try await member in client.sscanAll(set, match: "m99*") { matched.append(member) }
            #expect(Set(matched.map { String(buffer: $0) }) == ["m99", "m990", "m991", "m992", "m993", "m994", "m995", "m996", "m997", "m998", "m999"])

            _ = try await client.unlink([hash, set, zset])
            for batch in stride(from: 0, to: count, by: 100) {
                _ = try await client.unlink((batch..<batch + 100).map { "\(prefix):k:\($0)" })
            }
            await client.close()
        }
    }
}
