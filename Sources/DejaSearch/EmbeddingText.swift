/// The text the model sees for a message: the normalized message with its placeholders (`<num>`,
/// `<ip>`, ...) dropped. They carry no meaning the model knows, and in a short message they crowd
/// out the words that do.
public enum EmbeddingText {
    public static func of(_ message: String) -> String {
        // Frames of a reduced stack trace (`at …` after the first line) say where, not what: the
        // exception lines carry the meaning.
        let lines = message.split(separator: "\n")
        let message = ([lines.first].compactMap { $0 } + lines.dropFirst().filter { !$0.hasPrefix("at ") }).joined(separator: "\n")
        var out = ""
        out.reserveCapacity(message.utf8.count)
        var rest = Substring(message)
        while let open = rest.range(of: "<") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            if let close = after.firstIndex(of: ">"), after[..<close].allSatisfy({ $0.isLowercase || $0 == "*" }), close > after.startIndex {
                rest = after[after.index(after: close)...]
            } else {
                out += "<"
                rest = after
            }
        }
        out += rest
        return out.split(whereSeparator: { $0 == " " }).joined(separator: " ")
    }
}
