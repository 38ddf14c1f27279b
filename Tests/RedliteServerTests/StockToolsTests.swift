import Foundation
import RESP
import RedisTestSupport
import Testing

/// `redlite serve` used by stock Redis tools, unchanged: redis-cli, redis-benchmark, redis-py.
@Suite("Stock tools against redlite serve")
struct StockToolsTests {
    static var redisCLI: String { ChildProcess.locate("redis-cli") ?? "/usr/bin/redis-cli" }

    @Test("redis-cli: commands, -e, and --pipe mass insertion of 100,000 keys")
    func redisCLI() async throws {
        let served = try await ServedRedlite.start()
        let port = String(served.port)
        let set = try await offloaded { try ChildProcess.run([Self.redisCLI, "-p", port, "SET", "greeting", "hello"]) }
        #expect(set.status == 0 && set.output == "OK\n")
        let get = try await offloaded { try ChildProcess.run([Self.redisCLI, "-p", port, "GET", "greeting"]) }
        #expect(get.output == "hello\n")
        let failing = try await offloaded { try ChildProcess.run([Self.redisCLI, "-p", port, "-e", "INCR", "greeting"]) }
        #expect(failing.status != 0)
        #expect(failing.output.contains("ERR value is not an integer or out of range"))

        var pipe = ""
        pipe.reserveCapacity(100_000 * 40)
        for index in 0..<100_000 { pipe += "*3\r\n$3\r\nSET\r\n$\(4 + String(index).count)\r\nkey:\(index)\r\n$5\r\nvalue\r\n" }
        let massInput = pipe
        let mass = try await offloaded { try ChildProcess.run([Self.redisCLI, "-p", port, "--pipe"], input: massInput, timeout: .seconds(300)) }
        #expect(mass.status == 0, "\(mass.output)")
        #expect(mass.output.contains("errors: 0, replies: 100000"), "\(mass.output)")
        let connection = try served.connect()
        #expect(try connection.run("DBSIZE") == .integer(100_001))
        #expect(try connection.run("GET", "key:99999") == .bulk("value"))
        await served.stop()
    }

    @Test("redis-cli --bigkeys, --memkeys and --scan walk the keyspace (SCAN, TYPE, the size commands, MEMORY USAGE)")
    func redisCLIKeyspaceTools() async throws {
        let served = try await ServedRedlite.start()
        let port = String(served.port)
        let connection = try served.connect()
        var commands: [[String]] = (0..<2000).map { ["SET", "key:\($0)", String(repeating: "v", count: $0 % 50)] }
        commands += [["RPUSH", "list", "a", "b", "c"], ["HSET", "hash", "f", "v"], ["SADD", "set", "m"], ["ZADD", "zset", "1", "m"]]
        _ = try connection.pipeline(commands)
        let big = try await offloaded { try ChildProcess.run([Self.redisCLI, "-p", port, "--bigkeys"], timeout: .seconds(120)) }
        #expect(big.status == 0, "\(big.output)")
        #expect(big.output.contains("2000 strings with"), "\(big.output)")
        #expect(big.output.contains("Biggest   list found '\"list\"' has 3 items"), "\(big.output)")
        let memory = try await offloaded { try ChildProcess.run([Self.redisCLI, "-p", port, "--memkeys"], timeout: .seconds(120)) }
        #expect(memory.status == 0, "\(memory.output)")
        #expect(!memory.output.contains("failed"), "\(memory.output)")
        #expect(memory.output.contains("Biggest string found"), "\(memory.output)")
        let scan = try await offloaded { try ChildProcess.run([Self.redisCLI, "-p", port, "--scan", "--pattern", "key:19*"]) }
        #expect(Set(scan.output.split(separator: "\n")).count == 111)
        await served.stop()
    }

    @Test("a short redis-benchmark run completes with every test")
    func redisBenchmark() async throws {
        let served = try await ServedRedlite.start()
        guard let benchmark = ChildProcess.locate("redis-benchmark") else {
            Issue.record("redis-benchmark is not installed: run scripts/setup")
            return
        }
        let run = try await offloaded { try ChildProcess.run(
            [benchmark, "-p", String(served.port), "-q", "-c", "10", "-n", "2000", "-t", "set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100"],
            timeout: .seconds(300)
        ) }
        #expect(run.status == 0, "\(run.output)")
        for test in ["SET", "GET", "INCR", "LPUSH", "RPOP", "SADD", "HSET", "ZADD", "LRANGE_100"] {
            #expect(run.output.contains("\(test):") || run.output.contains("\(test) "), "missing \(test) in \(run.output)")
        }
        await served.stop()
    }

    @Test("redis-py: strings, hashes, a pipeline, a transaction and pub/sub")
    func redisPy() async throws {
        let served = try await ServedRedlite.start()
        let script = """
            import redis, sys, time
            r = redis.Redis(host="127.0.0.1", port=\(served.port), decode_responses=True, socket_timeout=10)
            assert r.ping()
            r.set("name", "redlite")
            assert r.get("name") == "redlite"
            r.hset("user:1", mapping={"lang": "swift", "db": "sqlite"})
            assert r.hgetall("user:1") == {"lang": "swift", "db": "sqlite"}
            p = r.pipeline(transaction=True)
            p.incr("n"); p.incr("n"); p.lpush("l", "a", "b")
            assert p.execute() == [1, 2, 2]
            sub = r.pubsub()
            sub.subscribe("events")
            deadline = time.time() + 10
            while time.time() < deadline:
                m = sub.get_message(timeout=1)
                if m and m["type"] == "subscribe":
                    break
            assert r.publish("events", "hello") == 1
            while time.time() < deadline:
                m = sub.get_message(timeout=1)
                if m and m["type"] == "message":
                    assert m["data"] == "hello"
                    break
            else:
                sys.exit("no message")
            print("redis-py ok")
            """
        let python = ChildProcess.locate("python3") ?? "/usr/bin/python3"
        let run = try await offloaded { try ChildProcess.run([python, "-c", script], timeout: .seconds(60)) }
        #expect(run.status == 0 && run.output.contains("redis-py ok"), "\(run.output) (install with scripts/setup: pip install redis)")
        await served.stop()
    }
}
