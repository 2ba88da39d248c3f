import DejaCore
import Testing

@Suite struct RedactorTests {
    let redactor = try! Redactor()

    @Test("secrets are removed", arguments: [
        ("connecting to postgres://app:s3cr3t-pw@db-1:5432/orders", "connecting to postgres://app:<redacted>@db-1:5432/orders"),
        ("login failed password=hunter2 user=bob", "login failed password=<redacted> user=bob"),
        ("DB_PASSWORD=correct-horse ready", "DB_PASSWORD=<redacted> ready"),
        (#"{"user":"bob","password": "hunter2"}"#, #"{"user":"bob","password": "<redacted>"}"#),
        ("aws_secret_access_key: wJalrXUtnFEMI/K7MDENG", "aws_secret_access_key: <redacted>"),
        ("api_key=abcd1234efgh&page=2", "api_key=<redacted>&page=2"),
        ("Authorization: Bearer abcdef0123456789.xyz", "Authorization: Bearer <redacted>"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U used",
         "token <redacted> used"),
        ("key AKIAIOSFODNN7EXAMPLE leaked", "key <redacted> leaked"),
        ("charged card 4111 1111 1111 1111 ok", "charged card <redacted> ok"),
        ("charged card 5500-0000-0000-0004.", "charged card <redacted>."),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY----- after", "<redacted> after"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEow truncated", "<redacted>"),
    ])
    func positives(input: String, expected: String) {
        #expect(redactor.redact(input) == expected)
    }

    @Test("near misses are kept", arguments: [
        "password reset email sent to user 42",
        "passwordless login enabled",
        "token bucket refilled: tokens=5",
        "secret_santa=false",
        "order 4111111111111112 shipped",          // fails the Luhn check
        "trace id 1234567890123456789012345",      // too many digits for a card
        "GET https://example.com/path?q=1 200",    // a URL without credentials
        "build eyJust-a-word finished",
        "basic auth disabled",
        "at 2024-03-14 09:21:07,412 took 1234 ms",
    ])
    func negatives(input: String) {
        #expect(redactor.redact(input) == input)
    }

    @Test func rulesCanBeSwitchedOffAndExtended() throws {
        let custom = try Redactor(rules: [.urlPassword], extraPatterns: ["EMP-[0-9]{6}"])
        #expect(custom.redact("password=x employee EMP-123456") == "password=x employee <redacted>")
        #expect(throws: RedactorError.invalidPattern("([")) { try Redactor(extraPatterns: ["(["]) }
    }
}
