/// Matches text against a template given as its literal runs between wildcards.
enum WildcardMatcher {
    /// True when `text` can be produced by filling the gaps between `literals` (at least two runs:
    /// a template with no wildcard is not matched here). A gap holds text within one word, or
    /// with `spanningWords`, one value spread over words: words that are all `<*>` already, or a
    /// whole quoted string (`"disk quota exceeded"`).
    static func matches(_ literals: [[UInt8]], _ text: [UInt8], spanningWords: Bool = false) -> Bool {
        guard literals.count > 1, let head = literals.first, let tail = literals.last,
              text.count >= head.count + tail.count, text.starts(with: head),
              text[(text.count - tail.count)...].elementsEqual(tail) else { return false }
        func fits(_ gap: Range<Int>) -> Bool {
            guard text[gap].contains(32) else { return true }
            guard spanningWords else { return false }
            if gap.lowerBound > 0, gap.upperBound < text.count, text[gap.lowerBound - 1] == 34, text[gap.upperBound] == 34 {
                return true
            }
            return text[gap].split(separator: 32).allSatisfy { $0.elementsEqual(wildcardBytes) }
        }
        // The first run anchors at the start and the last at the end; the middle ones are found
        // leftmost first, which leaves the most room for the rest, so greedy is exact.
        var position = head.count
        let end = text.count - tail.count
        for literal in literals.dropFirst().dropLast() where !literal.isEmpty {
            guard let found = firstIndex(of: literal, in: text, from: position, to: end), fits(position..<found) else { return false }
            position = found + literal.count
        }
        return position <= end && fits(position..<end)
    }

    private static let wildcardBytes = Array(MessageTokenizer.wildcard.utf8)

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int, to end: Int) -> Int? {
        guard end - start >= needle.count else { return nil }
        for i in start...(end - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
