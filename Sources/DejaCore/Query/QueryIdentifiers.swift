/// The tokens of a query that a person pastes to find one thing: a number of four or more digits
/// (a PID, port or order number), a UUID, a hex string, a request, trace or session id, an IPv4 or
/// MAC address, an email, a pod or host name (a full one too). Search ranks events holding such a
/// token exactly before semantic neighbours, whatever else the query says: that is what keyword
/// tools do well, and Deja must not be worse at it.
///
/// Words that merely contain digits are not identifiers: dates, years and times (`31.06.2024`,
/// `2024`, `12:30:45`), versions (`1.2.3`, `TLSv1.2`), durations and sizes (`1500ms`, `512MB`),
/// and names with a short number (`sha256`, `utf-8`, `log4j`, `http2`).
public enum QueryIdentifiers {
    /// The identifiers in `query`, lower-cased, each once, in order.
    public static func of(_ query: String) -> [String] {
        var seen = Set<String>()
        let pasted = !isLookup(query)
        let codes = pasted ? failureCodes(in: query) : []
        return tokens(of: query).filter {
            isIdentifier($0) && !(pasted && (codes.contains($0) || isFailureCode($0))) && seen.insert($0).inserted
        }
    }

    /// A query of at most this many words is a lookup (`order 48213`, `SQLSTATE 23505`); a longer
    /// one is a pasted line or trace, whose other words are the search.
    public static let lookupWords = 6

    /// Whether `query` is short enough to be a lookup.
    public static func isLookup(_ query: String) -> Bool {
        query.split(whereSeparator: \.isWhitespace).count <= lookupWords
    }

    /// In a pasted line, the numbers its own failure has as its code, as the taxonomy's source for
    /// a condition the line names says (`1213` in MySQL's `(1213, 'Deadlock found ...')`, `23505`
    /// after Npgsql's `PostgresException`): they say what failed, not which thing failed, and looked
    /// up exactly they find every unrelated number alike first (a Spark task id 1213).
    static func failureCodes(in query: String) -> Set<String> {
        var codes = Set<String>()
        for match in FailureTaxonomy.matches(in: query) {
            for number in match.source.split(whereSeparator: { !$0.isASCII || !$0.isNumber }) where number.count >= 4 {
                codes.insert(String(number))
            }
        }
        return codes
    }

    /// A Windows HRESULT or NTSTATUS failure (`0x80004005`, `0xC0000005`): eight hex digits with the
    /// severity bit set, a code shared by every failure of its kind, printed by .NET beside its
    /// exceptions.
    static func isFailureCode(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        return bytes.count == 10 && bytes[0] == UInt8(ascii: "0") && bytes[1] == UInt8(ascii: "x")
            && "89abcdef".utf8.contains(bytes[2]) && bytes[2...].allSatisfy(isHex)
    }

    /// Whitespace- and quote-separated tokens with surrounding punctuation removed; `key=value`
    /// gives the value too, so `controller-uid=78147bc7-...` yields the UUID.
    static func tokens(of query: String) -> [String] {
        let separators: Set<Character> = ["\"", "'", "`", "(", ")", "[", "]", "{", "}", "<", ">", ",", ";", "|"]
        var tokens: [String] = []
        for raw in query.lowercased().split(whereSeparator: { $0.isWhitespace || separators.contains($0) }) {
            let token = raw.trimmingPunctuation
            guard !token.isEmpty else { continue }
            tokens.append(token)
            if let equals = token.lastIndex(of: "=") { tokens.append(String(token[token.index(after: equals)...]).trimmingPunctuation) }
        }
        return tokens
    }

