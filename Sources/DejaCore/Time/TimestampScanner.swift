/// Finds the timestamp a plain log line starts with, whatever its notation: a grammar of dates
/// (`2024-03-14`, `2024/03/14`, `2024.03.14`, `24/03/14`, `240314`, `20240314`, `03-14`, `03.14`,
/// `14/Mar/2024`, `14-Mar-2024`, `14 Mar 2024`, `Mar 14`, `Mar 14, 2024` (also Kibana's `Mar 14, 2024 @`),
/// `Thu Mar 14 … 2024`,
/// `Thu, 14 Mar 2024`), times (`09:21:07`, `09.21.07`, `092107`, with `.`, `,` or `:` fractions,
/// `9:21:07 PM`), zones (`Z`, `+02:00`, `-0700`, `UTC`), and epoch seconds or milliseconds, tried at
/// the first few token starts of the line; a time of day alone only as the line's first token
/// (logback's default `HH:mm:ss.SSS [thread]`). Bytes only: it runs on every ingested line.
///
/// A year-less date takes the latest year that does not put it more than two days after
/// `reference` (logs are read after they are written; a December line read in January is last
/// year's); a time without a date, the latest day that does not put it more than an hour after
/// `reference`; a zone-less time is read at `zoneOffset` seconds east of UTC.
public struct TimestampScanner: Sendable {
    /// Nanoseconds since the epoch that year-less dates are placed near (usually the receive time).
    public var reference: Int64
    /// Seconds east of UTC for times that name no zone.
    public var zoneOffset: Int64 = 0
    /// Token starts tried: a timestamp further into the line is part of the message.
    public var maxTokens = 8

    public init(reference: Int64 = EventTime.now(), zoneOffset: Int64 = 0) {
        self.reference = reference
        self.zoneOffset = zoneOffset
    }

    /// A timestamp found in a line.
    public struct Found: Sendable, Equatable {
        public var nanoseconds: Int64
        /// Bytes of the line it spans.
        public var range: Range<Int>
        /// Which notation it was written in, e.g. `yyyy-MM-dd HH:mm:ss` or `epoch`.
        public var shape: String
    }

    /// The first timestamp with a date and a time (or an epoch) among the first `maxTokens` token
    /// starts, and the end of the header it belongs to: further timestamps and bare dates that follow
    /// within a few tokens (a line may carry an epoch, a date and a local time) are part of it.
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (found: Found, headerEnd: Int)? {
        let limit = min(bytes.count, 160)
        var tokens = 0
        var position = 0
        while position < limit {
            // At a token start: the line's start, or after a space, a bracket, a quote or a comma.
            guard position == 0 || Self.isBoundary(bytes[position - 1]), !Self.isBoundary(bytes[position]) else {
                position += 1
                continue
            }
            tokens += 1
            if tokens > maxTokens { return nil }
            if let match = match(bytes, at: position, limit: limit) ?? (tokens == 1 ? timeOfDay(bytes, at: position, limit: limit) : nil) {
                if match.complete { return (match.found, headerEnd(bytes, after: match.found.range.upperBound, limit: limit)) }
                position = match.found.range.upperBound
                continue
            }
            position += 1
        }
        return nil
    }

