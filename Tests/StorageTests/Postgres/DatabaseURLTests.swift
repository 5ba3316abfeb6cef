import Foundation
import Testing

@testable import Storage

@Suite struct DatabaseURLTests {
    @Test func aFullURLIsReadAndShownWithoutItsPassword() throws {
        let url = try DatabaseURL("postgres://intake:pa%40ss-w0rd@db.example.jp:6543/docintake?sslmode=disable")
        #expect(url.user == "intake")
        #expect(url.password == "pa@ss-w0rd")
        #expect(url.host == "db.example.jp")
        #expect(url.port == 6543)
        #expect(url.database == "docintake")
        #expect(url.tlsMode == .disable)
        var dumped = ""
        dump(url, to: &dumped)
        for shown in [url.description, url.redacted, String(reflecting: url), "\(url)", dumped] {
            #expect(!shown.contains("pa@ss") && !shown.contains("pa%40ss"), "the password shows in \(shown)")
            #expect(shown.contains("db.example.jp:6543/docintake"))
        }
        #expect(url.redacted == "postgres://intake:***@db.example.jp:6543/docintake?sslmode=disable")
    }

    @Test func thePortAndTLSModeDefaultAsWithLibpq() throws {
        let url = try DatabaseURL("postgresql://intake@localhost/docintake")
        #expect(url.port == 5432)
        #expect(url.password == nil)
        #expect(url.tlsMode == .prefer)
        #expect(url.redacted == "postgres://intake@localhost:5432/docintake")
    }

    @Test(arguments: [
        ("mysql://u:secret@h/db", DatabaseURLError.scheme("mysql")),
        ("postgres://u:secret@/db", .missing("host")),
        ("postgres://h:5432/db", .missing("user")),
        ("postgres://u:secret@h:5432", .missing("database")),
        ("postgres://u:secret@h:5432/db?sslmode=verify-full", .sslMode("verify-full")),
        ("postgres://u:secret@h:5432/db?application=x", .parameter("application")),
        ("postgres://u:secret@h:99999/db", .port),
        ("postgres://u:secret@h:5432/db?connect_timeout=soon", .connectTimeout("soon")),
        ("postgres://u:secret@h:5432/db?connect_timeout=0", .connectTimeout("0")),
    ])
    func aBadURLSaysWhatIsWrongWithoutThePassword(text: String, expected: DatabaseURLError) throws {
        #expect(throws: expected) { try DatabaseURL(text) }
        #expect(!expected.description.contains("secret"))
        #expect(
            expected.description.contains("postgres://") || expected.description.contains("sslmode")
                || expected.description.contains("connect_timeout"))
    }

    @Test func connectTimeoutIsLibpqsSecondsAndKeptInTheRedactedForm() throws {
        let url = try DatabaseURL("postgres://u:secret@h:5432/db?sslmode=require&connect_timeout=45")
        #expect(url.connectTimeout == .seconds(45))
        #expect(url.redacted == "postgres://u:***@h:5432/db?sslmode=require&connect_timeout=45")
        #expect(try DatabaseURL("postgres://u:secret@h/db").connectTimeout == nil)
    }
}
