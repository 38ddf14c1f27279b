import NIOCore
import RESP
import Testing

@Suite("Server-side request decoding: multibulk, inline, limits, Redis's error texts")
struct RESPRequestDecoderTests {
    private func decodeAll(_ text: String, limits: RESPLimits = .default) throws(RESPProtocolError) -> [[String]] {
        var decoder = RESPRequestDecoder(limits: limits)
        var buffer = ByteBuffer(string: text)
        var requests: [[String]] = []
        while let request = try decoder.decode(from: &buffer) { requests.append(request.map { String(buffer: $0) }) }
        return requests
    }

    private func error(_ text: String, limits: RESPLimits = .default) -> String? {
        do {
            _ = try decodeAll(text, limits: limits)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func multibulkAndInline() throws {
        #expect(try decodeAll("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") == [["GET", "k"]])
        #expect(try decodeAll("PING\r\nPING\n") == [["PING"], ["PING"]])
        #expect(try decodeAll("  SET  a   b  \r\n") == [["SET", "a", "b"]])
        #expect(try decodeAll("*0\r\n*-1\r\n\r\n\n*1\r\n$4\r\nPING\r\n") == [["PING"]])
    }

    @Test("inline quoting follows sdssplitargs")
    func inlineQuoting() throws {
        #expect(try decodeAll("SET k \"a b\"\r\n") == [["SET", "k", "a b"]])
        #expect(try decodeAll("SET k \"\\x41\\n\\t\\\\\\\"\"\r\n") == [["SET", "k", "A\n\t\\\""]])
        #expect(try decodeAll("SET k 'it\\'s'\r\n") == [["SET", "k", "it's"]])
        #expect(try decodeAll("SET k 'a\\nb'\r\n") == [["SET", "k", "a\\nb"]])
        #expect(try decodeAll("ECHO \"\"\r\n") == [["ECHO", ""]])
        #expect(try decodeAll("ECHO \"\\xZZ\"\r\n") == [["ECHO", "xZZ"]])
    }

    @Test("error texts are Redis's own")
    func errorTexts() {
        #expect(error("SET k \"abc\r\n") == "Protocol error: unbalanced quotes in request")
        #expect(error("SET k \"abc\"x\r\n") == "Protocol error: unbalanced quotes in request")
        #expect(error("SET k 'abc\r\n") == "Protocol error: unbalanced quotes in request")
        #expect(error("*x\r\n") == "Protocol error: invalid multibulk length")
        #expect(error("*1048577\r\n") == "Protocol error: invalid multibulk length")
        #expect(error("*1\r\nx3\r\n") == "Protocol error: expected '$', got 'x'")
        #expect(error("*1\r\n$-1\r\n") == "Protocol error: invalid bulk length")
        #expect(error("*1\r\n$536870913\r\n") == "Protocol error: invalid bulk length")
        #expect(error("*1\r\n$01\r\n") == "Protocol error: invalid bulk length")
        #expect(error(String(repeating: "a", count: 64 * 1024 + 1)) == "Protocol error: too big inline request")
        #expect(error("*" + String(repeating: "1", count: 64 * 1024 + 1)) == "Protocol error: too big mbulk count string")
        #expect(error("*1\r\n$" + String(repeating: "1", count: 64 * 1024 + 1)) == "Protocol error: too big bulk count string")
    }

    @Test("a length claim over a limit is refused before any payload arrives")
    func limitsBeforeAllocation() {
        let limits = RESPLimits(maxBulkLength: 1024, maxMultibulkLength: 8, maxInlineLength: 64)
        #expect(error("*1\r\n$1025\r\n", limits: limits) == "Protocol error: invalid bulk length")
        #expect(error("*9\r\n", limits: limits) == "Protocol error: invalid multibulk length")
        #expect(error(String(repeating: "x", count: 65), limits: limits) == "Protocol error: too big inline request")
    }

    @Test("a claimed but unsent payload reserves nothing")
    func noReservationForClaims() throws {
        var decoder = RESPRequestDecoder()
        var buffer = ByteBuffer(string: "*1048576\r\n$536870912\r\n")
        let capacityBefore = buffer.capacity
        #expect(try decoder.decode(from: &buffer) == nil)
        #expect(buffer.capacity == capacityBefore)
        #expect(!decoder.isIdle)
    }

    @Test("unauthenticated connections get Redis's tighter bounds")
    func unauthenticated() {
        var decoder = RESPRequestDecoder(isAuthenticated: false)
        var many = ByteBuffer(string: "*11\r\n")
        #expect(throws: RESPProtocolError.unauthenticatedMultibulkLength) { try decoder.decode(from: &many) }
        var big = ByteBuffer(string: "*2\r\n$4\r\nAUTH\r\n$16385\r\n")
        decoder = RESPRequestDecoder(isAuthenticated: false)
        #expect(throws: RESPProtocolError.unauthenticatedBulkLength) { try decoder.decode(from: &big) }
    }
}

@Suite("Client-side reply decoding: limits and malformed input")
struct RESPValueDecoderLimitTests {
    private func decodeError(_ text: String, limits: RESPLimits = .default) -> RESPProtocolError? {
        var decoder = RESPValueDecoder(limits: limits)
        var buffer = ByteBuffer(string: text)
        do {
            while try decoder.decode(from: &buffer) != nil {}
            return nil
        } catch {
            return error
        }
    }

    @Test func malformedReplies() {
        #expect(decodeError("$3\r\nabcXY") == .missingCRLF)
        #expect(decodeError(":12a\r\n") == .invalidInteger)
        #expect(decodeError("#x\r\n") == .invalidBoolean)
        #expect(decodeError(",abc\r\n") == .invalidDouble)
        #expect(decodeError("(12.5\r\n") == .invalidBigNumber)
        #expect(decodeError("_x\r\n") == .invalidNull)
        #expect(decodeError("=2\r\nab\r\n") == .invalidVerbatimString)
        #expect(decodeError("?\r\n") == .invalidTypeByte(UInt8(ascii: "?")))
        #expect(decodeError("*-2\r\n") == .invalidAggregateLength)
        #expect(decodeError("+OK\rX") == .missingCRLF)
    }

    @Test func limits() {
        let limits = RESPLimits(maxBulkLength: 10, maxInlineLength: 16, maxNestingDepth: 3, maxAggregateLength: 5)
        #expect(decodeError("$11\r\n", limits: limits) == .invalidBulkLength)
        #expect(decodeError("*6\r\n", limits: limits) == .invalidAggregateLength)
        #expect(decodeError("%3\r\n", limits: limits) == .invalidAggregateLength)
        #expect(decodeError("*1\r\n*1\r\n*1\r\n*1\r\n", limits: limits) == .nestingTooDeep)
        #expect(decodeError(":" + String(repeating: "1", count: 40), limits: limits) == .lineTooLong)
        #expect(decodeError("*1\r\n*1\r\n*1\r\n:1\r\n", limits: limits) == nil)
    }
}
