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
/// | `<num>` | any other number, also inside words: `blk_<num>`, `/orders/<num>` |
/// | `<id>` | letters mixed with two or more digits: `J12`, `node7b42` (`v1`, `http2`, `s3` stay); a word of three or more parts with digits (`R02-M1-N0-C:J12-U11`) |
/// | `<value>` | URL query values: `?user=<value>&page=<value>` |
///
/// Adjacent equal placeholders merge (`<time> <time>` → `<time>`); whitespace runs become one space.
/// Multi-line bodies that are stack traces are first reduced by `StackTraceReducer`.
public enum MessageNormalizer {
    /// The message of `body`.
    public static func normalize(_ body: String) -> String {
        if body.utf8.contains(10), let reduced = StackTraceReducer.reduce(body) {
            return maskWords(reduced)
        }
        return maskWords(body)
    }

    /// Masks every whitespace-separated word; newlines are kept as line breaks.
    public static func maskWords(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var out: [String] = []
            for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
                let masked = mask(word)
                if masked.hasPrefix("<"), out.last == masked { continue }
                out.append(masked)
            }
            if !out.isEmpty { lines.append(out.joined(separator: " ")) }
        }
        return lines.joined(separator: "\n")
    }

    /// One word: punctuation around it is kept, its core is classified, then its segments.
    static func mask(_ word: Substring) -> String {
        var core = word
        var leading = ""
        var trailing = ""
        while let c = core.first, Self.wrappers.contains(c) { leading.append(c); core = core.dropFirst() }
        while let c = core.last, Self.wrappers.contains(c) || c == "." || c == ":" { trailing.insert(c, at: trailing.startIndex); core = core.dropLast() }
        guard !core.isEmpty else { return String(word) }
        guard core.contains(where: \.isNumber) || core.contains("?") else { return String(word) }
        if let kind = classify(core) { return leading + kind + trailing }
        // Three or more parts with digits (`R02-M1-N0-C:J12-U11`), not a path: a location or id code as a whole.
        if !core.contains("/"), !core.contains("?"),
           core.split(whereSeparator: { segmentSeparators.contains($0) }).filter({ $0.contains(where: \.isNumber) }).count >= 3 {
            return leading + "<id>" + trailing
        }
        return leading + maskSegments(core) + trailing
    }

    /// The placeholder for a whole token, if it is one kind of value.
    static func classify(_ token: Substring) -> String? {
        let s = token
        if isUUID(s) { return "<uuid>" }
        if isIPv4(s) || isIPv6(s) { return "<ip>" }
        if isTimestamp(s) { return "<time>" }
        if let unitStart = s.firstIndex(where: { !($0.isASCII && ($0.isNumber || $0 == ".")) }), unitStart > s.startIndex,
           s[s.startIndex..<unitStart].first!.isNumber, s[s.startIndex..<unitStart].filter({ $0 == "." }).count <= 1 {
            let unit = s[unitStart...].lowercased()
            if durationUnits.contains(unit) { return "<duration>" }
            if sizeUnits.contains(unit) { return "<size>" }
        }
        if isHex(s) { return "<hex>" }
        if isNumber(s) { return "<num>" }
        // Letters and two or more digits mixed (`J12`, `ip10x4`, `sha256`): an id, not a word.
        if s.count >= 3, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), s.filter(\.isNumber).count >= 2,
           s.contains(where: \.isLetter) { return "<id>" }
        return nil
    }

    /// Masks the parts of a word between separators; query values become `<value>`.
    static func maskSegments(_ word: Substring) -> String {
        var result = ""
        if let question = word.firstIndex(of: "?"), word.contains("=") {
            result = maskSegments(word[word.startIndex..<question]) + "?"
            let pairs = word[word.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
            result += pairs.map { pair -> String in
                guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
                return pair[pair.startIndex..<equals] + "=<value>"
            }.joined(separator: "&")
            return result
        }
        var segment = Substring()
        var start = word.startIndex
        func flush(upTo end: Substring.Index) {
            segment = word[start..<end]
            if !segment.isEmpty { result += classify(segment) ?? String(segment) }
        }
        var index = word.startIndex
        while index < word.endIndex {
            let c = word[index]
            if Self.segmentSeparators.contains(c) || c == "." && !isNumberAround(word, index) {
                flush(upTo: index)
                result.append(c)
                start = word.index(after: index)
            }
            index = word.index(after: index)
        }
        flush(upTo: word.endIndex)
        return result
    }

    private static let wrappers: Set<Character> = ["(", ")", "[", "]", "{", "}", "\"", "'", ",", ";", "<", ">", "`"]
    private static let durationUnits: Set<String> = ["ns", "us", "µs", "ms", "s", "sec", "secs", "m", "min", "mins", "h", "hr", "hrs", "d", "seconds", "milliseconds"]
    private static let sizeUnits: Set<String> = ["b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "k", "bytes"]
    private static let segmentSeparators: Set<Character> = ["/", "_", "-", "=", ":", ",", "@", "#", "[", "]", "(", ")"]

    private static func isNumberAround(_ word: Substring, _ index: Substring.Index) -> Bool {
        guard index > word.startIndex, word.index(after: index) < word.endIndex else { return false }
        return word[word.index(before: index)].isNumber && word[word.index(after: index)].isNumber
    }

    static func isNumber(_ s: Substring) -> Bool {
        var body = s
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        guard let first = body.first, first.isASCII, first.isNumber else { return false }
        for c in body where c != "." {
            guard c.isASCII, c.isNumber else { return false }
        }
        return !body.hasSuffix(".")  // dotted runs too: `1.000.000`, versions `2.6.18`
    }

    static func isHex(_ s: Substring) -> Bool {
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            return s.count > 2 && s.dropFirst(2).allSatisfy(\.isHexDigit)
        }
        guard s.count >= 6, s.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return false }
        return s.contains(where: \.isNumber) && s.contains(where: \.isLetter)
    }

    static func isUUID(_ s: Substring) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
    }

    static func isIPv4(_ s: Substring) -> Bool {
        var address = s
        if let colon = address.lastIndex(of: ":"), address[address.index(after: colon)...].allSatisfy(\.isNumber) { address = address[..<colon] }
        if let slash = address.lastIndex(of: "/"), address[address.index(after: slash)...].allSatisfy(\.isNumber) { address = address[..<slash] }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } && Int($0)! <= 255 }
    }

    static func isIPv6(_ s: Substring) -> Bool {
        var address = s
        if address.first == "[", let close = address.firstIndex(of: "]") { address = address[address.index(after: address.startIndex)..<close] }
        let groups = address.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count >= 3, groups.count <= 8, address.contains(where: { $0.isLetter }) || address.contains("::") else { return false }
        return groups.allSatisfy { $0.count <= 4 && $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
    }

    /// `2024-03-14`, `2024/03/14`, `09:21:07`, `09:21:07,412`, `2024-03-14T09:21:07.412+02:00`, `20240314T092107Z`.
    static func isTimestamp(_ s: Substring) -> Bool {
        let allowed = Set("0123456789-/:.,TZ+")
        guard s.count >= 5, s.allSatisfy({ allowed.contains($0) }), s.first!.isNumber else { return false }
        let digits = s.filter(\.isNumber).count
        let colons = s.filter { $0 == ":" }.count
        let dashes = s.filter { $0 == "-" || $0 == "/" }.count
        return (colons >= 2 && digits >= 6) || (dashes == 2 && digits >= 6) || (s.contains("T") && digits >= 12)
    }
}
