import Foundation

/// The words keyword search works with: runs of letters and digits. The full-text indexes hold only
/// the searchable ones, four characters or more, so that short counts, times and node names like `n2`,
/// which are in nearly every body and carry no weight, cost nothing to index: about half the tokens
/// of a typical line. Numbers of four digits are kept: PIDs, ports and order numbers are what people
/// paste to find one thing.
///
/// An IPv4 or MAC address, whose parts are all shorter than that, is held as one word of its own
/// (`10.0.3.7` → `ip010000003007`, `3C:22:FB:91:0A:7E` → `mac3c22fb910a7e`), and so is a host name
/// of short parts (`ip-10-0-1-23` → `hn2ip2101011223`), so that pasting one finds the events holding it.
///
/// A word of an event's signature message is the same in every event of that signature, so it is
/// indexed once, for the signature (`signatureText`); each event's own index row holds only the
/// rest (`eventText`): the values, ids and anything else the message masks. That is a fifth to a
/// third of a typical line's words, and what makes the index cheap enough to keep up with ingest.
public enum KeywordTerms {
    /// The searchable words of `body`, space-separated and in order.
    public static func indexText(_ body: String) -> String {
        searchableWords(of: body) { _ in true }
    }

    /// The searchable words of `body` that its signature's `message` does not hold as a word of its
    /// own (a placeholder such as `<time>` holds none): what the event's index row holds.
    public static func eventText(_ body: String, message: String) -> String {
        var message = message
        return message.withUTF8 { message in
            searchableWords(of: body) { !holds(message, $0) }
        }
    }

