
/// The text the model sees for an event body or a query: the text itself, led by the plain names of
/// the failure families it shows (`ErrorConcepts`), so that the same failure worded by different
/// ecosystems lands close together. Leading, because the model reads at most 256 word pieces and a
/// long stack trace would cut off a suffix.
public enum EmbeddingText {
    public static func of(_ text: String) -> String {
        let names = ErrorConcepts.names(in: text)
        return names.isEmpty ? text : names.joined(separator: "; ") + ": " + text
    }
}