    /// The timestamp at byte `start` if it is written in `shape`, and the end of its header: how a
    /// stream whose layout is known reads its next line without searching.
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, shape: String) -> (found: Found, headerEnd: Int)? {
        let limit = min(bytes.count, 160)
        guard start < limit, start == 0 || Self.isBoundary(bytes[start - 1]),
              let match = shape == Self.timeOfDayShape ? timeOfDay(bytes, at: start, limit: limit) : match(bytes, at: start, limit: limit),
              match.complete, match.found.shape == shape else { return nil }
        return (match.found, headerEnd(bytes, after: match.found.range.upperBound, limit: limit))
    }

    /// Past the timestamp, only tokens like node or host ids (holding a digit, or capitals such as
    /// `UNKNOWN_LOCATION`, but not a level) may stand between it and another one of the same header
    /// (`- 1117838570 2005.06.03 R02-M1 2005-06-03-15.42.50`); the header ends after the last.
    private func headerEnd(_ bytes: UnsafeBufferPointer<UInt8>, after end: Int, limit: Int) -> Int {
        var headerEnd = end
        var position = end
        while position < limit {
            guard Self.isBoundary(bytes[position - 1]), !Self.isBoundary(bytes[position]) else {
                position += 1
                continue
            }
            if let match = match(bytes, at: position, limit: limit) {
                headerEnd = max(headerEnd, match.found.range.upperBound)
                position = match.found.range.upperBound
                continue
            }
            var tokenEnd = position
            var digit = false
            var lower = false
            while tokenEnd < limit, !Self.isBoundary(bytes[tokenEnd]) {
                digit = digit || bytes[tokenEnd] &- 48 < 10
                lower = lower || bytes[tokenEnd] &- 97 < 26
                tokenEnd += 1
            }
            let identifier = digit || (!lower && LevelLexicon.level(ofToken: bytes[position..<tokenEnd]) == nil)
            if !identifier { break }
            position = tokenEnd
        }
        return headerEnd
    }

    /// A month and day with a time (`HH:mm:ss.ffffff`, klog's header), placed in a year as other
    /// year-less dates are.
    public func timestamp(month: Int, day: Int, time text: Substring) -> Int64? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes, limit: bytes.count, at: 0)
            guard let time = time(&reader), reader.at == bytes.count else { return nil }
            return place(year: nil, month: month, day: day, time: time)
        }
    }

    /// The time `text` starts with, as `scan` finds it.
    public func timestamp(in text: String) -> Int64? {
        var text = text
        return text.withUTF8 { scan($0)?.found.nanoseconds }
    }

    static func isBoundary(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ",")
    }

    // MARK: The grammar

    private struct Match {
        var found: Found
        /// A date and a time, or an epoch; a bare date only extends a header.
        var complete: Bool
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let limit: Int
        var at: Int

        func peek(_ offset: Int = 0) -> UInt8? { at + offset < limit ? bytes[at + offset] : nil }

        /// A run of `count` digits (exactly), as a number.
        mutating func digits(_ count: Int) -> Int? {
            guard at + count <= limit else { return nil }
            var value = 0
            for index in at..<at + count {
                let digit = bytes[index] &- 48
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            if at + count < limit, bytes[at + count] &- 48 < 10 { return nil }
            at += count
            return value
        }

        /// One or two digits.
        mutating func shortNumber() -> Int? {
            guard let first = peek(), first &- 48 < 10 else { return nil }
            if let second = peek(1), second &- 48 < 10 { return digits(2) }
            return digits(1)
        }

        mutating func byte(_ allowed: (UInt8) -> Bool) -> UInt8? {
            guard let byte = peek(), allowed(byte) else { return nil }
            at += 1
            return byte
        }

        mutating func spaces() -> Int {
            var count = 0
            while peek() == 32 { at += 1; count += 1 }
            return count
        }

        /// A month name (`Jan`, `january`), as 1...12.
        mutating func monthName() -> Int? {
            guard at + 3 <= limit, let month = TimestampParser.monthNumber(bytes: bytes[at..<at + 3]) else { return nil }
            at += 3
            while let byte = peek(), (byte | 0x20) &- 97 < 26 { at += 1 }  // the rest of a full name
            return month
        }
    }

    private func match(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int) -> Match? {
        let first = bytes[start]
        if first &- 48 < 10 { return numericDate(bytes, at: start, limit: limit) ?? epoch(bytes, at: start, limit: limit) }
        if (first | 0x20) &- 97 < 26 { return namedMonth(bytes, at: start, limit: limit) }
        return nil
    }

    /// Dates that start with digits, then a time.
    private func numericDate(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int) -> Match? {
        var reader = Reader(bytes: bytes, limit: limit, at: start)
        let isSeparator = { (byte: UInt8) in byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".") }
        var year: Int?
        let month: Int
        let day: Int
        var shape: String
        if let value = reader.digits(4) {  // yyyy-MM-dd, yyyy/MM/dd, yyyy.MM.dd
            guard let separator = reader.byte(isSeparator), let m = reader.digits(2), reader.byte({ $0 == separator }) != nil,
                  let d = reader.digits(2) else { return nil }
            (year, month, day, shape) = (value, m, d, "yyyy\(Character(UnicodeScalar(separator)))MM\(Character(UnicodeScalar(separator)))dd")
        } else if let value = reader.digits(8) {  // yyyyMMdd
            (year, month, day, shape) = (value / 10_000, value / 100 % 100, value % 100, "yyyyMMdd")
        } else if let value = reader.digits(6) {  // yyMMdd HHmmss
            guard reader.spaces() > 0, let time = reader.digits(6) else { return nil }
            let found = assemble(year: 2000 + value / 10_000, month: value / 100 % 100, day: value % 100,
                                 hour: time / 10_000, minute: time / 100 % 100, second: time % 100, nanos: 0, offset: nil)
            return found.map { Match(found: Found(nanoseconds: $0, range: start..<reader.at, shape: "yyMMdd HHmmss"), complete: true) }
        } else if let a = reader.digits(2) {
            if let separator = reader.peek(), separator == UInt8(ascii: "/") || separator == UInt8(ascii: "-") || separator == 32,
               let letter = reader.peek(1), (letter | 0x20) &- 97 < 26 {
                // dd/MMM/yyyy:HH:mm:ss (access logs), dd-MMM-yyyy (Tomcat), dd MMM yyyy (Redis, RFC 1123)
                reader.at += 1
                guard let monthName = reader.monthName(), reader.byte({ $0 == separator }) != nil, let y = reader.digits(4) else { return nil }
                let mark = Character(UnicodeScalar(separator))
                (year, month, day, shape) = (y, monthName, a, "dd\(mark)MMM\(mark)yyyy")
            } else {
                guard let separator = reader.byte(isSeparator), let b = reader.digits(2) else { return nil }
                if reader.peek() == separator, let second = reader.peek(1), second &- 48 < 10 {  // yy/MM/dd
                    reader.at += 1
                    guard let c = reader.digits(2) else { return nil }
                    (year, month, day, shape) = (2000 + a, b, c, "yy/MM/dd")
                } else {  // MM-dd, MM.dd
                    (month, day, shape) = (a, b, "MM-dd")
                }
            }
        } else {
            return nil
        }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let dateEnd = reader.at
        // The date/time separator: T, space(s), `-` (BGL), `_`, `:` (access logs), `, `.
        if let next = reader.peek(), next == UInt8(ascii: "T") || next == UInt8(ascii: "-") || next == UInt8(ascii: "_") || next == UInt8(ascii: ":") {
            reader.at += 1
        } else if reader.peek() == UInt8(ascii: ","), reader.peek(1) == 32 {  // `2024-03-14, 09:21:07` (Airflow)
            reader.at += 1
            _ = reader.spaces()
        } else if reader.spaces() == 0 {
            return year.map { dateOnly(year: $0, month: month, day: day, range: start..<dateEnd, shape: shape) } ?? nil
        }
        guard let time = self.time(&reader) else {
            return year.map { dateOnly(year: $0, month: month, day: day, range: start..<dateEnd, shape: shape) } ?? nil
        }
        guard let nanoseconds = place(year: year, month: month, day: day, time: time) else { return nil }
        return Match(found: Found(nanoseconds: nanoseconds, range: start..<reader.at, shape: shape + " HH:mm:ss"), complete: true)
    }

    private func dateOnly(year: Int, month: Int, day: Int, range: Range<Int>, shape: String) -> Match? {
        assemble(year: year, month: month, day: day, hour: 0, minute: 0, second: 0, nanos: 0, offset: nil)
            .map { Match(found: Found(nanoseconds: $0, range: range, shape: shape), complete: false) }
    }

    /// `Mar 14 09:21:07`, `Thu Mar 14 09:21:07 2024`, `March 14, 2024 09:21:07`.
    private func namedMonth(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int) -> Match? {
        var reader = Reader(bytes: bytes, limit: limit, at: start)
        var shape = "MMM dd HH:mm:ss"
        // A weekday first (`Thu Mar 14 …`): its name, an optional comma, spaces, then the month.
        if start + 3 <= limit, TimestampParser.monthNumber(bytes: bytes[start..<start + 3]) == nil {
            guard Self.isWeekday(bytes[start..<start + 3]) else { return nil }
            reader.at += 3
            while let byte = reader.peek(), (byte | 0x20) &- 97 < 26 { reader.at += 1 }
            _ = reader.byte { $0 == UInt8(ascii: ",") }
            guard reader.spaces() > 0 else { return nil }
            // `Thu, 14 Mar 2024 09:21:07 GMT` (RFC 1123, HTTP dates)
            if let digit = reader.peek(), digit &- 48 < 10 {
                guard var dated = numericDate(bytes, at: reader.at, limit: limit), dated.complete else { return nil }
                dated.found.range = start..<dated.found.range.upperBound
                dated.found.shape = "EEE, " + dated.found.shape
                return dated
            }
            shape = "EEE MMM dd HH:mm:ss yyyy"
        }
        guard let month = reader.monthName(), reader.spaces() > 0, let day = reader.shortNumber(), (1...31).contains(day) else { return nil }
        var year: Int?
        if reader.byte({ $0 == UInt8(ascii: ",") }) != nil {  // `Mar 14, 2024` (java.util.logging)
            guard reader.spaces() > 0, let y = reader.digits(4) else { return nil }
            year = y
            shape = "MMM dd, yyyy HH:mm:ss"
            // Kibana's default date format, `Mar 14, 2024 @ 09:21:07.412` (Discover, its CSV reports).
            if reader.peek() == 32, reader.peek(1) == UInt8(ascii: "@") {
                reader.at += 2
                shape = "MMM dd, yyyy @ HH:mm:ss"
            }
        }
        guard reader.spaces() > 0, var time = self.time(&reader) else { return nil }
        // A year after the time (`Thu Mar 14 09:21:07 2024`, Apache's error log).
        let beforeYear = reader.at
        if year == nil, reader.spaces() > 0, let y = reader.digits(4), (1970...2199).contains(y) {
            year = y
            if time.offset == nil { time.offset = zone(&reader) }
        } else {
            reader.at = beforeYear
        }
        guard let nanoseconds = place(year: year, month: month, day: day, time: time) else { return nil }
        return Match(found: Found(nanoseconds: nanoseconds, range: start..<reader.at, shape: shape), complete: true)
    }

    private static func isWeekday(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let key = name.reduce(UInt32(0)) { ($0 << 8) | UInt32($1 | 0x20) }
        return weekdayKeys.contains(key)
    }

    private static let weekdayKeys: Set<UInt32> = Set(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { name in
        name.utf8.reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
    })

    /// Epoch seconds (10 digits) or milliseconds (13), a token of its own, from 2000 to 2100.
    private func epoch(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int) -> Match? {
        var reader = Reader(bytes: bytes, limit: limit, at: start)
        let nanoseconds: Int64
        if let seconds = reader.digits(10) {
            guard (946_684_800..<4_102_444_800).contains(seconds) else { return nil }
            var nanos = 0
            if reader.peek() == UInt8(ascii: "."), let digit = reader.peek(1), digit &- 48 < 10 {
                reader.at += 1
                nanos = fraction(&reader)
            }
            nanoseconds = Int64(seconds) * 1_000_000_000 + Int64(nanos)
        } else if let millis = reader.digits(13) {
            guard (946_684_800_000..<4_102_444_800_000).contains(millis) else { return nil }
            nanoseconds = Int64(millis) * 1_000_000
        } else {
            return nil
        }
        // A token of its own: followed by a space, the end, or a closing bracket.
        if let next = reader.peek(), next != 32, next != 9, next != UInt8(ascii: "]"), next != UInt8(ascii: ",") { return nil }
        return Match(found: Found(nanoseconds: nanoseconds, range: start..<reader.at, shape: "epoch"), complete: true)
    }

    /// The notation of a time of day without a date.
    static let timeOfDayShape = "HH:mm:ss"

    /// `09:21:07.412` without a date, the line's first token: placed on the latest day that does
    /// not put it more than an hour after `reference`.
    private func timeOfDay(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int) -> Match? {
        var reader = Reader(bytes: bytes, limit: limit, at: start)
        guard start <= 1, reader.peek(2) == UInt8(ascii: ":"), let time = time(&reader) else { return nil }
        if let next = reader.peek(), next != 32, next != 9, next != UInt8(ascii: "]") { return nil }
        let local = Int64(time.hour * 3_600 + time.minute * 60 + time.second) - (time.offset ?? zoneOffset)
        let referenceSeconds = reference / 1_000_000_000
        let zoned = referenceSeconds + (time.offset ?? zoneOffset)
        var day = zoned >= 0 ? zoned / 86_400 : (zoned - 86_399) / 86_400
        if day * 86_400 + local > referenceSeconds + 3_600 { day -= 1 }
        guard let nanoseconds = EventTime.checked((day * 86_400 + local) * 1_000_000_000 + Int64(time.nanos)) else { return nil }
        return Match(found: Found(nanoseconds: nanoseconds, range: start..<reader.at, shape: Self.timeOfDayShape), complete: true)
    }

    // MARK: Times and zones

    private struct Time {
        var hour: Int
        var minute: Int
        var second: Int
        var nanos: Int
        var offset: Int64?
    }

    /// `HH:mm:ss`, `HH.mm.ss` or `HHmmss`, with a fraction after `.`, `,` or `:`, and a zone.
    private func time(_ reader: inout Reader) -> Time? {
        let start = reader.at
        var hour: Int, minute: Int, second: Int
        if let h = reader.digits(2) {
            guard let separator = reader.byte({ $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }), let m = reader.digits(2),
                  reader.byte({ $0 == separator }) != nil, let s = reader.digits(2) else { reader.at = start; return nil }
            (hour, minute, second) = (h, m, s)
        } else if let hhmmss = reader.digits(6) {
            (hour, minute, second) = (hhmmss / 10_000, hhmmss / 100 % 100, hhmmss % 100)
        } else if let h = reader.digits(1), reader.byte({ $0 == UInt8(ascii: ":") }) != nil, let m = reader.digits(2),
                  reader.byte({ $0 == UInt8(ascii: ":") }) != nil, let s = reader.digits(2) {
            (hour, minute, second) = (h, m, s)  // `9:21:07`
        } else {
            reader.at = start
            return nil
        }
        guard hour < 24, minute < 60, second <= 60 else { reader.at = start; return nil }
        var nanos = 0
        if let mark = reader.peek(), mark == UInt8(ascii: ".") || mark == UInt8(ascii: ",") || mark == UInt8(ascii: ":"),
           let digit = reader.peek(1), digit &- 48 < 10 {
            reader.at += 1
            nanos = fraction(&reader)
        }
        // A 12-hour clock's ` AM` / ` PM` (java.util.logging's default, .NET's en-US times).
        if (1...12).contains(hour), reader.peek() == 32, let half = reader.peek(1), half == UInt8(ascii: "A") || half == UInt8(ascii: "P"),
           reader.peek(2) == UInt8(ascii: "M"), reader.peek(3).map({ ($0 | 0x20) &- 97 >= 26 }) ?? true {
            reader.at += 3
            hour = hour % 12 + (half == UInt8(ascii: "P") ? 12 : 0)
        }
        return Time(hour: hour, minute: minute, second: second, nanos: nanos, offset: zone(&reader))
    }

    /// Up to nine digits of a second's fraction, as nanoseconds (further digits are read and dropped).
    private func fraction(_ reader: inout Reader) -> Int {
        var nanos = 0
        var scale = 100_000_000
        while let digit = reader.peek(), digit &- 48 < 10 {
            nanos += Int(digit - 48) * scale
            scale /= 10
            reader.at += 1
        }
        return nanos
    }

    /// `Z`, `+02:00`, `-0700`, ` +0200`, ` UTC`, ` GMT`: seconds east of UTC, or nil when none is named.
    private func zone(_ reader: inout Reader) -> Int64? {
        let start = reader.at
        if reader.peek() == UInt8(ascii: "Z") {
            if let next = reader.peek(1), (next | 0x20) &- 97 < 26 { return nil }
            reader.at += 1
            return 0
        }
        _ = reader.spaces()
        if let sign = reader.byte({ $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }),
           let (hours, minutes) = reader.digits(4).map({ ($0 / 100, $0 % 100) }) ?? reader.digits(2).map({ hours in
               (hours, reader.byte({ $0 == UInt8(ascii: ":") }) != nil ? reader.digits(2) ?? 0 : 0)
           }) {
            guard hours < 24, minutes < 60 else { reader.at = start; return nil }
            let offset = Int64(hours * 3_600 + minutes * 60)
            return sign == UInt8(ascii: "+") ? offset : -offset
        }
        for name in [Self.utc, Self.gmt] where reader.at + 3 <= reader.limit
            && reader.bytes[reader.at] == name[0] && reader.bytes[reader.at + 1] == name[1] && reader.bytes[reader.at + 2] == name[2]
            && (reader.peek(3).map { ($0 | 0x20) &- 97 >= 26 } ?? true) {
            reader.at += 3
            return 0
        }
        reader.at = start
        return nil
    }

    private static let utc = Array("UTC".utf8)
    private static let gmt = Array("GMT".utf8)

    // MARK: Assembly

    /// The time in range, with a year-less date in the latest year that is not past `reference`
    /// by more than two days (clock skew between the writer and the reader).
    private func place(year: Int?, month: Int, day: Int, time: Time) -> Int64? {
        if let year {
            return assemble(year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second,
                            nanos: time.nanos, offset: time.offset)
        }
        let referenceYear = 1970 + Int(reference / 31_556_952_000_000_000)
        let candidates = (referenceYear - 1...referenceYear + 1).compactMap { year in
            assemble(year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second, nanos: time.nanos,
                     offset: time.offset)
        }
        return candidates.last { $0 <= reference + 2 * 86_400_000_000_000 } ?? candidates.first
    }

    private func assemble(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanos: Int, offset: Int64?) -> Int64? {
        guard (1970...2199).contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else {
            return nil
        }
        let seconds = TimestampParser.daysFromCivil(year, month, day) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
            - (offset ?? zoneOffset)
        return EventTime.checked(seconds * 1_000_000_000 + Int64(nanos))
    }
}
