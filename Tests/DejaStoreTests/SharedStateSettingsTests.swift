@testable import DejaStore
import Testing

@Suite struct SharedStateSettingsTests {
    @Test("a PostgreSQL URL gives host, port, user, database and TLS; logs show it without its password")
    func parsesURL() throws {
        let settings = try SharedStateSettings(url: "postgres://deja:s3cret@db.internal:6432/deja_state?sslmode=disable", replica: "deja-1")
        #expect(settings.configuration.host == "db.internal")
        #expect(settings.configuration.port == 6432)
        #expect(settings.configuration.username == "deja")
        #expect(settings.configuration.password == "s3cret")
        #expect(settings.configuration.database == "deja_state")
        #expect(settings.displayURL == "postgres://deja:***@db.internal:6432/deja_state?sslmode=disable")
        #expect(settings.replica == "deja-1")
        let defaults = try SharedStateSettings(url: "postgresql://deja@127.0.0.1/deja", replica: "r")
        #expect(defaults.configuration.port == 5432 && defaults.configuration.password == nil)
    }

    @Test("a URL Deja cannot use is refused with what is wrong in it")
    func refusesBadURLs() {
        let cases = [
            ("mysql://deja@db/deja", "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE"),
            ("postgres://db.internal/deja", "it names no user"),
            ("postgres://deja@db/deja?sslmode=sometimes", "sslmode 'sometimes' is not disable, prefer or require"),
        ]
        for (url, reason) in cases {
            #expect(throws: SharedStateError.self) { try SharedStateSettings(url: url, replica: "r") }
            do {
                _ = try SharedStateSettings(url: url, replica: "r")
            } catch {
                #expect("\(error)" == "--state '\(url)' is not a PostgreSQL URL Deja can use: \(reason)")
            }
        }
        #expect(throws: SharedStateError.self) { try SharedStateSettings(url: "postgres://deja@db/deja", replica: "") }
    }
}
