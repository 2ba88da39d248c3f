/// Reads the timestamps logs write, without Foundation's date formatters (which are slow per line).
public enum TimestampParser {
    /// Nanoseconds since the epoch for ISO 8601 / RFC 3339 (`2024-03-14T09:21:07.412Z`,
    /// `2024-03-14 09:21:07,412`, `2024/03/14 09:21:07`, offsets `+02:00`), or nil. No zone means UTC.
    /// Times outside `EventTime`'s range are nil.
    public static func parseISO(_ text: some StringProtocol) -> Int64? {
        let b = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<(start + count) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        // A year past the range is refused before any arithmetic; the exact bounds are checked at the end.
        guard b.count >= 10, let year = number(0, 4), (1969...2200).contains(year), b[4] == b[7], b[4] == 45 || b[4] == 47,
              let month = number(5, 2), let day = number(8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = daysFromCivil(year, month, day) * 86_400
        var nanos: Int64 = 0
        var i = 10
        if i < b.count, b[i] == 84 || b[i] == 32 || b[i] == 116 {  // T, space, t
            guard let hour = number(i + 1, 2), b.count > i + 3, b[i + 3] == 58, let minute = number(i + 4, 2) else {
                return EventTime.checked(seconds * 1_000_000_000)
            }
            seconds += Int64(hour * 3600 + minute * 60)
            i += 6
            if i < b.count, b[i] == 58, let second = number(i + 1, 2) {
                seconds += Int64(second)
                i += 3
                if i < b.count, b[i] == 46 || b[i] == 44 {  // . or ,
                    i += 1
                    var scale: Int64 = 100_000_000
                    while i < b.count, b[i] >= 48 && b[i] <= 57 {
                        nanos += Int64(b[i] - 48) * scale
                        scale /= 10
                        i += 1
                    }
                }
            }
            if i < b.count {
                if b[i] == 90 || b[i] == 122 { i += 1 }  // Z
                else if b[i] == 43 || b[i] == 45, let oh = number(i + 1, 2) {  // +hh:mm, -hhmm
                    let om = (i + 3 < b.count && b[i + 3] == 58) ? number(i + 4, 2) ?? 0 : number(i + 3, 2) ?? 0
                    let offset = Int64(oh * 3600 + om * 60)
                    seconds += b[i] == 43 ? -offset : offset
                }
            }
        }
        return EventTime.checked(seconds * 1_000_000_000 + nanos)
    }

    /// Seconds or milliseconds (or finer) since the epoch, as JSON loggers write them, told apart by
    /// magnitude; nil outside `EventTime`'s range.
    public static func parseEpoch(_ value: Double) -> Int64? {
        guard value.isFinite, value > 0 else { return nil }
        switch value {
        case ..<1e11: return exact(value, unit: 1_000_000_000)   // seconds
        case ..<1e14: return exact(value, unit: 1_000_000)       // milliseconds
        case ..<1e17: return EventTime.from(value, unitNanoseconds: 1e3)   // microseconds
        default: return EventTime.from(value, unitNanoseconds: 1)          // nanoseconds
        }
    }

    /// Whole units times `unit` in integers, the fraction to the microsecond: a double holds epoch
    /// seconds to about 0.2 µs, and their product with 1e9 would not hold `1717999262123` ms exactly.
    private static func exact(_ value: Double, unit: Int64) -> Int64? {
        let whole = value.rounded(.down)
        let micros = ((value - whole) * Double(unit / 1_000)).rounded()
        let (scaled, overflow) = Int64(whole).multipliedReportingOverflow(by: unit)
        return overflow ? nil : EventTime.checked(scaled + Int64(micros) * 1_000)
    }

    static func monthNumber(_ name: some StringProtocol) -> Int? {
        monthNumber(bytes: name.utf8)
    }

    /// 1...12 for a month name's first three letters, any case.
    static func monthNumber(bytes name: some Sequence<UInt8>) -> Int? {
        // Bytes, case folded: syslog lines are checked for a month on every ingest.
        var bytes = name.makeIterator()
        guard let a = bytes.next(), let b = bytes.next(), let c = bytes.next() else { return nil }
        let key = (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20)
        return monthKeys.firstIndex(of: key).map { $0 + 1 }
    }

    private static let monthKeys: [UInt32] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map { name in
        name.utf8.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146_097 + doe - 719_468)
    }
}
