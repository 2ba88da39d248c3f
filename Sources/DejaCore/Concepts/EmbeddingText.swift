/// The text the model sees for an event body or a query: a stack trace reduced to what identifies
/// the failure (`StackTraceReducer`), led by the plain words of the failure conditions it shows
/// (`FailureTaxonomy`), so that the same failure worded by different ecosystems lands close
/// together. Leading, because the model reads at most 256 word pieces and would cut off a suffix.
/// Events and queries go through the same function: a pasted trace meets stored traces on equal terms.
public enum EmbeddingText {
    public static func of(_ text: String) -> String {
        let reduced = text.utf8.contains(10) ? StackTraceReducer.reduce(text) ?? text : text
        let labels = FailureTaxonomy.labels(in: reduced)
        return labels.isEmpty ? reduced : labels.joined(separator: "; ") + ": " + reduced
    }
}
