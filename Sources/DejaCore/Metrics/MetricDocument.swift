import Foundation

/// The text that identifies a metric, to embed and to match words against: its name in plain
/// words, its HELP, what its type and suffix say, its unit, label names and exporters.
public struct MetricDocument: Sendable, Hashable {
    public let metadata: MetricMetadata
    /// What the embedding model reads.
    public let text: String
    /// Lowercased words for keyword matching (name words and their meanings, HELP, labels, jobs).
    public let terms: [String]

    public init(_ metadata: MetricMetadata) {
        self.metadata = metadata
        let nameWords = MetricNameWords.expanded(metadata.metric)
        var sentences = [nameWords.joined(separator: " ")]
        var help = metadata.help.trimmingCharacters(in: .whitespaces)
        if help.isEmpty { help = SyntheticSeries.help[metadata.metric] ?? "" }
        while help.hasSuffix(".") { help.removeLast() }
        if !help.isEmpty { sentences.append(help) }
        if let meaning = MetricNameWords.suffixMeaning(metadata.metric, type: metadata.type) {
            sentences.append(meaning)
        } else if let typeMeaning = Self.typeMeaning[metadata.type] {
            sentences.append(typeMeaning)
        }
        if !metadata.unit.isEmpty { sentences.append("unit \(metadata.unit)") }
        text = sentences.joined(separator: ". ")
        terms = nameWords + Self.words(help) + metadata.labels.flatMap(MetricNameWords.split)
            + metadata.jobs.flatMap(MetricNameWords.split) + [metadata.type]
    }

    static let typeMeaning = [
        "counter": "counter: a running total, read as a rate per second",
        "gauge": "gauge: a current value that goes up and down",
        "histogram": "histogram: a distribution, read as quantiles",
        "summary": "summary: quantiles of observations",
    ]

    /// Lowercased words of free text (letters and digits), plurals folded.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.map(stem)
    }

    /// A light stem: `errors` → `error`, `bytes` stays (`bytes` is a unit word).
    public static func stem(_ word: String) -> String {
        guard word.count > 3, word.hasSuffix("s"), !word.hasSuffix("ss"), !word.hasSuffix("us"), !word.hasSuffix("is") else { return word }
        if word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        return String(word.dropLast())
    }
}
