/// A fixed offset from UTC, as a user names the zone of a source whose lines carry none.
public enum ZoneOffset {
    /// Seconds east of UTC for `UTC`, `Z`, `+02:00`, `-0700` or `+05`; nil for anything else. Named
    /// zones with daylight saving (`Europe/Berlin`) are not accepted: one offset could not be right
    /// all year.
    public static func seconds(_ text: String) -> Int64? {
        if ["utc", "z", "gmt"].contains(text.lowercased()) { return 0 }
        let bytes = Array(text.utf8)
        guard let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let body = bytes.dropFirst()
        let digits: [UInt8]
        switch body.count {
        case 2, 4: digits = Array(body)
        case 5 where body[body.startIndex + 2] == UInt8(ascii: ":"): digits = Array(body.prefix(2) + body.suffix(2))
        default: return nil
        }
        guard digits.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        let number = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        let (hours, minutes) = digits.count == 2 ? (number, 0) : (number / 100, number % 100)
        // Offsets in use run from -12:00 to +14:00.
        guard hours <= 14, minutes < 60 else { return nil }
        let seconds = Int64(hours * 3_600 + minutes * 60)
        return sign == UInt8(ascii: "-") ? -seconds : seconds
    }
}
