/// Exception and error type names as written in messages and traces (`BulkheadFullException`,
/// `KafkaJSProtocolError`), and their words.
enum TypeName {
    /// Suffixes that make a CamelCase word a failure's type.
    static let suffixes = ["Exception", "Error", "Fault", "Failure"]

    /// The CamelCase words of `text` that end in one of `suffixes` and have a word before it.
    static func names(in text: String) -> [Substring] {
        var names: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        func close() {
            let word = text[start..<index]
            if word.first?.isUppercase == true, let suffix = suffixes.first(where: word.hasSuffix), word.count > suffix.count,
               word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                names.append(word)
            }
        }
        while index < text.endIndex {
            let character = text[index]
            if !(character.isASCII && (character.isLetter || character.isNumber)) {
                close()
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        close()
        return names
    }

    /// A CamelCase name's words, lower-cased and spaced, split as metric names are; a run of
    /// capitals is one word (`KafkaJSProtocolError` → `kafka js protocol error`).
    static func words(of name: Substring) -> String {
        MetricNameWords.split(String(name)).joined(separator: " ")
    }
}
