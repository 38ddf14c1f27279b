import NIOCore
import RESP
import RedisTestSupport
import Testing

/// A seeded fuzz run: random and mutated byte strings through both decoders. Every input must end in
/// values, a protocol error or a request for more bytes: never a crash, never a loop without progress,
/// never a value larger than the bytes it came from (no allocation beyond what was received).
@Suite("Fuzz: value or error, every time")
struct RESPFuzzTests {
    /// Valid frames to mutate: the mutations that find bugs are the ones that stay close to RESP.
    static let corpus: [[UInt8]] = {
        var frames: [[UInt8]] = []
        for value in RESPRoundTripTests.everyType {
            var buffer = ByteBuffer()
            buffer.writeRESPValue(value, version: .resp3)
            frames.append(Array(buffer.readableBytesView))
        }
        for text in ["*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "PING\r\n", "SET a \"b c\" 'd'\r\n", "*1\r\n$4\r\nPING\r\n"] {
            frames.append(Array(text.utf8))
        }
        return frames
    }()

    static let interesting: [UInt8] = Array("*$+-:_,#(!=%~>|\r\n0123456789-\"'\\x ".utf8)

    static func input(_ rng: inout SeededGenerator) -> [UInt8] {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            // Pure noise drawn from bytes that mean something to RESP.
            return (0..<Int.random(in: 0...24, using: &rng)).map { _ in interesting.randomElement(using: &rng)! }
        case 1:
            return (0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        default:
            var bytes = corpus.randomElement(using: &rng)!
            if Bool.random(using: &rng) { bytes += corpus.randomElement(using: &rng)! }
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                guard !bytes.isEmpty else { break }
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[position] = interesting.randomElement(using: &rng)!
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(interesting.randomElement(using: &rng)!, at: position)
                default: bytes[position] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            return bytes
        }
    }

    /// Total payload bytes a value holds: at most the input it was decoded from, times three for
    /// invalid UTF-8 in text types (each bad byte becomes U+FFFD, three bytes).
    static func payloadSize(_ value: RESPValue) -> Int {
        switch value {
        case .bulkString(let b), .verbatimString(_, let b): return b.readableBytes
        case .simpleString(let s), .simpleError(let s), .bulkError(let s), .bigNumber(let s): return s.utf8.count
        case .array(let a), .set(let a), .push(let a): return a.reduce(1) { $0 + payloadSize($1) }
        case .map(let m): return m.reduce(1) { $0 + payloadSize($1.key) + payloadSize($1.value) }
        case .attributed(let p, let v): return p.reduce(payloadSize(v)) { $0 + payloadSize($1.key) + payloadSize($1.value) }
        default: return 1
        }
    }

    /// Small limits, so that limit checks are exercised by short inputs.
    static let limits = RESPLimits(maxBulkLength: 64, maxMultibulkLength: 16, maxInlineLength: 32, maxNestingDepth: 8, maxAggregateLength: 16)

    @Test("250,000 inputs per seed through both decoders (1,000,000 per run)", arguments: [UInt64(11), 22, 33, 44])
    func fuzz(seed: UInt64) async throws {
        // CPU-bound for seconds: on a thread of its own, not the cooperative pool.
        try await offloaded { Self.fuzzBody(seed: seed) }
    }

    static func fuzzBody(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var outcomes = (values: 0, errors: 0, incomplete: 0)
        for iteration in 0..<250_000 {
            let bytes = input(&rng)
            let inputSize = bytes.count
            var valueBuffer = ByteBuffer(bytes: bytes)
            var requestBuffer = valueBuffer
            var valueDecoder = RESPValueDecoder(limits: limits)
            var requestDecoder = RESPRequestDecoder(limits: limits)
            do {
                var rounds = 0
                while let value = try valueDecoder.decode(from: &valueBuffer) {
                    rounds += 1
                    outcomes.values += 1
                    if payloadSize(value) > 3 * inputSize + 1 || rounds > inputSize {
                        Issue.record("seed \(seed) iteration \(iteration): value larger than its input: \(bytes)")
                        return
                    }
                }
                outcomes.incomplete += 1
            } catch {
                outcomes.errors += 1
            }
            do {
                var rounds = 0
                while let request = try requestDecoder.decode(from: &requestBuffer) {
                    rounds += 1
                    if request.isEmpty || request.count > limits.maxMultibulkLength || rounds > inputSize {
                        Issue.record("seed \(seed) iteration \(iteration): bad request from \(bytes)")
                        return
                    }
                }
            } catch {
                outcomes.errors += 1
            }
        }
        // The generator must reach all three outcomes, or the fuzz run proves little.
        #expect(outcomes.values > 10_000 && outcomes.errors > 10_000 && outcomes.incomplete > 10_000, "\(outcomes)")
    }
}
