import Foundation
import RESP
import RedisTestSupport
import RedliteServer
import Testing

@Suite("TLS")
struct TLSTests {
    @Test("redis-cli over TLS to redlite serve; a client trusting another CA is refused")
    func tls() async throws {
        let certificates = try TestCertificates()
        let served = try await ServedRedlite.start { configuration in
            configuration.tls = .init(port: 0, certificatePath: certificates.certificate, keyPath: certificates.key)
        }
        let addresses = served.server.localAddresses.compactMap(\.port)
        let tlsPort = try #require(addresses.last)
        #expect(addresses.count == 2)
        let cli = ChildProcess.locate("redis-cli") ?? "/usr/bin/redis-cli"
        let ok = try ChildProcess.run([cli, "--tls", "--cacert", certificates.caCertificate, "-h", "127.0.0.1", "-p", String(tlsPort), "SET", "secure", "yes"])
        #expect(ok.output == "OK\n", "\(ok.output)")
        let get = try ChildProcess.run([cli, "--tls", "--cacert", certificates.caCertificate, "-h", "127.0.0.1", "-p", String(tlsPort), "GET", "secure"])
        #expect(get.output == "yes\n")
        let refused = try ChildProcess.run([cli, "--tls", "--cacert", certificates.otherCACertificate, "-h", "127.0.0.1", "-p", String(tlsPort), "PING"])
        #expect(!refused.output.contains("PONG"))
        // The plain port keeps working beside the TLS one.
        #expect(try served.connect().run("GET", "secure") == .bulk("yes"))
        await served.stop()
    }

    @Test("CONFIG SET tls-port moves the TLS listener; a certificate that cannot be read changes nothing; the same files again reload")
    func tlsPortAtRunTime() async throws {
        let certificates = try TestCertificates()
        let served = try await ServedRedlite.start { configuration in
            configuration.tls = .init(port: 0, certificatePath: certificates.certificate, keyPath: certificates.key)
        }
        let admin = try served.connect()
        let cli = ChildProcess.locate("redis-cli") ?? "/usr/bin/redis-cli"
        func pingOverTLS(_ port: Int) throws -> String {
            try ChildProcess.run([cli, "--tls", "--cacert", certificates.caCertificate, "-h", "127.0.0.1", "-p", String(port), "PING"]).output
        }
        let tlsPort = try RedisServer.freeLoopbackPort()
        #expect(try admin.run("CONFIG", "SET", "tls-port", String(tlsPort)) == .ok)
        #expect(try pingOverTLS(tlsPort) == "PONG\n")
        #expect(served.server.localAddresses.last?.port == tlsPort)
        #expect(try admin.run("CONFIG", "GET", "tls-port") == .array([.bulk("tls-port"), .bulk(String(tlsPort))]))

        #expect(try admin.run("CONFIG", "SET", "tls-cert-file", "/nonexistent/cert.pem")
            == .simpleError("ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs."))
        #expect(try pingOverTLS(tlsPort) == "PONG\n")
        #expect(try admin.run("CONFIG", "SET", "tls-cert-file", certificates.certificate, "tls-key-file", certificates.key) == .ok)
        #expect(try pingOverTLS(tlsPort) == "PONG\n")

        // port and tls-port swapped: each new listener needs the address of one being replaced, so
        // those close first, and the answer comes once the new ones listen.
        let plainPort = try RedisServer.freeLoopbackPort()
        #expect(try admin.run("CONFIG", "SET", "port", String(plainPort)) == .ok)
        #expect(try admin.run("CONFIG", "SET", "port", String(tlsPort), "tls-port", String(plainPort)) == .ok)
        #expect(try RedisTestConnection(port: tlsPort).run("PING") == .simpleString("PONG"))
        #expect(try pingOverTLS(plainPort) == "PONG\n")
        #expect(served.server.localAddresses.compactMap(\.port) == [tlsPort, plainPort])
        #expect(try admin.run("PING") == .simpleString("PONG"))
        await served.stop()
    }
}
