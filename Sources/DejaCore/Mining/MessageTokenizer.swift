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

    /// One pass over the bytes: pieces (runs between spaces and delimiters) are copied straight
    /// from the input, so nothing is allocated per token.
    private static func scanBytes(_ bytes: UnsafeBufferPointer<UInt8>, into out: ScannedMessage) {
        var pieceStart = -1
        var pieceHasDigit = false
        var newWord = false
        var afterDelimiter = false
        var lastWasWildcard = false

        out.reserve(bytes.count * 2 + 8)  // at most: every byte a token, each with a space, or `<*>`
        @inline(__always)
        func emit(_ start: Int, _ end: Int, wildcard: Bool) {
            out.append(space: newWord && out.count > 0, bytes: wildcard ? nil : UnsafeBufferPointer(rebasing: bytes[start..<end]))
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
            let bit: UInt64 = 1 &<< UInt64(byte & 63)
            if byte < 64 && spaceBytes & bit != 0 {
                closePiece(i)
                newWord = true
                afterDelimiter = false
                lastWasWildcard = false
            } else if byte < 128 && (byte < 64 ? delimiterBytesLow : delimiterBytesHigh) & bit != 0 {
                closePiece(i)
                emit(i, i + 1, wildcard: false)
                afterDelimiter = true
                lastWasWildcard = false
            } else {
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
