import Foundation

/// Durations as users write them: `90s`, `15m`, `1h`, `7d`, `2w`, `1.5h`, and as Prometheus and Go
/// write them, units one after another (`1h30m`, `2d12h`, `500ms`, `1y`).
public enum DurationParser {
    private static let unitSeconds: [String: Double] = ["ms": 0.001, "s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800, "y": 31_536_000]

    /// The duration in nanoseconds; nil when it is not a duration or is longer than the stored time range.
    public static func nanoseconds(_ text: String) -> Int64? {
        var seconds = 0.0
        var rest = Substring(text)
        repeat {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            guard let scale = unitSeconds[String(unit)] else { return nil }
            rest = rest.dropFirst(unit.count)
            seconds += value * scale
        } while !rest.isEmpty
        guard let nanoseconds = EventTime.from(seconds, unitNanoseconds: 1e9), nanoseconds <= EventTime.latest else { return nil }
        return nanoseconds
    }

    /// `1h` (that long ago) or a time (RFC 3339, or any notation a log line's timestamp is read in,
    /// such as `2024-03-14 09:21` or Kibana's `Mar 14, 2024 @ 09:21:07.412`; UTC unless it names a
    /// zone), as nanoseconds since the epoch; nil when it is neither or lies outside `EventTime`'s
    /// range. A duration reaching before 1970 means since 1970.
    public static func instant(_ text: String, now: Date = Date()) -> Int64? {
        let nowNanoseconds = Int64(now.timeIntervalSince1970 * 1e9)
        if let ago = nanoseconds(text) { return max(EventTime.earliest, nowNanoseconds - ago) }
        if let time = TimestampParser.parseISO(text) { return time }
        // The whole text one timestamp, not a time followed by words.
        var text = text.trimmingCharacters(in: .whitespaces)
        let scanner = TimestampScanner(reference: nowNanoseconds)
        return text.withUTF8 { bytes in
            guard let found = scanner.scan(bytes)?.found, found.range == 0..<bytes.count else { return nil }
            return found.nanoseconds
        }
    }
}
