import DejaCore
import Foundation
import Testing

@Suite struct DurationParserTests {
    @Test("durations in a unit, with a fraction, or in units one after another as Prometheus and Go write them", arguments: [
        ("90s", 90.0), ("15m", 900), ("1.5h", 5_400), ("7d", 604_800), ("2w", 1_209_600),
        ("1h30m", 5_400), ("2d12h", 216_000), ("500ms", 0.5), ("1m30s500ms", 90.5), ("1y", 31_536_000),
    ])
    func durations(text: String, seconds: Double) {
        #expect(DurationParser.nanoseconds(text) == Int64(seconds * 1e9))
    }

    @Test("what is no duration", arguments: ["", "h", "1h30", "10 m", "1x", "-1h", "1h-30m", "yesterday"])
    func notDurations(text: String) {
        #expect(DurationParser.nanoseconds(text) == nil)
    }

    @Test("an instant: a duration ago, RFC 3339, or a whole timestamp as log lines write them")
    func instants() throws {
        let now = Date(timeIntervalSince1970: 1_710_408_067)  // 2024-03-14T09:21:07Z
        #expect(DurationParser.instant("1h30m", now: now).map(RFC3339.string) == "2024-03-14T07:51:07Z")
        #expect(DurationParser.instant("2024-03-14T09:21:07+01:00", now: now).map(RFC3339.string) == "2024-03-14T08:21:07Z")
        #expect(DurationParser.instant("2024-03-14 09:21", now: now).map(RFC3339.string) == "2024-03-14T09:21:00Z")
        #expect(DurationParser.instant("Mar 14, 2024 @ 08:00:00.250", now: now).map(RFC3339.string) == "2024-03-14T08:00:00.25Z")
        #expect(DurationParser.instant("14/Mar/2024:09:00:00 +0200", now: now).map(RFC3339.string) == "2024-03-14T07:00:00Z")
        #expect(DurationParser.instant("Mar 14, 2024 @ 08:00:00.250 and some words", now: now) == nil)
        #expect(DurationParser.instant("yesterday", now: now) == nil)
    }
}
