/// Splits a message into the tokens the pattern miner compares, masking variable parts.
///
/// Words are separated by whitespace, and within a word each delimiter (`= : , ; ( ) [ ] { } < > " '`)
/// is a token of its own, so `ready=true,policy=3` compares key by key. A token that starts a new
/// word (all but the first) carries a leading space, so joining the tokens gives the text back.
/// Tokens that contain a digit, month and weekday names, and the literals `true`, `false`, `null`,
/// `nil` and `none` after a delimiter, are variables and become `<*>`. A value is one `<*>` whatever
/// its token count: a word whose interior is a path or URL, a host with a port, a dotted name, an
/// IPv6 or MAC address or all variables (`10.1.2.3:80`, `<1`); an empty `key=` value; a unit after a
/// value and a parenthesized restatement of an amount (`2048 bytes (2.0 KB)`).
/// One rule for every log source: no per-dataset regexes.
public enum MessageTokenizer {
    /// The wildcard that stands for a variable, as in Drain and the loghub templates.
    public static let wildcard = "<*>"

    /// Bytes that are tokens of their own: `= : , ; ( ) [ ] { } < > " '`.
    @inline(__always)
    static func isDelimiterByte(_ byte: UInt8) -> Bool {
        byte < 128 && (byte < 64 ? delimiterBytesLow : delimiterBytesHigh) & (1 &<< UInt64(byte & 63)) != 0
    }

    /// Bit sets of bytes 0–63 and 64–127, for a branch-light scan (literals: a `static let` would be
    /// a lazily initialized global, checked on every byte). Space, tab, newline, carriage return:
    private static var spaceBytes: UInt64 { 0x100002600 }
    /// `= : , ; ( ) < > " '`
    private static var delimiterBytesLow: UInt64 { 0x7C00138400000000 }
    /// `[ ] { }`, as bits above 64
    private static var delimiterBytesHigh: UInt64 { 0x2800000028000000 }

    /// The masked tokens of `message`.
    public static func tokens(_ message: some StringProtocol) -> [String] {
        let scanned = ScannedMessage()
        scan(message, into: scanned)
        return (0..<scanned.count).map { String(decoding: scanned.bytes($0), as: UTF8.self) }
    }

    /// Scans into `scanned`, reusing its buffers.
    static func scan(_ message: some StringProtocol, into scanned: ScannedMessage) {
        scanned.removeAll()
        if let done: Void = message.utf8.withContiguousStorageIfAvailable({ scanBytes($0, into: scanned) }) {
            return done
        }
        var copy = String(message)
        copy.withUTF8 { scanBytes($0, into: scanned) }
    }

    /// One pass over the bytes, word by word: pieces (runs between spaces and delimiters) are
    /// copied straight from the input, so nothing is allocated per token.
    private static func scanBytes(_ bytes: UnsafeBufferPointer<UInt8>, into out: ScannedMessage) {
        let classOf = byteClasses
        out.reserve(bytes.count * 2 + 8)  // at most: every byte a token, each with a space, or `<*>`
        var state = WordState()
        var i = 0
        while i < bytes.count {
            if isSpace(bytes[i]) {
                state.newWord = out.count > 0
                i += 1
                continue
            }
            // Finding the word's end also classifies it: most words are one plain piece (no
            // delimiter, not a path, fewer than two dots) and need no second look.
            var end = i
            var classes: UInt8 = 0, dots = 0
            while end < bytes.count {
                let byteClass = classOf[Int(bytes[end])]
                if byteClass & ByteClass.space != 0 { break }
                classes |= byteClass
                dots &+= Int(byteClass & ByteClass.dot)
                end += 1
            }
            let hasDigit = classes & ByteClass.digit != 0, hasDelimiter = classes & ByteClass.delimiter != 0
            let first = bytes[i]
            if !hasDelimiter && dots < 2 && first != 47 && first != 46 && first != 126
                && !(state.endsInValue && dots == 1 && bytes[end - 1] == 46) {  // `5 ms.` reads the slow way
                let word = UnsafeBufferPointer(rebasing: bytes[i..<end])
                if state.endsInValue && isUnit(word) {  // `5 ms`: the unit joins the value
                    i = end
                    continue
                }
                let isVariable = hasDigit || isCalendarWord(word)
                out.append(space: state.newWord, bytes: isVariable ? nil : word)
                state.newWord = false
                state.endsInValue = isVariable
                i = end
                continue
            }
            i = scanWord(bytes, i, end, into: out, &state)
        }
    }

