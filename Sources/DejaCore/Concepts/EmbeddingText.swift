/// The text the model sees for an event body or a query: a stack trace reduced to what identifies
/// the failure (`StackTraceReducer`), led by the plain words of the failure conditions it shows
/// (`FailureTaxonomy`), so that the same failure worded by different ecosystems lands close
/// together. Leading, because the model reads at most 256 word pieces and would cut off a suffix.
/// Events and queries go through the same function: a pasted trace meets stored traces on equal terms.
public struct EmbeddingText: Sendable, Equatable {
    /// The conditions' words, then what the model reads of the (reduced) text (`ModelWords`).
    public let text: String
    /// The labels of the conditions the (reduced) text shows (`FailureTaxonomy.labels`).
    public let labels: [String]
    /// The conditions' words alone, when the text shows any: the vector leans toward them
    /// (`conditionWeight`), since beside a long message they are only a few of the words the
    /// model averages, and a question in plain words ("calls are timing out") meets them there.
    public let conditions: String?

    /// How far a vector leans toward its conditions' words: the vector is the unit vector of
    /// `embed(text) + conditionWeight × embed(conditions)`. Chosen on half of the development set
    /// (`eval/devset`) and checked on the other half (docs/search-quality.md).
    public static let conditionWeight: Float = 0.5

    /// How texts are made and leaned, as a fingerprint stored with each vector: a store's vectors
    /// of another recipe (an earlier release's) are embedded again. The taxonomy and the leaning
    /// weight count by themselves; `version` is raised when the text's form changes.
    public static let recipe: String = {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in FailureTaxonomy.table.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "\(version)/\(conditionWeight)/\(String(hash, radix: 16))"
    }()

    /// The form of the text: the trace reduction and how conditions lead and lean. 2: Node.js's
    /// error properties, Go's goroutine creators and Rails's gem frames reduced. 4: `ModelWords`.
    static let version = 4

    public init(_ text: String) {
        let reduced = text.utf8.contains(10) ? StackTraceReducer.reduce(text) ?? text : text
        let known = FailureTaxonomy.labels(in: reduced)
        labels = Array((known + FailureTaxonomy.typeNameLabels(in: reduced).filter { !known.contains($0) }).prefix(FailureTaxonomy.labelLimit))
        conditions = labels.isEmpty ? nil : labels.joined(separator: "; ")
        let words = ModelWords.of(reduced)
        self.text = conditions.map { $0 + ": " + words } ?? words
    }
}
