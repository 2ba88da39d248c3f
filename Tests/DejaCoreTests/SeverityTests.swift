import DejaCore
import Testing

@Test("levels as loggers spell them map to one severity scale", arguments: [
    ("WARN", Severity.warning), ("warning", .warning), ("[ERROR]", .error), ("err", .error),
    ("E", .error), ("panic", .fatal), ("FATAL", .fatal), ("info:", .info), ("Informational", .info),
    ("dbg", .debug), ("TRACE", .trace), ("crit", .critical), ("3", .error), ("banana", .unknown), ("", .unknown),
])
func severityParsing(text: String, expected: Severity) {
    #expect(Severity(parsing: text) == expected)
}

@Test func severitiesOrderBySeriousness() {
    let ordered: [Severity] = [.trace, .debug, .info, .notice, .warning, .error, .critical, .fatal]
    #expect(ordered == ordered.sorted())
    #expect(Severity.unknown < .trace)
}
