import RESP
import RedisTestSupport
import Redlite
import Testing

/// Hand-written differential cases: every command and option of engine I, with edge cases and the
/// error texts. Each case starts from empty databases on both sides. Every divergence ever found
/// stays here as a case.
@Suite("Differential: hand-written cases against redis-server")
struct DifferentialCaseTests {


    @Test("case", arguments: DifferentialCases.keysStringsHashes)
    func differential(_ testCase: DifferentialCase) throws {
        var pair = try DifferentialPair()
        let divergences = try pair.run(testCase.commands)
        for divergence in divergences { Issue.record("\(divergence)") }
    }

    @Test("a whole SCAN iteration returns every key, and TYPE/MATCH filter like Redis")
    func scanIteration() throws {
        let pair = try DifferentialPair()
        let redis = try pair.redis.connect()
        let embedded = EmbeddedTarget(store: pair.store)
        var expected: Set<String> = []
        for index in 0..<250 {
            let key = "key:\(index)"
            for target in [redis as any RESPCommandTarget, embedded] {
                _ = try target.send(index % 3 == 0 ? ["HSET", key, "f", "v"].map { .init(string: $0) } : ["SET", key, "v"].map { .init(string: $0) })
            }
            expected.insert(key)
        }
        func iterate(_ target: any RESPCommandTarget, _ options: [String]) throws -> [String] {
            var cursor = "0"
            var keys: [String] = []
            for _ in 0..<10_000 {
                let reply = try target.send((["SCAN", cursor] + options).map { .init(string: $0) })
                guard let parts = reply.elements, parts.count == 2, let next = parts[0].string, let batch = parts[1].elements else {
                    Issue.record("bad SCAN reply \(reply)")
                    return keys
                }
                keys += batch.compactMap(\.string)
                cursor = next
                if cursor == "0" { break }
            }
            return keys
        }
        for options in [[], ["COUNT", "7"], ["MATCH", "key:1*"], ["TYPE", "hash", "COUNT", "50"], ["TYPE", "string"], ["TYPE", "nosuchtype"]] {
            let ours = try iterate(embedded, options)
            let theirs = try iterate(redis, options)
            #expect(Set(ours) == Set(theirs), "SCAN \(options)")
            #expect(ours.count == Set(ours).count, "no key twice: SCAN \(options)")
        }
        #expect(Set(try iterate(embedded, [])) == expected)
    }
}
