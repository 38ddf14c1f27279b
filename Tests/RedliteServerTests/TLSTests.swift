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
}