    /// Bit flags of a byte's class, for the one pass that finds and classifies a word.
    private enum ByteClass {
        static let dot: UInt8 = 1, digit: UInt8 = 2, delimiter: UInt8 = 4, space: UInt8 = 8
    }

    /// The class of each byte value, built once.
    nonisolated(unsafe) private static let byteClasses: UnsafePointer<UInt8> = {  // read-only once built
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for byte in 0..<256 {
            let b = UInt8(byte)
            table[byte] = b == 46 ? ByteClass.dot : b &- 48 < 10 ? ByteClass.digit : isDelimiterByte(b) ? ByteClass.delimiter
                : (b < 64 && spaceBytes & (1 &<< UInt64(b)) != 0) ? ByteClass.space : 0
        }
        return UnsafePointer(table)
    }()

    /// What the scan of one word needs to know about the words before it.
    private struct WordState {
        /// The next token starts a new word (it carries a leading space).
        var newWord = false
        /// The last token is a variable that ended its word: a unit or a parenthesized amount may follow.
        var endsInValue = false
    }

    /// Scans the word `bytes[start..<end]`; returns where the scan goes on (past `end` when a
    /// parenthesized amount spanning several words was absorbed).
    private static func scanWord(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: ScannedMessage,
                                 _ state: inout WordState) -> Int {
        // A value's notation may span words: `2048 bytes (2.0 KB)`, `5 ms`, `<1 sec`. The unit
        // and the parenthesized restatement belong to the variable before them.
        if state.endsInValue {
            var interiorEnd = end  // a unit may end a sentence: `took 5 ms.`
            while interiorEnd > start && (isClosingByte(bytes[interiorEnd - 1]) || bytes[interiorEnd - 1] == 46) { interiorEnd -= 1 }
            if isUnit(UnsafeBufferPointer(rebasing: bytes[start..<interiorEnd])) {
                state.newWord = false
                emitDelimiters(bytes, interiorEnd, end, into: out, &state)
                state.endsInValue = interiorEnd == end
                return end
            }
            if bytes[start] == 40, let close = parenthesizedAmountEnd(bytes, from: start) {  // `(`
                var next = close + 1
                while next < bytes.count && !isSpace(bytes[next]) { next += 1 }
                state.newWord = false
                emitDelimiters(bytes, close + 1, next, into: out, &state)
                state.endsInValue = close + 1 == next
                return next
            }
        }
        state.endsInValue = false
        var interiorStart = start, interiorEnd = end
        while interiorStart < end && isOpeningByte(bytes[interiorStart]) { interiorStart += 1 }
        while interiorEnd > interiorStart && isClosingByte(bytes[interiorEnd - 1]) { interiorEnd -= 1 }
        emitDelimiters(bytes, start, interiorStart, into: out, &state)
        if interiorStart < interiorEnd {
            let interior = UnsafeBufferPointer(rebasing: bytes[interiorStart..<interiorEnd])
            if let isVariable = plainWordIsVariable(interior) {
                // Most words: one piece, no delimiter, path or dotted name; no second look.
                out.append(space: state.newWord, bytes: isVariable ? nil : interior)
                state.newWord = false
                state.endsInValue = isVariable && interiorEnd == end
            } else if isWholeValue(interior) {
                out.append(space: state.newWord, bytes: nil)
                state.newWord = false
                state.endsInValue = interiorEnd == end
            } else {
                scanPieces(bytes, interiorStart, interiorEnd, into: out, &state)
            }
        }
        emitDelimiters(bytes, interiorEnd, end, into: out, &state)
        return end
    }