    static func isIdentifier(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        guard bytes.count >= 4, !bytes.contains(UInt8(ascii: "=")) else { return false }
        if isIPv4(bytes) || isEmail(bytes) || isUUID(bytes) || isMAC(bytes) { return true }
        if looksLikeDateTimeOrVersion(bytes) || isYear(bytes) { return false }
        let segments = bytes.split { !isAlphanumeric($0) }
        if segments.contains(where: { longestDigitRun($0) >= 4 && !isQuantity($0) }) { return true }
        if segments.contains(where: isRandomLooking) { return true }
        // A host or pod name: lower-case words joined by hyphens, one of them holding a digit.
        if bytes.count >= 8 && bytes.contains(UInt8(ascii: "-")) && segments.count >= 2
            && segments.contains(where: { $0.contains(where: isDigit) }) && segments.contains(where: { $0.contains(where: isLetter) })
            && bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            return true
        }
        return isHostName(bytes)
    }

    /// A host's full name: labels of letters, digits and hyphens joined by dots, the first starting
    /// with a letter and the last all letters, one holding a digit, with a hyphen or three labels
    /// at least (`ip-10-0-1-23.ec2.internal`, `web01.prod.example.com`; not `python3.11`,
    /// `log4j.properties` or `v1.2.3`); or any such name in a private or special-use domain, which
    /// names a host and nothing else (`catalog.internal`, `ldap.corp`, `printer.local`).
    private static func isHostName(_ bytes: [UInt8]) -> Bool {
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard bytes.count >= 8, labels.count >= 2, let first = labels.first?.first, let last = labels.last,
              isLetter(first), !last.isEmpty, last.allSatisfy(isLetter),
              privateDomains.contains(String(decoding: last, as: UTF8.self))
                || bytes.contains(where: isDigit) && (bytes.contains(UInt8(ascii: "-")) || labels.count >= 3)
        else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.allSatisfy { isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// Top-level names no public host has: special-use domains (RFC 6761's `localhost` and
    /// `example`, RFC 6762's `local`), the names RFC 6762's appendix G found in use on private
    /// networks (`intranet`, `internal`, `private`, `corp`, `lan`; ICANN reserved `internal` for them
    /// in 2024) and RFC 8375's `home.arpa`. Not `test`, `home` or `invalid`, which end package
    /// names, Java's `user.home` and Rails's message keys as often.
    private static let privateDomains: Set<String> = ["localhost", "example", "local", "intranet", "internal", "private", "corp", "lan", "arpa"]

    /// An alphanumeric run that reads as generated: hex of eight or more with a digit, or letters
    /// and digits interleaved (`7d9f8b6c5`, `oe5hsn2xnw1`), not a name followed by its number (`sha256`).
    private static func isRandomLooking(_ segment: ArraySlice<UInt8>) -> Bool {
        let digits = segment.filter(isDigit).count
        let letters = segment.count - digits
        guard digits > 0 else { return false }
        if segment.count >= 8 && segment.allSatisfy(isHex) { return true }
        guard segment.count >= 5, digits >= 2, letters >= 2 else { return false }
        // Letters then digits (`base64`, `int32`) or digits then a unit (`200ms`): a word, not an id.
        var switches = 0
        for (previous, next) in zip(segment, segment.dropFirst()) where isDigit(previous) != isDigit(next) { switches += 1 }
        return switches >= 2
    }

    /// A year alone (`2024`): in a sentence it dates something, and every ISO timestamp holds it.
    private static func isYear(_ bytes: [UInt8]) -> Bool {
        bytes.count == 4 && bytes.allSatisfy(isDigit) && (bytes[0] == UInt8(ascii: "1") && bytes[1] == UInt8(ascii: "9")
                                                          || bytes[0] == UInt8(ascii: "2") && bytes[1] == UInt8(ascii: "0"))
    }

    /// A number with a unit: `1500ms`, `4096kb`, `2048mib`.
    private static func isQuantity(_ segment: ArraySlice<UInt8>) -> Bool {
        guard let firstLetter = segment.firstIndex(where: isLetter), firstLetter > segment.startIndex else { return false }
        let unit = String(decoding: segment[firstLetter...], as: UTF8.self)
        return segment[..<firstLetter].allSatisfy(isDigit) && units.contains(unit)
    }

    private static let units: Set<String> = ["ms", "us", "ns", "s", "sec", "secs", "m", "min", "mins", "h", "hr", "hrs", "d", "b",
                                             "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "k", "px", "hz", "mhz", "ghz"]

    /// Digits joined by `-`, `/`, `.`, `:`, with at most a `t`/`z` between (ISO times), and no
    /// run of more than four digits: `2024-06-03t00:11:42.165z`, `31.06.2024`, `1.2.3`.
    private static func looksLikeDateTimeOrVersion(_ bytes: [UInt8]) -> Bool {
        let parts = bytes.split { [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: ":"),
                                   UInt8(ascii: "t"), UInt8(ascii: "z"), UInt8(ascii: "+")].contains($0) }
        return parts.count >= 2 && parts.allSatisfy { $0.allSatisfy(isDigit) && $0.count <= 4 }
    }

    private static func isIPv4(_ bytes: [UInt8]) -> Bool {
        let hostPart = bytes.split(separator: UInt8(ascii: ":"), maxSplits: 1, omittingEmptySubsequences: false)
        guard hostPart.count == 1 || (hostPart.count == 2 && !hostPart[1].isEmpty && hostPart[1].allSatisfy(isDigit)) else { return false }
        let octets = hostPart[0].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(isDigit) && Int(String(decoding: $0, as: UTF8.self))! <= 255 }
    }

    private static func isEmail(_ bytes: [UInt8]) -> Bool {
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0 else { return false }
        let domain = bytes[(at + 1)...]
        return domain.contains(UInt8(ascii: ".")) && domain.first.map(isAlphanumeric) == true
    }

    /// Six pairs of hex digits joined by `:` or by `-`: `3c:22:fb:91:0a:7e`.
    private static func isMAC(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 17, bytes[2] == UInt8(ascii: ":") || bytes[2] == UInt8(ascii: "-") else { return false }
        return (0..<17).allSatisfy { $0 % 3 == 2 ? bytes[$0] == bytes[2] : isHex(bytes[$0]) }
    }

    private static func isUUID(_ bytes: [UInt8]) -> Bool {
        let groups = bytes.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(isHex) }
    }

    private static func longestDigitRun(_ segment: ArraySlice<UInt8>) -> Int {
        var (longest, run) = (0, 0)
        for byte in segment {
            run = isDigit(byte) ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    private static func isLetter(_ byte: UInt8) -> Bool { (byte >= 97 && byte <= 122) || byte >= 128 }
    private static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 97 && byte <= 102) }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) || byte == UInt8(ascii: "_") }
}

private extension StringProtocol {
    /// Without the punctuation that ends a sentence or wraps a token: `id=42.` → `id=42`.
    var trimmingPunctuation: String {
        let trim: Set<Character> = [".", ",", ":", ";", "!", "?", "#", "*"]
        var slice = Substring(self)
        while let first = slice.first, trim.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, trim.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
