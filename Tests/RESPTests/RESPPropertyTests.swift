import NIOCore
import RESP
import RedisTestSupport
import Testing

/// Random nested values from a seeded generator: encode, decode (in random chunks), compare.
@Suite("Property: decode(encode(v)) == v")
struct RESPPropertyTests {
    static func randomBytes(_ rng: inout SeededGenerator, maxLength: Int) -> [UInt8] {
        let length = Int.random(in: 0...maxLength, using: &rng)
        // Bias towards the bytes that matter to the framing.
        return (0..<length).map { _ in
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: return 13
            case 1: return 10
            default: return UInt8.random(in: 0...255, using: &rng)
            }
        }
    }

    static func randomLine(_ rng: inout SeededGenerator) -> String {
        let length = Int.random(in: 0...12, using: &rng)
        let alphabet = Array("abcXYZ 019:-_é€")
        return String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func randomValue(_ rng: inout SeededGenerator, depth: Int) -> RESPValue {
        let aggregate = depth < 4 && Int.random(in: 0..<3, using: &rng) == 0
        if aggregate {
            let count = Int.random(in: 0...4, using: &rng)
            let children = (0..<count).map { _ in randomValue(&rng, depth: depth + 1) }
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return .array(children)
            case 1: return .set(children)
            case 2: return .push(children)
            case 3:
                return .map((0..<count).map { _ in .init(randomValue(&rng, depth: depth + 1), randomValue(&rng, depth: depth + 1)) })
            default:
                let pairs: [RESPValue.Pair] = (0..<Int.random(in: 0...2, using: &rng)).map { _ in
                    .init(.simpleString(randomLine(&rng)), randomValue(&rng, depth: depth + 1))
                }
                return .attributed(pairs, randomValue(&rng, depth: depth + 1))
            }
        }
        switch Int.random(in: 0..<14, using: &rng) {
        case 0: return .simpleString(randomLine(&rng))
        case 1: return .simpleError("ERR " + randomLine(&rng))
        case 2: return .integer(Int64.random(in: .min ... .max, using: &rng))
        case 3: return .bulk(randomBytes(&rng, maxLength: 40))
        case 4: return .nullBulkString
        case 5: return .nullArray
        case 6: return .null
        case 7:
            let specials: [Double] = [.infinity, -.infinity, .nan, 0, -0.0, 1e-300, 1.7976931348623157e308]
            return .double(Bool.random(using: &rng) ? specials.randomElement(using: &rng)! : Double.random(in: -1e12...1e12, using: &rng))
        case 8: return .boolean(Bool.random(using: &rng))
        case 9: return .bigNumber((Bool.random(using: &rng) ? "-" : "") + String(UInt64.random(in: 0 ... .max, using: &rng)) + "123456789")
        case 10: return .bulkError("ERR " + randomLine(&rng) + "\r\n" + randomLine(&rng))
        case 11: return .verbatimString(format: "txt", text: ByteBuffer(bytes: randomBytes(&rng, maxLength: 20)))
        case 12: return .bulk(randomLine(&rng))
        default: return .integer(Int64.random(in: -10...10, using: &rng))
        }
    }

    @Test("5,000 random values per seed, decoded from random chunks", arguments: [UInt64(1), 2, 3, 0xC0FFEE])
    func identity(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var values: [RESPValue] = []
        var stream = ByteBuffer()
        for _ in 0..<5_000 {
            let value = Self.randomValue(&rng, depth: 0)
            values.append(RESPRoundTripTests.resp3Canonical(value))
            stream.writeRESPValue(value, version: .resp3)
        }
        var decoder = RESPValueDecoder()
        var pending = ByteBuffer()
        var decoded: [RESPValue] = []
        while stream.readableBytes > 0 {
            let take = min(stream.readableBytes, Int.random(in: 1...300, using: &rng))
            pending.writeImmutableBuffer(stream.readSlice(length: take)!)
            while let value = try decoder.decode(from: &pending) { decoded.append(value) }
        }
        #expect(decoded.count == values.count, "seed \(seed)")
        for (index, pair) in zip(decoded, values).enumerated() where pair.0 != pair.1 {
            Issue.record("seed \(seed), value \(index): decoded \(pair.0), expected \(pair.1)")
            break
        }
    }
}