    /// Splits a word's interior at delimiters; pieces holding a digit, calendar words and literal
    /// values after a delimiter become `<*>`; a path or URL after a delimiter (`file=/var/x`) is one.
    private static func scanPieces(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: ScannedMessage,
                                   _ state: inout WordState) {
        var i = start
        var afterDelimiter = false
        var lastWasVariable = false  // adjacent variables in a word are one (`<*>/Nov/<*>` after a path)
        func emitVariable(endsWord: Bool) {
            if !lastWasVariable { out.append(space: state.newWord, bytes: nil) }
            state.newWord = false
            state.endsInValue = endsWord
            lastWasVariable = true
        }
        while i < end {
            if isWildcardText(bytes, i, end) {  // a value masked before mining (`MessageNormalizer.wildcarded`)
                emitVariable(endsWord: i + 3 == end)
                afterDelimiter = true
                i += 3
                continue
            }
            if isDelimiterByte(bytes[i]) {
                emitDelimiters(bytes, i, i + 1, into: out, &state)
                afterDelimiter = true
                lastWasVariable = false
                i += 1
                if i == end && i - 1 > start && bytes[i - 1] == 61 {  // `logname=`: an empty value is a value
                    out.append(space: false, bytes: nil)
                    state.endsInValue = false
                }
                continue
            }
            var pieceEnd = i
            var hasDigit = false
            while pieceEnd < end && !isDelimiterByte(bytes[pieceEnd]) {
                if bytes[pieceEnd] &- 48 < 10 { hasDigit = true }
                pieceEnd += 1
            }
            if afterDelimiter, locatorLength(bytes, i, end) > 0 { pieceEnd = end; hasDigit = true }
            let piece = UnsafeBufferPointer(rebasing: bytes[i..<pieceEnd])
            if hasDigit || isCalendarWord(piece) || (afterDelimiter && isLiteralValue(piece)) {
                emitVariable(endsWord: pieceEnd == end)
            } else {
                out.append(space: state.newWord, bytes: piece)
                state.newWord = false
                state.endsInValue = false
                lastWasVariable = false
            }
            i = pieceEnd
        }
    }

    private static func emitDelimiters(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: ScannedMessage,
                                       _ state: inout WordState) {
        for i in start..<end {
            out.append(space: state.newWord, bytes: UnsafeBufferPointer(rebasing: bytes[i..<(i + 1)]))
            state.newWord = false
        }
    }

    /// For an interior that is one plain piece (no delimiter, not a path, fewer than two dots),
    /// whether it is a variable; nil when it needs the full reading.
    @inline(__always)
    private static func plainWordIsVariable(_ interior: UnsafeBufferPointer<UInt8>) -> Bool? {
        let first = interior[0]
        if first == 47 || first == 46 || first == 126 { return nil }  // `/`, `.`, `~`: maybe a path
        var hasDigit = false, dots = 0
        for byte in interior {
            if byte &- 48 < 10 { hasDigit = true } else if byte == 46 { dots += 1 } else if isDelimiterByte(byte) { return nil }
        }
        if dots >= 2 { return nil }
        return hasDigit || isCalendarWord(interior)
    }

    /// A word interior that is one value however many delimiters it holds: a path or URL
    /// (`/v2/a1b2/servers?limit=10`), a host with a port (`cache.example.org:8443`), a dotted
    /// name, an IPv6 or MAC address, or pieces
    /// that are all variables (`10.1.2.3:80`, `00:01:02`, `<1`).
    private static func isWholeValue(_ interior: UnsafeBufferPointer<UInt8>) -> Bool {
        if locatorLength(interior, 0, interior.count) > 0 || isHostWithPort(interior) || isDottedName(interior)
            || isColonHexGroups(interior) { return true }
        var sawVariable = false
        var pieceStart = -1, hasDigit = false
        var i = 0
        while i <= interior.count {
            if i == interior.count || isDelimiterByte(interior[i]) {
                if pieceStart >= 0 {
                    let piece = UnsafeBufferPointer(rebasing: interior[pieceStart..<i])
                    guard hasDigit || isCalendarWord(piece) else { return false }
                    sawVariable = true
                }
                pieceStart = -1
                hasDigit = false
                if isWildcardText(interior, i, interior.count) {
                    sawVariable = true
                    i += 2
                }
            } else {
                if pieceStart < 0 { pieceStart = i }
                if interior[i] &- 48 < 10 { hasDigit = true }
            }
            i += 1
        }
        return sawVariable
    }

