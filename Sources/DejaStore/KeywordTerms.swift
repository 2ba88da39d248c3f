/// The words keyword search works with: runs of letters and digits. The full-text index holds only
/// the searchable ones (four characters or more, and numbers of five digits or more), so that times,
/// counts, ports and node names like `n2`, which are in nearly every body and carry no weight, cost
/// nothing to index: about half the tokens of a typical log line.
public enum KeywordTerms {
    /// The searchable words of `body`, space-separated and in order: what the full-text index holds.
    public static func indexText(_ body: String) -> String {
        var ascii = true
        for byte in body.utf8 where byte >= 0x80 {
            ascii = false
            break
        }
        guard ascii else { return words(of: body).filter(isSearchable).joined(separator: " ") }
        // Byte-level for ASCII, where the rules above are simple: same words as `words(of:)`.
        var output: [UInt8] = []
        output.reserveCapacity(body.utf8.count)
        var start = -1
        var allDigits = true
        func close(_ bytes: UnsafeBufferPointer<UInt8>, _ end: Int) {
            let length = end - start
            if length >= 4 && !(allDigits && length < 5) {
                if !output.isEmpty { output.append(32) }
                output.append(contentsOf: bytes[start..<end])
            }
            start = -1
        }
        var body = body
        body.withUTF8 { bytes in
            for (i, byte) in bytes.enumerated() {
                let digit = byte &- 48 < 10
                if digit || (byte | 0x20) &- 97 < 26 {
                    if start < 0 { start = i; allDigits = true }
                    allDigits = allDigits && digit
                } else if start >= 0 {
                    close(bytes, i)
                }
            }
            if start >= 0 { close(bytes, bytes.count) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Lower-cased runs of letters and digits of two or more characters, as keyword search splits a query.
    static func terms(of text: String) -> [String] {
        words(of: text).filter { $0.count >= 2 }.map { $0.lowercased() }
    }

    /// Whether the index holds `word`: four characters or more, and not a number under five digits.
    static func isSearchable(_ word: some StringProtocol) -> Bool {
        word.count >= 4 && !(word.count < 5 && word.allSatisfy(\.isNumber))
    }

    private static func words(of text: String) -> [Substring] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
    }
}
