/// Splits a message into the tokens the pattern miner compares, masking variable parts.
///
/// Words are separated by whitespace, and within a word each delimiter (`= : , ; ( ) [ ] { } < > " '`)
/// is a token of its own, so `ready=true,policy=3` compares key by key. A token that starts a new
/// word (all but the first) carries a leading space, so joining the tokens gives the text back.
/// Tokens that contain a digit, and the literals `true`, `false`, `null`, `nil` and `none` after a
/// delimiter, are variables and become `<*>`; adjacent variables in a word collapse into one.
/// One rule for every log source: no per-dataset regexes.
public enum MessageTokenizer {
    /// The wildcard that stands for a variable, as in Drain and the loghub templates.
    public static let wildcard = "<*>"

    /// True for `<*>` with or without its leading space.
    @inline(__always)
    public static func isWildcard(_ token: String) -> Bool {
        token == wildcard || token == spacedWildcard
    }

    /// True for a token that is a single delimiter (`=`, `:`, `(`, …).
    @inline(__always)
    public static func isDelimiter(_ token: String) -> Bool {
        var bytes = token.utf8.makeIterator()
        guard let first = bytes.next(), bytes.next() == nil else { return false }
        return isDelimiterByte(first)
    }

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

    /// `<*>`, keeping the leading space of `token`.
    public static func wildcard(replacing token: String) -> String {
        token.utf8.first == UInt8(ascii: " ") ? spacedWildcard : wildcard
    }

    /// The masked tokens of `message`.
    public static func tokens(_ message: some StringProtocol) -> [String] {
        let scanned = scan(message)
        return scanned.ranges.map { String(decoding: scanned.text[$0], as: UTF8.self) }
    }

    /// The masked tokens of `message` as ranges of one byte buffer (no `String` per token).
    static func scan(_ message: some StringProtocol) -> ScannedMessage {
        var text = String(message)
        return text.withUTF8 { bytes in
            var state = TokenizerState()
            for byte in bytes { state.consume(byte) }
            state.closePiece()
            return state.scanned
        }
    }

    static let wildcardBytes = Array(wildcard.utf8)
    private static let spacedWildcard = " " + wildcard

    private static let literalValues: Set<[UInt8]> = Set(["true", "false", "null", "nil", "none"].flatMap { word in
        [word, word.prefix(1).uppercased() + word.dropFirst(), word.uppercased()].map { Array($0.utf8) }
    })

    static func isLiteralValue(_ piece: [UInt8]) -> Bool {
        piece.count >= 3 && piece.count <= 5 && literalValues.contains(piece)
    }
}

/// A message's masked tokens: `text` holds them back to back, `ranges` delimit each one.
struct ScannedMessage {
    var text: [UInt8] = []
    var ranges: [Range<Int>] = []
    var wildcards: [Bool] = []
}

/// The tokenizer's running state over one message's bytes.
private struct TokenizerState {
    var scanned = ScannedMessage()
    var piece: [UInt8] = []
    var pieceHasDigit = false
    var newWord = false
    var afterDelimiter = false
    var lastWasWildcard = false

    init() {
        piece.reserveCapacity(64)
        scanned.text.reserveCapacity(256)
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            closePiece()
            newWord = true
            afterDelimiter = false
            lastWasWildcard = false
        case _ where MessageTokenizer.isDelimiterByte(byte):
            closePiece()
            emit(CollectionOfOne(byte), wildcard: false)
            afterDelimiter = true
            lastWasWildcard = false
        default:
            piece.append(byte)
            if byte &- UInt8(ascii: "0") < 10 { pieceHasDigit = true }
        }
    }

    mutating func closePiece() {
        guard !piece.isEmpty else { return }
        if pieceHasDigit || (afterDelimiter && MessageTokenizer.isLiteralValue(piece)) {
            // Adjacent variables within a word collapse into one wildcard.
            if !(lastWasWildcard && !newWord) { emit(MessageTokenizer.wildcardBytes, wildcard: true) }
            lastWasWildcard = true
        } else {
            emit(piece, wildcard: false)
            lastWasWildcard = false
        }
        piece.removeAll(keepingCapacity: true)
        pieceHasDigit = false
    }

    @inline(__always)
    private mutating func emit(_ bytes: some Collection<UInt8>, wildcard: Bool) {
        let start = scanned.text.count
        if newWord && !scanned.ranges.isEmpty { scanned.text.append(UInt8(ascii: " ")) }
        scanned.text.append(contentsOf: bytes)
        scanned.ranges.append(start..<scanned.text.count)
        scanned.wildcards.append(wildcard)
        newWord = false
    }
}