    /// The length of a path or URL starting at `start` (to `end`), or 0: `/` then a name
    /// (`/health`, `/var/lib/x`), `./` or `~/`, a drive (`C:\`), or a scheme (`https://`).
    static func locatorLength(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        let count = end - start
        guard count >= 2 else { return 0 }
        let first = bytes[start], second = bytes[start + 1]
        if first == 47 { return second == 47 || isDelimiterByte(second) ? 0 : count }  // `/name`, not `//` or `/=`
        if (first == 46 || first == 126) && second == 47 && count > 2 { return count }  // `./x`, `~/x`
        if count >= 3, isLetter(first), second == 58, bytes[start + 2] == 92 { return count }  // `C:\`
        var i = start
        while i < end && isLetter(bytes[i]) { i += 1 }
        if i > start, i + 3 <= end, bytes[i] == 58, bytes[i + 1] == 47, bytes[i + 2] == 47 { return count }  // `scheme://`
        return 0
    }

    /// `name.domain:port`: a dotted host name, then a colon and digits to the end.
    private static func isHostWithPort(_ interior: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let colon = interior.lastIndex(of: 58), colon > 0, colon + 1 < interior.count,
              interior[(colon + 1)...].allSatisfy({ $0 &- 48 < 10 }) else { return false }
        var dots = 0
        for byte in interior[..<colon] {
            if byte == 46 { dots += 1 } else if !(isLetter(byte) || byte &- 48 < 10 || byte == 45 || byte == 95) { return false }
        }
        return dots > 0 || interior[..<colon].elementsEqual("localhost".utf8)
    }

    /// Hex groups joined by colons, three groups or more: an IPv6 (`fe80::c6b3:1ff:fecd`) or MAC
    /// (`88:d7:f6:7a:a0:fc`) address, whose groups need not hold a digit.
    private static func isColonHexGroups(_ interior: UnsafeBufferPointer<UInt8>) -> Bool {
        var colons = 0, group = 0
        for byte in interior {
            if byte == 58 {
                colons += 1
                group = 0
            } else if byte &- 48 < 10 || (byte | 0x20) &- 97 < 6 {
                group += 1
                if group > 4 { return false }
            } else {
                return false
            }
        }
        return colons >= 2
    }

    /// A name of three or more dotted labels whose last label is not capitalized: a host
    /// (`cache.prod.example.net`), a value. A qualified class (`java.lang.NullPointerException`)
    /// names what happened and stays a constant.
    private static func isDottedName(_ interior: UnsafeBufferPointer<UInt8>) -> Bool {
        var dots = 0, label = 0, lastLabelStart = 0
        for (i, byte) in interior.enumerated() {
            if byte == 46 {
                guard label > 0 else { return false }
                dots += 1
                label = 0
                lastLabelStart = i + 1
            } else if isLetter(byte) || byte &- 48 < 10 || byte == 45 || byte == 95 {
                label += 1
            } else {
                return false
            }
        }
        return dots >= 2 && label > 0 && !(interior[lastLabelStart] &- 65 < 26)
    }

