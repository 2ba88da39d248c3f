/// Turns an event body into its message: variables masked with typed placeholders, so that one
/// statement logged with different values reads the same. Deterministic, word by word:
///
/// | placeholder | what |
/// |---|---|
/// | `<uuid>` | `8-4-4-4-12` hex |
/// | `<ip>` | IPv4 (with `:port` or `/bits`), IPv6 |
/// | `<time>` | dates and times: `2024-03-14`, `09:21:07,412`, `2024-03-14T09:21:07.412Z` |
/// | `<duration>` | a number with a time unit: `250ms`, `1.5s`, `3m` |
/// | `<size>` | a number with a size unit: `512KB`, `1.2GiB`, `100b` |
/// | `<hex>` | `0x1f`, and runs of 6+ hex digits mixing digits and letters (`7d9f8b`, git SHAs) |
/// | `<num>` | any other number, also inside words: `blk_<num>`, `/orders/<num>`, marked: `<num>%`, `$<num>`, `*<num>` |
/// | `<id>` | letters mixed with two or more digits: `J12`, `node7b42` (`v1`, `http2`, `s3` stay); a word of three or more parts with digits (`R02-M1-N0-C:J12-U11`) |
/// | `<value>` | URL query values: `?user=<value>&page=<value>` |
///
/// Adjacent equal placeholders merge (`<time> <time>` → `<time>`); whitespace runs become one space.
/// Multi-line bodies that are stack traces are first reduced by `StackTraceReducer`.
///
/// It runs once per ingested event, so it works on UTF-8 bytes: every byte it looks at is ASCII,
/// and other bytes only ever count as part of a word.
public enum MessageNormalizer {
    /// Every placeholder a message may hold.
    public static let placeholders = ["<uuid>", "<ip>", "<time>", "<duration>", "<size>", "<hex>", "<num>", "<id>", "<value>"]

    /// `message` with its typed placeholders as the miner's wildcard `<*>`: what the pattern stage
    /// mines, so that a template shows one kind of variable whatever its type. Bytes only: it runs
    /// on the ingest writer's thread.
    public static func wildcarded(_ message: String) -> String {
        replacingPlaceholders(in: message, with: wildcardBytes)
    }

