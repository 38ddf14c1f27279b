import ArgumentParser
import NIOCore
import RESP

/// `scripts/bench-resp`: RESP decode and encode throughput.
///
/// Workloads: a pipeline of 10,000 `SET key:N value` requests (what a server decodes and a client
/// encodes) and a 1,000-element array reply (what a client decodes and a server encodes).
struct RESPBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resp", abstract: "RESP codec throughput.")

    @Option(help: "Repetitions of each workload; the best run is reported.")
    var rounds = 20

    func run() throws {
        print("| workload | frames/s | MB/s |")
        print("|---|---:|---:|")

        // 10,000 SET requests as one pipeline.
        let requestCount = 10_000
        var pipeline = ByteBuffer()
        for index in 0..<requestCount {
            pipeline.writeRESPCommand(["SET", "key:\(index)", "value"])
        }
        let pipelineBytes = pipeline.readableBytes

        let decodeRequests = try measure(rounds: rounds) {
            var decoder = RESPRequestDecoder()
            var input = pipeline
            var frames = 0
            while let request = try decoder.decode(from: &input) {
                frames += request.count > 0 ? 1 : 0
            }
            precondition(frames == requestCount)
        }
        report("decode 10,000 SET requests (server)", frames: requestCount, bytes: pipelineBytes, seconds: decodeRequests)

        let decodeRequestsAsValues = try measure(rounds: rounds) {
            var decoder = RESPValueDecoder()
            var input = pipeline
            var frames = 0
            while try decoder.decode(from: &input) != nil { frames += 1 }
            precondition(frames == requestCount)
        }
        report("decode 10,000 SET requests as values", frames: requestCount, bytes: pipelineBytes, seconds: decodeRequestsAsValues)

        let keys = (0..<requestCount).map { "key:\($0)" }
        let encodeRequests = try measure(rounds: rounds) {
            var output = ByteBuffer()
            output.reserveCapacity(pipelineBytes)
            for key in keys { output.writeRESPCommand(["SET", key, "value"]) }
            precondition(output.readableBytes == pipelineBytes)
        }
        report("encode 10,000 SET requests (client)", frames: requestCount, bytes: pipelineBytes, seconds: encodeRequests)

        // A 1,000-element array reply of 10-byte bulk strings.
        let reply = RESPValue.array((0..<1_000).map { .bulk("value:\(String($0 + 10_000).suffix(4))") })
        var replyBuffer = ByteBuffer()
        replyBuffer.writeRESPValue(reply)
        let replyBytes = replyBuffer.readableBytes
        let replyRounds = 100

        let decodeReply = try measure(rounds: rounds) {
            for _ in 0..<replyRounds {
                var decoder = RESPValueDecoder()
                var input = replyBuffer
                guard case .array(let elements) = try decoder.decode(from: &input), elements.count == 1_000 else {
                    preconditionFailure("reply did not decode")
                }
            }
        }
        report("decode 1,000-element array reply (client)", frames: replyRounds, bytes: replyBytes * replyRounds, seconds: decodeReply)

        let encodeReply = try measure(rounds: rounds) {
            for _ in 0..<replyRounds {
                var output = ByteBuffer()
                output.reserveCapacity(replyBytes)
                output.writeRESPValue(reply, version: .resp2)
                precondition(output.readableBytes == replyBytes)
            }
        }
        report("encode 1,000-element array reply (server)", frames: replyRounds, bytes: replyBytes * replyRounds, seconds: encodeReply)
    }

    private func measure(rounds: Int, _ body: () throws -> Void) throws -> Double {
        var best = Double.infinity
        for _ in 0..<max(rounds, 1) {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = min(best, seconds)
        }
        return best
    }

    private func report(_ name: String, frames: Int, bytes: Int, seconds: Double) {
        let framesPerSecond = Double(frames) / seconds
        let megabytesPerSecond = Double(bytes) / seconds / 1_000_000
        print("| \(name) | \(Int(framesPerSecond)) | \(String(Int(megabytesPerSecond * 10)).dropLast())" +
              ".\(String(Int(megabytesPerSecond * 10)).suffix(1)) |")
    }
}
