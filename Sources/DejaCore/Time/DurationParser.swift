import Foundation

/// Durations as users write them: `90s`, `15m`, `1h`, `7d`, `2w`.
public enum DurationParser {
    /// The duration in nanoseconds; nil when it is not a duration or is longer than the stored time range.
    public static func nanoseconds(_ text: String) -> Int64? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let seconds = units[unit], let value = Double(text.dropLast()) else { return nil }
        guard let nanoseconds = EventTime.from(value, unitNanoseconds: seconds * 1e9), nanoseconds <= EventTime.latest else { return nil }
        return nanoseconds
    }

    /// `1h` (that long ago) or an RFC 3339 time, as nanoseconds since the epoch; nil when it is
    /// neither or lies outside `EventTime`'s range. A duration reaching before 1970 means since 1970.
    public static func instant(_ text: String, now: Date = Date()) -> Int64? {
        if let ago = nanoseconds(text) { return max(EventTime.earliest, Int64(now.timeIntervalSince1970 * 1e9) - ago) }
        return TimestampParser.parseISO(text)
    }
}
