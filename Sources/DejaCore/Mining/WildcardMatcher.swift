/// Matches text against a template given as its literal runs between wildcards, where each
/// wildcard stands for any text within one word (no space), possibly empty.
enum WildcardMatcher {
    /// True when `text` can be produced by filling the gaps between `literals` (at least two runs:
    /// a template with no wildcard is not matched here).
    static func matches(_ literals: [[UInt8]], _ text: [UInt8]) -> Bool {
        guard literals.count > 1, let head = literals.first, let tail = literals.last,
              text.count >= head.count + tail.count, text.starts(with: head),
              text[(text.count - tail.count)...].elementsEqual(tail) else { return false }
        // The first run anchors at the start and the last at the end; the middle ones are found
        // leftmost first, which leaves the most room for the rest, so greedy is exact.
        var position = head.count
        let end = text.count - tail.count
        for literal in literals.dropFirst().dropLast() where !literal.isEmpty {
            guard let found = firstIndex(of: literal, in: text, from: position, to: end),
                  !text[position..<found].contains(32) else { return false }
            position = found + literal.count
        }
        return position <= end && !text[position..<end].contains(32)
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int, to end: Int) -> Int? {
        guard end - start >= needle.count else { return nil }
        for i in start...(end - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