    /// `message` with each typed placeholder replaced by `replacement`.
    static func replacingPlaceholders(in message: String, with replacement: [UInt8]) -> String {
        guard message.utf8.contains(UInt8(ascii: "<")) else { return message }
        let bytes = Array(message.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var at = 0
        while at < bytes.count {
            if bytes[at] == UInt8(ascii: "<"), let placeholder = placeholderBytes.first(where: { bytes[at...].starts(with: $0) }) {
                out.append(contentsOf: replacement)
                at += placeholder.count
            } else {
                out.append(bytes[at])
                at += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let placeholderBytes = placeholders.map { Array($0.utf8) }
    private static let wildcardBytes = Array(MessageTokenizer.wildcard.utf8)

    /// The message of `body`.
    public static func normalize(_ body: String) -> String {
        if body.utf8.contains(10), let reduced = StackTraceReducer.reduce(body) {
            return maskWords(reduced)
        }
        return maskWords(body)
    }

    /// Masks every whitespace-separated word; newlines are kept as line breaks.
    public static func maskWords(_ text: String) -> String {
        var text = text
        return text.withUTF8 { input in
            var out: [UInt8] = []
            out.reserveCapacity(input.count + 16)
            var lineStart = 0
            while lineStart < input.count {
                let lineEnd = input[lineStart...].firstIndex(of: 10) ?? input.count
                maskLine(Bytes(rebasing: input[lineStart..<lineEnd]), into: &out)
                lineStart = lineEnd + 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Appends the masked words of one line (after a newline when `out` has text already).
    private static func maskLine(_ line: Bytes, into out: inout [UInt8]) {
        let lineOutStart = out.count
        if !out.isEmpty { out.append(10) }
        let wordsStart = out.count
        var previous: Range<Int>? = nil
        var index = 0
        while index < line.count {
            while index < line.count, isSpace(line[index]) { index += 1 }
            guard index < line.count else { break }
            var end = index
            while end < line.count, !isSpace(line[end]) { end += 1 }
            let separatorAt = out.count
            if out.count > wordsStart { out.append(32) }
            let start = out.count
            mask(Bytes(rebasing: line[index..<end]), into: &out)
            // A placeholder equal to the word before it merges with it.
            if out[start] == UInt8(ascii: "<"), let previous, out[previous].elementsEqual(out[start...]) {
                out.removeSubrange(separatorAt...)
            } else {
                previous = start..<out.count
            }
            index = end
        }
        if out.count == wordsStart { out.removeSubrange(lineOutStart...) }  // no words: no line
    }

    /// One word: punctuation around it is kept, its core is classified, then its segments.
    static func mask(_ word: Bytes, into out: inout [UInt8]) {
        var lower = 0
        var upper = word.count
        while lower < upper, isWrapper(word[lower]) { lower += 1 }
        while upper > lower, isWrapper(word[upper - 1]) || word[upper - 1] == UInt8(ascii: ".") || word[upper - 1] == UInt8(ascii: ":") { upper -= 1 }
        let core = Bytes(rebasing: word[lower..<upper])
        guard !core.isEmpty, core.contains(where: isDigit) || core.contains(UInt8(ascii: "?")) else {
            out.append(contentsOf: word)
            return
        }
        out.append(contentsOf: word[0..<lower])
        if let kind = classify(core) {
            out.append(contentsOf: kind.utf8)
        } else if !core.contains(UInt8(ascii: "/")), !core.contains(UInt8(ascii: "?")), partsWithDigits(core) >= 3 {
            // Three or more parts with digits (`R02-M1-N0-C:J12-U11`), not a path: a location or id code as a whole.
            out.append(contentsOf: "<id>".utf8)
        } else {
            maskSegments(core, into: &out)
        }
        out.append(contentsOf: word[upper...])
    }

    /// The placeholder for a whole token, if it is one kind of value.
    static func classify(_ s: Bytes) -> String? {
        if isUUID(s) { return "<uuid>" }
        if isIPv4(s) || isIPv6(s) { return "<ip>" }
        if isTimestamp(s) { return "<time>" }
        if let unitStart = s.firstIndex(where: { !isDigit($0) && $0 != UInt8(ascii: ".") }), unitStart > 0, isDigit(s[0]),
           s[..<unitStart].count(where: { $0 == UInt8(ascii: ".") }) <= 1 {
            let unit = Bytes(rebasing: s[unitStart...])
            if durationUnits.contains(where: { equalsLowercased(unit, $0) }) { return "<duration>" }
            if sizeUnits.contains(where: { equalsLowercased(unit, $0) }) { return "<size>" }
        }
        if isHex(s) { return "<hex>" }
        if isNumber(s) { return "<num>" }
        // Letters and two or more digits mixed (`J12`, `ip10x4`, `sha256`): an id, not a word.
        if s.count >= 3, s.allSatisfy(isAlphanumeric), s.count(where: isDigit) >= 2, s.contains(where: isLetter) { return "<id>" }
        return nil
    }

    /// Masks the parts of a word between separators; query values become `<value>`.
    static func maskSegments(_ word: Bytes, into out: inout [UInt8]) {
        if let question = word.firstIndex(of: UInt8(ascii: "?")), word.contains(UInt8(ascii: "=")) {
            maskSegments(Bytes(rebasing: word[..<question]), into: &out)
            out.append(UInt8(ascii: "?"))
            var pairStart = question + 1
            while true {
                let pairEnd = word[pairStart...].firstIndex(of: UInt8(ascii: "&")) ?? word.count
                let pair = word[pairStart..<pairEnd]
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                    out.append(contentsOf: word[pairStart..<equals])
                    out.append(contentsOf: "=<value>".utf8)
                } else {
                    out.append(contentsOf: pair)
                }
                guard pairEnd < word.count else { break }
                out.append(UInt8(ascii: "&"))
                pairStart = pairEnd + 1
            }
            return
        }
        var start = 0
        func flush(upTo end: Int) {
            guard end > start else { return }
            let segment = Bytes(rebasing: word[start..<end])
            if let kind = classify(segment) { out.append(contentsOf: kind.utf8) } else { out.append(contentsOf: segment) }
        }
        for index in 0..<word.count {
            let c = word[index]
            if isSegmentSeparator(c) || c == UInt8(ascii: ".") && !isNumberAround(word, index) {
                flush(upTo: index)
                out.append(c)
                start = index + 1
            }
        }
        flush(upTo: word.count)
    }

    private static let durationUnits: [[UInt8]] = ["ns", "us", "µs", "μs", "ms", "s", "sec", "secs", "m", "min", "mins", "h", "hr", "hrs", "d", "seconds",
                                                   "milliseconds"].map { Array($0.utf8) }
    private static let sizeUnits: [[UInt8]] = ["b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "k", "bytes"].map { Array($0.utf8) }

    /// `text` equals the lower-case `unit` once ASCII letters are lower-cased.
    private static func equalsLowercased(_ text: Bytes, _ unit: [UInt8]) -> Bool {
        text.count == unit.count && zip(text, unit).allSatisfy { (isUpper($0) ? $0 | 0x20 : $0) == $1 }
    }

    private static func isWrapper(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "`"),
             // Marks on a number, not part of it: `91%`, `$45.20`, `~300ms`, nginx's connection `*7667`.
             UInt8(ascii: "%"), UInt8(ascii: "$"), UInt8(ascii: "~"), UInt8(ascii: "*"): return true
        default: return false
        }
    }

    private static func isSegmentSeparator(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: ","),
             UInt8(ascii: "@"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "("), UInt8(ascii: ")"): return true
        default: return false
        }
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 }
    static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    private static func isUpper(_ c: UInt8) -> Bool { c &- 65 < 26 }
    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 }
    private static func isAlphanumeric(_ c: UInt8) -> Bool { isDigit(c) || isLetter(c) }
    private static func isHexDigit(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20) &- 97 < 6 }

    /// How many parts between segment separators hold a digit.
    private static func partsWithDigits(_ word: Bytes) -> Int {
        var parts = 0
        var hasDigit = false
        for c in word {
            if isSegmentSeparator(c) {
                if hasDigit { parts += 1 }
                hasDigit = false
            } else if isDigit(c) {
                hasDigit = true
            }
        }
        return hasDigit ? parts + 1 : parts
    }

    private static func isNumberAround(_ word: Bytes, _ index: Int) -> Bool {
        index > 0 && index + 1 < word.count && isDigit(word[index - 1]) && isDigit(word[index + 1])
    }

    static func isNumber(_ s: Bytes) -> Bool {
        var body = s[...]
        if body.first == UInt8(ascii: "-") || body.first == UInt8(ascii: "+") { body = body.dropFirst() }
        guard let first = body.first, isDigit(first) else { return false }
        // Scientific notation: `1e-5`, `2.5E+10`.
        if let e = body.firstIndex(where: { $0 | 0x20 == UInt8(ascii: "e") }) {
            var exponent = body[body.index(after: e)...]
            if exponent.first == UInt8(ascii: "-") || exponent.first == UInt8(ascii: "+") { exponent = exponent.dropFirst() }
            guard !exponent.isEmpty, exponent.allSatisfy(isDigit) else { return false }
            body = body[..<e]
        }
        // Dotted runs too: `1.000.000`, versions `2.6.18`.
        return body.allSatisfy { isDigit($0) || $0 == UInt8(ascii: ".") } && body.last != UInt8(ascii: ".")
    }

    static func isHex(_ s: Bytes) -> Bool {
        if s.count > 2, s[0] == UInt8(ascii: "0"), s[1] | 0x20 == UInt8(ascii: "x") { return s[2...].allSatisfy(isHexDigit) }
        guard s.count >= 6, s.allSatisfy(isHexDigit) else { return false }
        return s.contains(where: isDigit) && s.contains(where: isLetter)
    }

    static func isUUID(_ s: Bytes) -> Bool {
        guard s.count == 36 else { return false }
        for (index, c) in s.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard c == UInt8(ascii: "-") else { return false }
            } else if !isHexDigit(c) {
                return false
            }
        }
        return true
    }

    static func isIPv4(_ s: Bytes) -> Bool {
        var address = s[...]
        if let colon = address.lastIndex(of: UInt8(ascii: ":")), address[(colon + 1)...].allSatisfy(isDigit) { address = address[..<colon] }
        if let slash = address.lastIndex(of: UInt8(ascii: "/")), address[(slash + 1)...].allSatisfy(isDigit) { address = address[..<slash] }
        var octets = 0
        var value = 0
        var length = 0
        for c in address {
            if c == UInt8(ascii: ".") {
                guard length > 0 else { return false }
                octets += 1
                value = 0
                length = 0
            } else {
                guard isDigit(c), length < 3 else { return false }
                value = value * 10 + Int(c - 48)
                length += 1
                guard value <= 255 else { return false }
            }
        }
        return octets == 3 && length > 0
    }

    static func isIPv6(_ s: Bytes) -> Bool {
        var address = s[...]
        if address.first == UInt8(ascii: "["), let close = address.firstIndex(of: UInt8(ascii: "]")) { address = address[(address.startIndex + 1)..<close] }
        let groups = address.count(where: { $0 == UInt8(ascii: ":") }) + 1
        guard groups >= 3, groups <= 8 else { return false }
        var hasLetter = false
        var doubleColon = false
        var length = 0
        var previous: UInt8 = 0
        for c in address {
            if c == UInt8(ascii: ":") {
                if previous == c { doubleColon = true }
                length = 0
            } else {
                guard isHexDigit(c), length < 4 else { return false }
                if isLetter(c) { hasLetter = true }
                length += 1
            }
            previous = c
        }
        return hasLetter || doubleColon
    }

    /// `2024-03-14`, `2024/03/14`, `09:21:07`, `09:21:07,412`, `2024-03-14T09:21:07.412+02:00`, `20240314T092107Z`.
    static func isTimestamp(_ s: Bytes) -> Bool {
        guard s.count >= 5, isDigit(s[0]) else { return false }
        var digits = 0, colons = 0, dashes = 0
        var hasT = false
        for c in s {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: ":"): colons += 1
            case UInt8(ascii: "-"), UInt8(ascii: "/"): dashes += 1
            case UInt8(ascii: "T"): hasT = true
            case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "Z"), UInt8(ascii: "+"): break
            default: return false
            }
        }
        return (colons >= 2 && digits >= 6) || (dashes == 2 && digits >= 6) || (hasT && digits >= 12)
    }
}
