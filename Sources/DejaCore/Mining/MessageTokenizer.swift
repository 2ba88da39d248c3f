/// Splits a message into the tokens the pattern miner compares, masking variable parts.
///
/// Words are separated by whitespace, and within a word each delimiter (`= : , ; ( ) [ ] { } < > " '`)
/// is a token of its own, so `ready=true,policy=3` compares key by key. A token that starts a new
/// word (all but the first) carries a leading space, so joining the tokens gives the text back.
/// Tokens that contain a digit, month and weekday names, and the literals `true`, `false`, `null`,
/// `nil` and `none` after a delimiter, are variables and become `<*>`; adjacent variables in a word
/// collapse into one.
/// One rule for every log source: no per-dataset regexes.
public enum MessageTokenizer {
    /// The wildcard that stands for a variable, as in Drain and the loghub templates.
    public static let wildcard = "<*>"

    /// Bytes that are tokens of their own: `= : , ; ( ) [ ] { } < > " '`.
    @inline(__always)
    static func isDelimiterByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "\""), UInt8(ascii: "'"):
            return true
        default:
            return false
        }
    }

    /// The masked tokens of `message`.
    public static func tokens(_ message: some StringProtocol) -> [String] {
        let scanned = scan(message)
        return scanned.ranges.map { String(decoding: scanned.text[$0], as: UTF8.self) }
    }

    /// The masked tokens of `message` as ranges of one byte buffer (no `String` per token).
    static func scan(_ message: some StringProtocol) -> ScannedMessage {
        var scanned = ScannedMessage()
        scan(message, into: &scanned)
        return scanned
    }

    /// Scans into `scanned`, reusing its buffers.
    static func scan(_ message: some StringProtocol, into scanned: inout ScannedMessage) {
        scanned.text.removeAll(keepingCapacity: true)
        scanned.ranges.removeAll(keepingCapacity: true)
        scanned.wildcards.removeAll(keepingCapacity: true)
        if let done: Void = message.utf8.withContiguousStorageIfAvailable({ scanBytes($0, into: &scanned) }) {
            return done
        }
        var copy = String(message)
        copy.withUTF8 { scanBytes($0, into: &scanned) }
    }

    /// One pass over the bytes: pieces (runs between spaces and delimiters) are copied straight
    /// from the input, so nothing is allocated per token.
    private static func scanBytes(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout ScannedMessage) {
        var pieceStart = -1
        var pieceHasDigit = false
        var newWord = false
        var afterDelimiter = false
        var lastWasWildcard = false

        @inline(__always)
        func emit(_ start: Int, _ end: Int, wildcard: Bool) {
            let begin = out.text.count
            if newWord && !out.ranges.isEmpty { out.text.append(32) }
            if wildcard {
                out.text.append(contentsOf: [60, 42, 62])  // <*>
            } else {
                out.text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            }
            out.ranges.append(begin..<out.text.count)
            out.wildcards.append(wildcard)
            newWord = false
        }
        @inline(__always)
        func closePiece(_ end: Int) {
            guard pieceStart >= 0 else { return }
            let piece = UnsafeBufferPointer(rebasing: bytes[pieceStart..<end])
            if pieceHasDigit || isCalendarWord(piece) || (afterDelimiter && isLiteralValue(piece)) {
                // Adjacent variables within a word collapse into one wildcard.
                if !(lastWasWildcard && !newWord) { emit(0, 0, wildcard: true) }
                lastWasWildcard = true
            } else {
                emit(pieceStart, end, wildcard: false)
                lastWasWildcard = false
            }
            pieceStart = -1
            pieceHasDigit = false
        }
        for i in 0..<bytes.count {
            let byte = bytes[i]
            switch byte {
            case 32, 9, 10, 13:  // space, tab, newline, carriage return
                closePiece(i)
                newWord = true
                afterDelimiter = false
                lastWasWildcard = false
            case _ where isDelimiterByte(byte):
                closePiece(i)
                emit(i, i + 1, wildcard: false)
                afterDelimiter = true
                lastWasWildcard = false
            default:
                if pieceStart < 0 { pieceStart = i }
                if byte &- 48 < 10 { pieceHasDigit = true }
            }
        }
        closePiece(bytes.count)
    }

    /// Month and weekday names (`Jul`, `Monday`): parts of timestamps, so variables.
    @inline(__always)
    static func isCalendarWord(_ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        guard piece.count >= 3, piece.count <= 9, piece[0] >= 65, piece[0] <= 90 else { return false }
        let key = (UInt32(piece[0]) << 16) | (UInt32(piece[1] | 0x20) << 8) | UInt32(piece[2] | 0x20)
        guard calendarPrefixes.contains(key) else { return false }
        return piece.count == 3 || calendarWords.contains(Array(piece).map { $0 | 0x20 })
    }

    private static let calendarNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                                        "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"]
    private static let calendarPrefixes: Set<UInt32> = Set(calendarNames.map { name in
        let b = Array(name.utf8)
        return (UInt32(b[0] - 32) << 16) | (UInt32(b[1]) << 8) | UInt32(b[2])
    })
    private static let calendarWords: Set<[UInt8]> = Set(calendarNames.map { Array($0.utf8) } + ["sept", "tues", "thur", "thurs"].map { Array($0.utf8) })

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

/// A message's masked tokens: `text` holds them back to back, `ranges` delimit each one.
struct ScannedMessage {
    var text: [UInt8] = []
    var ranges: [Range<Int>] = []
    var wildcards: [Bool] = []
}
