/// Splits a message into the tokens the pattern miner compares, masking variable parts.
///
/// Tokens are separated by whitespace. Within a token, runs between delimiters (`= : , ; ( ) [ ] { } < > " '`)
/// that contain a digit, and the literals `true`, `false`, `null`, `nil` and `none` after a
/// delimiter (values, as in `ready=true`), are variables and become `<*>`; so `size=1024` reads
/// `size=<*>` and `/10.0.0.1:50010` reads `<*>:<*>`. One rule for every log source: no per-dataset regexes.
public enum MessageTokenizer {
    /// The wildcard that stands for a variable, as in Drain and the loghub templates.
    public static let wildcard = "<*>"

    /// The masked tokens of `message`.
    public static func tokens(_ message: some StringProtocol) -> [String] {
        var tokens: [String] = []
        var current: [UInt8] = []
        var segment: [UInt8] = []
        var segmentHasDigit = false

        func closeSegment() {
            if segmentHasDigit || (!current.isEmpty && isLiteralValue(segment)) {
                // Adjacent variables collapse into one wildcard.
                if !current.ends(with: wildcardBytes) { current += wildcardBytes }
            } else {
                current += segment
            }
            segment.removeAll(keepingCapacity: true)
            segmentHasDigit = false
        }
        func closeToken() {
            closeSegment()
            if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for byte in message.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                closeToken()
            case UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: ";"),
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"),
                 UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                 UInt8(ascii: "\""), UInt8(ascii: "'"):
                closeSegment()
                current.append(byte)
            default:
                segment.append(byte)
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { segmentHasDigit = true }
            }
        }
        closeToken()
        return tokens
    }

    private static let wildcardBytes = Array(wildcard.utf8)

    private static let literalValues: Set<[UInt8]> = Set(["true", "false", "null", "nil", "none"].flatMap { word in
        [word, word.prefix(1).uppercased() + word.dropFirst(), word.uppercased()].map { Array($0.utf8) }
    })

    private static func isLiteralValue(_ segment: [UInt8]) -> Bool {
        segment.count >= 3 && segment.count <= 5 && literalValues.contains(segment)
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
