import Testing

@testable import Antivirus

@Suite struct ClamdParsingTests {
    @Test func endpointsParseAsTheFlagTakesThem() {
        #expect(ClamdEndpoint(parsing: "unix:/run/clamav/clamd.ctl") == .unix(path: "/run/clamav/clamd.ctl"))
        #expect(ClamdEndpoint(parsing: "tcp:127.0.0.1:3310") == .tcp(host: "127.0.0.1", port: 3310))
        #expect(ClamdEndpoint(parsing: "tcp:[::1]:3310") == .tcp(host: "::1", port: 3310))
        #expect(ClamdEndpoint(parsing: "tcp:[::1]:3310")?.description == "tcp:[::1]:3310")
        for bad in [
            "", "unix:relative.sock", "tcp:host", "tcp:host:0", "tcp:host:99999", "tcp::3310", "tcp:[]:3310", "http://clamd:3310", "/run/clamd.ctl",
        ] {
            #expect(ClamdEndpoint(parsing: bad) == nil, "\(bad)")
        }
        #expect(ClamdEndpoint(parsing: "tcp:localhost:3310")?.description == "tcp:localhost:3310")
    }

    @Test func repliesBecomeVerdictsOrErrors() async throws {
        #expect(try ClamdVerdict.parse("stream: OK") == .clean)
        #expect(try ClamdVerdict.parse("stream: OK\0") == .clean)
        #expect(try ClamdVerdict.parse("stream: Win.Test.EICAR_HDB-1 FOUND\0") == .infected(signature: "Win.Test.EICAR_HDB-1"))
        #expect(throws: ClamdError.sizeLimitExceeded) { try ClamdVerdict.parse("INSTREAM size limit exceeded. ERROR") }
        #expect(throws: ClamdError.failed("stream: Can't allocate memory ERROR")) {
            try ClamdVerdict.parse("stream: Can't allocate memory ERROR")
        }
        #expect(throws: ClamdError.failed("")) { try ClamdVerdict.parse("") }
        #expect(ClamdError.sizeLimitExceeded.description.contains("StreamMaxLength"), "the log line says how to fix it")
    }
}
