import Foundation

/// Durations as users write them: `90s`, `15m`, `1h`, `7d`, `2w`.
public enum DurationParser {
    public static func nanoseconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let seconds = units[unit], let value = Double(text.dropLast()), value >= 0 else { return nil }
        return Int64(value * Double(seconds) * 1e9)
    }

    /// `1h` (that long ago) or an RFC 3339 time, as nanoseconds since the epoch.
    public static func instant(_ text: String, now: Date = Date()) -> Int64? {
        if let ago = nanoseconds(text) { return Int64(now.timeIntervalSince1970 * 1e9) - ago }
        return TimestampParser.parseISO(text)
    }
}
