import NIOCore
import RESP
import RedisTestSupport
@testable import RedliteServer
import Testing

@Suite("RequestInput: a connection's unparsed input")
struct RequestInputTests {
    @Test("requests arriving in pieces of every size come out whole and in order, and the input keeps only what it must")
    func piecesOfEverySize() throws {
        var generator = SeededGenerator(seed: 7)
        var requests: [[String]] = []
        for index in 0..<3000 {
            switch index % 500 {
            case 250: requests.append(["SET", "big", String(repeating: "b", count: 300_000)])
            default: requests.append(["SET", "key:\(index)", String(repeating: "v", count: Int.random(in: 0..<200, using: &generator))])
            }
        }
        var stream = ByteBuffer()
        for request in requests { stream.writeRESPCommand(request) }
        let largest = requests.map { $0.reduce(64) { $0 + $1.utf8.count + 16 } }.max()!

        var input = RequestInput(limits: .default)
        var decoded: [[String]] = []
        while stream.readableBytes > 0 {
            var piece = stream.readSlice(length: min(stream.readableBytes, Int.random(in: 1...8192, using: &generator)))!
            input.append(&piece)
            while let request = try input.next(authenticated: true) {
                decoded.append(request.map { String(buffer: $0) })
            }
            // What is held is the unfinished request and at most as much again of decoded bytes,
            // never the whole stream.
            #expect(input.heldBytes <= 2 * (largest + 8192))
        }
        #expect(decoded == requests)
        #expect(input.unparsedBytes == 0)
        #expect(input.heldBytes == 0)
    }

    @Test("before authentication Redis's tighter bounds apply; after it, Redis's normal ones")
    func boundsBeforeAuthentication() throws {
        var tooMany = ByteBuffer(string: "*11\r\n")
        var input = RequestInput(limits: .default)
        input.append(&tooMany)
        #expect(throws: RESPProtocolError.unauthenticatedMultibulkLength) { try input.next(authenticated: false) }

        var large = ByteBuffer()
        large.writeRESPCommand(["SET", "k", String(repeating: "x", count: 20_000)])
        var unbounded = RequestInput(limits: .default)
        var copy = large
        unbounded.append(&copy)
        #expect(try unbounded.next(authenticated: true)?.count == 3)
        var bounded = RequestInput(limits: .default)
        bounded.append(&large)
        #expect(throws: RESPProtocolError.unauthenticatedBulkLength) { try bounded.next(authenticated: false) }
    }
}