    /// The searchable words of a signature's message, placeholders (`<num>`, `<ip>`, ...) left out:
    /// what the signature's index row holds.
    public static func signatureText(_ message: String) -> String {
        var kept: [UInt8] = []
        var message = message
        message.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "<"), let close = placeholderEnd(bytes, from: index) {
                    kept.append(32)
                    index = close + 1
                } else {
                    kept.append(bytes[index])
                    index += 1
                }
            }
        }
        return indexText(String(decoding: kept, as: UTF8.self))
    }

    /// Lower-cased runs of letters and digits of two or more characters, as keyword search splits a query.
    static func terms(of text: String) -> [String] {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return words(of: text).filter { $0.count >= 2 }.map { $0.lowercased() } }
        // Byte-level for ASCII (every signature's message passes here when term frequencies are built).
        var terms: [String] = []
        var word: [UInt8] = []
        for byte in text.utf8 {
            if isAlphanumeric(byte) {
                word.append(byte | (byte &- 65 < 26 ? 0x20 : 0))
            } else {
                if word.count >= 2 { terms.append(String(decoding: word, as: UTF8.self)) }
                word.removeAll(keepingCapacity: true)
            }
        }
        if word.count >= 2 { terms.append(String(decoding: word, as: UTF8.self)) }
        return terms
    }

    /// The index's words for an identifier pasted into a query: the word standing for each IPv4 or
    /// MAC address in it, then its searchable words (`10.0.3.7:5432` → `ip010000003007`, `5432`).
    static func lookupWords(of identifier: String) -> [String] {
        var identifier = identifier
        let addresses = identifier.withUTF8 { addressWords(in: $0) }.map { String(decoding: $0, as: UTF8.self) }
        return addresses + terms(of: identifier).filter(isSearchable)
    }

    /// The words standing for the IPv4 and MAC addresses `bytes` holds as whole tokens (nothing but
    /// separators on either side, as `holdsToken` sees a token), in order.
    private static func addressWords(in bytes: Bytes) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            if index == 0 || !isTokenByte(bytes[index - 1]),
               let (end, word) = address(in: bytes, at: index) ?? hardwareAddress(in: bytes, at: index) ?? shortPartName(in: bytes, at: index),
               end == bytes.count || !isTokenByte(bytes[end]) {
                words.append(word)
            }
            index += 1
        }
        return words
    }

    /// Six pairs of hex digits joined by `:` or by `-` (one of them throughout), from `start`: where
    /// they end and the word standing for them, `mac` and the twelve digits in lower case
    /// (`3C:22:FB:91:0A:7E` → `mac3c22fb910a7e`).
    private static func hardwareAddress(in bytes: Bytes, at start: Int) -> (end: Int, word: [UInt8])? {
        guard start + 17 <= bytes.count else { return nil }
        let separator = bytes[start + 2]
        guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else { return nil }
        // Not six pairs of a longer run (an IPv6 address written in pairs, a byte dump); a separator
        // ending a phrase (`for 3c:22:fb:91:0a:7e: no reply`) is not a seventh pair.
        func isPair(_ at: Int) -> Bool { at >= 0 && at + 1 < bytes.count && isHexDigit(bytes[at]) && isHexDigit(bytes[at + 1]) }
        guard start == 0 || bytes[start - 1] != separator || !isPair(start - 3),
              start + 17 == bytes.count || bytes[start + 17] != separator || !isPair(start + 18) else { return nil }
        var word: [UInt8] = [UInt8(ascii: "m"), UInt8(ascii: "a"), UInt8(ascii: "c")]
        for pair in 0..<6 {
            let at = start + pair * 3
            if pair > 0 { guard bytes[at - 1] == separator else { return nil } }
            for byte in bytes[at...(at + 1)] {
                guard isHexDigit(byte) else { return nil }
                word.append(byte &- 48 < 10 ? byte : byte | 0x20)
            }
        }
        return (start + 17, word)
    }

    /// Three or more parts of one to three letters or digits joined by hyphens, a letter and a digit
    /// among them, from `start` (not inside a longer hyphenated run): a host or node name none of
    /// whose parts is long enough to index (`ip-10-0-1-23`). Where it ends and the word standing for
    /// it: `hn`, then each part's length and the part in lower case (`hn2ip2101011223`).
    private static func shortPartName(in bytes: Bytes, at start: Int) -> (end: Int, word: [UInt8])? {
        guard start == 0 || bytes[start - 1] != UInt8(ascii: "-") else { return nil }
        // Checked before anything is allocated: this runs at every word of every body.
        var (index, parts, letters, digits) = (start, 0, false, false)
        while true {
            let first = index
            while index < bytes.count, index - first < 4, isAlphanumeric(bytes[index]) {
                if bytes[index] &- 48 < 10 { digits = true } else { letters = true }
                index += 1
            }
            guard index > first, index - first <= 3 else { return nil }
            parts += 1
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "-"), isAlphanumeric(bytes[index + 1]) else { break }
            index += 1
        }
        guard parts >= 3, letters, digits else { return nil }
        var word: [UInt8] = [UInt8(ascii: "h"), UInt8(ascii: "n")]
        for part in bytes[start..<index].split(separator: UInt8(ascii: "-")) {
            word.append(UInt8(48 + part.count))
            word += part.map { $0 &- 48 < 10 ? $0 : $0 | 0x20 }
        }
        return (index, word)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        byte &- 48 < 10 || (byte | 0x20) &- 97 < 6
    }

    /// Four numbers of one to three digits, each at most 255, joined by dots, from `start`: where
    /// they end and the word standing for them, `ip` and each number in three digits
    /// (`10.0.3.7` → `ip010000003007`).
    private static func address(in bytes: Bytes, at start: Int) -> (end: Int, word: [UInt8])? {
        guard bytes[start] &- 48 < 10 else { return nil }
        var word: [UInt8] = [UInt8(ascii: "i"), UInt8(ascii: "p")]
        var index = start
        for octet in 0..<4 {
            if octet > 0 {
                guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            var value = 0, digits = 0
            while index < bytes.count, bytes[index] &- 48 < 10, digits < 3 {
                value = value * 10 + Int(bytes[index] &- 48)
                digits += 1
                index += 1
            }
            guard digits > 0, value <= 255 else { return nil }
            word += [UInt8(48 + value / 100), UInt8(48 + value / 10 % 10), UInt8(48 + value % 10)]
        }
        return (index, word)
    }

    /// Whether the index holds `word`: four characters or more.
    static func isSearchable(_ word: some StringProtocol) -> Bool {
        word.count >= 4
    }

    private typealias Bytes = UnsafeBufferPointer<UInt8>

    /// The searchable words of `text` that `keep` accepts (given their UTF-8 bytes), space-separated.
    private static func searchableWords(of text: String, keep: (Bytes) -> Bool) -> String {
        var ascii = true
        for byte in text.utf8 where byte >= 0x80 {
            ascii = false
            break
        }
        var addresses: [[UInt8]] = []
        var text = text
        text.withUTF8 { bytes in
            // Only a text with a dot, colon or hyphen can hold an address.
            if let base = bytes.baseAddress, memchr(base, Int32(UInt8(ascii: ".")), bytes.count) != nil
                || memchr(base, Int32(UInt8(ascii: ":")), bytes.count) != nil || memchr(base, Int32(UInt8(ascii: "-")), bytes.count) != nil {
                addresses = addressWords(in: bytes).filter { $0.withUnsafeBufferPointer(keep) }
            }
        }
        guard ascii else {
            return (words(of: text).filter { word in
                isSearchable(word) && { var word = String(word); return word.withUTF8(keep) }()
            }.map(String.init) + addresses.map { String(decoding: $0, as: UTF8.self) }).joined(separator: " ")
        }
        // Byte-level for ASCII, where the rules above are simple: same words as `words(of:)`.
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var start = -1
        func close(_ bytes: Bytes, _ end: Int) {
            if end - start >= 4 {
                let word = Bytes(rebasing: bytes[start..<end])
                if keep(word) {
                    if !output.isEmpty { output.append(32) }
                    output.append(contentsOf: word)
                }
            }
            start = -1
        }
        text.withUTF8 { bytes in
            for (i, byte) in bytes.enumerated() {
                if byte &- 48 < 10 || (byte | 0x20) &- 97 < 26 {
                    if start < 0 { start = i }
                } else if start >= 0 {
                    close(bytes, i)
                }
            }
            if start >= 0 { close(bytes, bytes.count) }
        }
        for address in addresses {
            if !output.isEmpty { output.append(32) }
            output.append(contentsOf: address)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `message` holds `word` as a whole word outside a placeholder. Non-ASCII bytes count
    /// as part of a word, so a match inside a longer non-ASCII word is never taken for the word.
    /// True when `text` holds `token` (lower-case UTF-8) with no letter, digit or `_` on either side, ignoring ASCII case.
    static func holdsToken(_ token: [UInt8], in text: String) -> Bool {
        guard let first = token.first else { return false }
        let bytes = Array(text.utf8).map { $0 &- 65 < 26 ? $0 | 0x20 : $0 }
        guard token.count <= bytes.count else { return false }
        for start in 0...(bytes.count - token.count) where bytes[start] == first {
            let end = start + token.count
            if (start == 0 || !isTokenByte(bytes[start - 1])) && (end == bytes.count || !isTokenByte(bytes[end]))
                && bytes[start..<end].elementsEqual(token) {
                return true
            }
        }
        return false
    }

    private static func holds(_ message: Bytes, _ word: Bytes) -> Bool {
        guard let base = message.baseAddress, let first = word.first, word.count <= message.count else { return false }
        var index = 0
        while index + word.count <= message.count {
            // libc's vectorized memchr finds the candidates.
            guard let hit = memchr(base + index, Int32(first), message.count - word.count + 1 - index) else { return false }
            index = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            let end = index + word.count
            let before: UInt8 = index > 0 ? message[index - 1] : 32
            let after: UInt8 = end < message.count ? message[end] : 32
            if !isWordByte(before), !isWordByte(after), !(before == UInt8(ascii: "<") && after == UInt8(ascii: ">")),
               memcmp(base + index, word.baseAddress!, word.count) == 0 {
                return true
            }
            index += 1
        }
        return false
    }

    /// A byte of a token as `holdsToken` sees one: a letter, a digit, `_` or part of a non-ASCII character.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        isWordByte(byte) || byte == UInt8(ascii: "_")
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || isAlphanumeric(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        byte &- 48 < 10 || (byte | 0x20) &- 97 < 26
    }

    /// The index of the `>` closing a placeholder (`<` then lower-case letters) that starts at `start`.
    private static func placeholderEnd(_ bytes: Bytes, from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count, bytes[index] &- 97 < 26 { index += 1 }
        return index > start + 1 && index < bytes.count && bytes[index] == UInt8(ascii: ">") ? index : nil
    }

    private static func words(of text: String) -> [Substring] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
    }
}
