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
        var text = String(message)
        return text.withUTF8 { bytes in
            var state = TokenizerState()
            for byte in bytes { state.consume(byte) }
            state.closePiece()
            return state.tokens
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

/// The tokenizer's running state over one message's bytes.
private struct TokenizerState {
    var tokens: [String] = []
    var piece: [UInt8] = []
    var pieceHasDigit = false
    var newWord = false
    var afterDelimiter = false
    var lastWasWildcard = false

    init() { piece.reserveCapacity(64) }

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
            emitDelimiter(byte)
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
            if !(lastWasWildcard && !newWord) { emit(MessageTokenizer.wildcardBytes) }
            lastWasWildcard = true
        } else {
            emit(piece)
            lastWasWildcard = false
        }
        piece.removeAll(keepingCapacity: true)
        pieceHasDigit = false
    }

    /// Delimiter tokens, bare and after a space, made once.
    private static let delimiterTokens: [UInt8: (bare: String, spaced: String)] = Dictionary(uniqueKeysWithValues:
        (0..<128).map(UInt8.init).filter(MessageTokenizer.isDelimiterByte).map { byte in
            let text = String(UnicodeScalar(byte))
            return (byte, (text, " " + text))
        })

    private mutating func emitDelimiter(_ byte: UInt8) {
        let token = Self.delimiterTokens[byte]!
        tokens.append(newWord && !tokens.isEmpty ? token.spaced : token.bare)
        newWord = false
    }

    private mutating func emit(_ bytes: [UInt8]) {
        if newWord && !tokens.isEmpty {
            tokens.append(" " + String(decoding: bytes, as: UTF8.self))
        } else {
            tokens.append(String(decoding: bytes, as: UTF8.self))
        }
        newWord = false
    }
}