    /// Where the `)` of a parenthesized amount starting at `start` is, when inside are only
    /// numbers and units and at least one unit (`(2.0 KB)`, `(1.5MiB/s)`), within a few words.
    private static func parenthesizedAmountEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start + 1
        var wordStart = i
        var sawUnit = false
        while i < bytes.count && i - start < 48 {
            let byte = bytes[i]
            if byte == 41 || isSpace(byte) {  // `)` or a space ends a word inside
                if i > wordStart {
                    let word = UnsafeBufferPointer(rebasing: bytes[wordStart..<i])
                    if isUnit(word) {
                        sawUnit = true
                    } else {
                        guard let amount = amountUnitStart(word) else { return nil }
                        if amount < word.count { sawUnit = true }
                    }
                }
                if byte == 41 { return sawUnit ? i : nil }
                wordStart = i + 1
            } else if byte == 40 {
                return nil
            }
            i += 1
        }
        return nil
    }

    /// For a number with an optional unit suffix (`2.0`, `2.0KB`, `15ms`, `-3`), where the unit
    /// starts (the word's end when it has none); nil for anything else.
    private static func amountUnitStart(_ word: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        if i < word.count && (word[i] == 45 || word[i] == 43 || word[i] == 126) { i += 1 }  // - + ~
        let digits = i
        while i < word.count && (word[i] &- 48 < 10 || word[i] == 46 || word[i] == 44) { i += 1 }
        guard i > digits else { return nil }
        return i == word.count || isUnit(UnsafeBufferPointer(rebasing: word[i...])) ? i : nil
    }

    /// `<*>` at `i`.
    @inline(__always)
    private static func isWildcardText(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        i + 3 <= end && bytes[i] == 60 && bytes[i + 1] == 42 && bytes[i + 2] == 62
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool { byte < 64 && spaceBytes & (1 &<< UInt64(byte)) != 0 }

    @inline(__always)
    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 97 < 26 }

    /// Bytes that open a word around its value: `( [ { " '`.
    @inline(__always)
    private static func isOpeningByte(_ byte: UInt8) -> Bool {
        byte == 40 || byte == 91 || byte == 123 || byte == 34 || byte == 39
    }

    /// Bytes that close a word after its value: `) ] } " ' , ; :`.
    @inline(__always)
    private static func isClosingByte(_ byte: UInt8) -> Bool {
        byte == 41 || byte == 93 || byte == 125 || byte == 34 || byte == 39 || byte == 44 || byte == 59 || byte == 58
    }

    /// Units of amounts, any case: bytes and bits with SI and IEC prefixes, time, rates, percent.
    static func isUnit(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let key = unitKey(word) else { return false }
        // Binary search of a sorted array: cheaper than hashing for a few dozen keys.
        let units = self.units
        var low = 0, high = units.count
        while low < high {
            let middle = (low + high) / 2
            if units[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < units.count && units[low] == key
    }

    /// Up to 7 ASCII bytes, lowercased, packed in an integer: a set lookup without a String.
    @inline(__always)
    private static func unitKey<C: Collection<UInt8>>(_ word: C) -> UInt64? {
        guard word.count >= 1, word.count <= 7 else { return nil }
        var key: UInt64 = 0
        for byte in word {
            guard byte < 128 else { return nil }
            key = key << 8 | UInt64(isLetter(byte) ? byte | 0x20 : byte)
        }
        return key
    }

    private static let units: [UInt64] = {
        var units = ["%", "b", "byte", "bytes", "bit", "bits", "ns", "us", "ms", "s", "sec", "secs", "second", "seconds",
                     "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "day", "days", "hz", "rps", "qps", "ops"]
        for prefix in ["k", "m", "g", "t", "p", "e"] {
            units += [prefix + "b", prefix + "ib", prefix + "bit", prefix + "bps", prefix + "b/s", prefix + "ib/s", prefix + "hz"]
        }
        return units.compactMap { unitKey(Array($0.utf8)) }.sorted()
    }()

    /// Month and weekday names (`Jul`, `Monday`): parts of timestamps, so variables.
    @inline(__always)
    static func isCalendarWord(_ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        guard piece.count >= 3, piece.count <= 9, piece[0] >= 65, piece[0] <= 90 else { return false }
        let key = (UInt32(piece[0]) << 16) | (UInt32(piece[1] | 0x20) << 8) | UInt32(piece[2] | 0x20)
        switch key {
        case 0x417072, 0x417567, 0x446563, 0x466562, 0x467269, 0x4A616E, 0x4A756C, 0x4A756E, 0x4D6172, 0x4D6179, 0x4D6F6E, 0x4E6F76, 0x4F6374, 0x536174, 0x536570, 0x53756E, 0x546875, 0x547565, 0x576564:  // Jan … Dec, Mon … Sun
            return piece.count == 3 || calendarNames.contains { $0.elementsEqual(piece.lazy.map { $0 | 0x20 }) }
        default:
            return false
        }
    }

    private static let calendarNames: [[UInt8]] = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map { Array($0.utf8) } + [Array("sept".utf8), Array("tues".utf8), Array("thurs".utf8)]

    /// `true`, `false`, `null`, `nil`, `none`, in any case.
    @inline(__always)
    static func isLiteralValue(_ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        guard piece.count >= 3 && piece.count <= 5 else { return false }
        func lower(_ i: Int) -> UInt8 { piece[i] | 0x20 }
        switch (piece.count, lower(0)) {
        case (4, 116): return lower(1) == 114 && lower(2) == 117 && lower(3) == 101                   // true
        case (5, 102): return lower(1) == 97 && lower(2) == 108 && lower(3) == 115 && lower(4) == 101  // false
        case (4, 110): return (lower(1) == 117 && lower(2) == 108 && lower(3) == 108)                   // null
            || (lower(1) == 111 && lower(2) == 110 && lower(3) == 101)                                   // none
        case (3, 110): return lower(1) == 105 && lower(2) == 108                                          // nil
        default: return false
        }
    }

}

/// A message's masked tokens, back to back in one byte buffer; raw buffers, reused from message
/// to message, keep allocation and reference counting out of the scan.
final class ScannedMessage {
    private var text = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    private var textCapacity = 256
    private var textCount = 0
    private var starts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    private var ends = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    private var wildcard = UnsafeMutablePointer<Bool>.allocate(capacity: 64)
    private var tokenCapacity = 64
    private(set) var count = 0

    deinit {
        text.deallocate()
        starts.deallocate()
        ends.deallocate()
        wildcard.deallocate()
    }

    func removeAll() {
        textCount = 0
        count = 0
    }

    /// Room for `bytes` more text bytes and as many tokens.
    func reserve(_ bytes: Int) {
        if textCount + bytes > textCapacity {
            textCapacity = max(textCapacity * 2, textCount + bytes)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: textCapacity)
            grown.update(from: text, count: textCount)
            text.deallocate()
            text = grown
        }
        if count + bytes > tokenCapacity {
            tokenCapacity = max(tokenCapacity * 2, count + bytes)
            func grow<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
                let grown = UnsafeMutablePointer<T>.allocate(capacity: tokenCapacity)
                grown.moveInitialize(from: old, count: count)
                old.deallocate()
                return grown
            }
            starts = grow(starts)
            ends = grow(ends)
            wildcard = grow(wildcard)
        }
    }

    /// Appends a token: `bytes`, or `<*>` when nil, after a space when `space`.
    @inline(__always)
    func append(space: Bool, bytes: UnsafeBufferPointer<UInt8>?) {
        starts[count] = Int32(textCount)
        if space { text[textCount] = 32; textCount += 1 }
        if let bytes {
            if let base = bytes.baseAddress { (text + textCount).update(from: base, count: bytes.count) }
            textCount += bytes.count
        } else {
            text[textCount] = 60; text[textCount + 1] = 42; text[textCount + 2] = 62  // <*>
            textCount += 3
        }
        ends[count] = Int32(textCount)
        wildcard[count] = bytes == nil
        count += 1
    }

    /// Token `i`'s bytes (with its leading space, if any).
    @inline(__always)
    func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text + Int(starts[i]), count: Int(ends[i] - starts[i]))
    }

    @inline(__always)
    func isWildcard(_ i: Int) -> Bool { wildcard[i] }

    /// All tokens joined: the masked message.
    var joined: [UInt8] { Array(UnsafeBufferPointer(start: text, count: textCount)) }
}
