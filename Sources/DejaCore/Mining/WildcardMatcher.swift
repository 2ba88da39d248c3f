/// Matches text against a template whose `<*>` tokens stand for any text within one word
/// (no whitespace), possibly empty.
enum WildcardMatcher {
    /// True when `text` can be produced from `tokens` by replacing each wildcard with some text.
    static func matches(_ tokens: [String], _ text: String) -> Bool {
        // Literal runs between wildcards; a wildcard keeps its leading space in the literal before it.
        var literals: [[UInt8]] = [[]]
        for token in tokens {
            if MessageTokenizer.isWildcard(token) {
                if token.utf8.first == UInt8(ascii: " ") { literals[literals.count - 1].append(UInt8(ascii: " ")) }
                literals.append([])
            } else {
                literals[literals.count - 1] += Array(token.utf8)
            }
        }
        let bytes = Array(text.utf8)
        guard literals.count > 1 else { return bytes == literals[0] }
        // First literal anchors at the start, last at the end, the middle ones are found greedily
        // left to right (earliest match leaves the most room for the rest, so greedy is exact).
        guard bytes.starts(with: literals[0]), bytes.count >= literals[0].count + literals.last!.count,
              bytes[(bytes.count - literals.last!.count)...].elementsEqual(literals.last!) else { return false }
        var position = literals[0].count
        let end = bytes.count - literals.last!.count
        for literal in literals.dropFirst().dropLast() where !literal.isEmpty {
            guard let found = firstIndex(of: literal, in: bytes, from: position, to: end),
                  !bytes[position..<found].contains(UInt8(ascii: " ")) else { return false }
            position = found + literal.count
        }
        return position <= end && !bytes[position..<end].contains(UInt8(ascii: " "))
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int, to end: Int) -> Int? {
        guard end - start >= needle.count else { return nil }
        for i in start...(end - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
