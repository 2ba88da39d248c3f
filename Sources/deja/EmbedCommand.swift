import ArgumentParser
import DejaEmbedding
import DejaIngest
import Foundation

/// `deja embed`: text in, one JSON embedding per input line out, in input order.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed lines of text with the sentence-embedding model.",
        discussion: """
        Input is one text per line (plain), or JSON objects with a "text" field (--jsonl). Output is \
        JSONL, one {"embedding": [...]} per input, in input order. Invalid UTF-8 in plain input is \
        replaced with U+FFFD, which the tokenizer drops as the reference tokenizer does; in --jsonl \
        input, a line that is not valid JSON is rejected with its line number.
        """
    )

    @Argument(help: "Input file (standard input when omitted or '-').")
    var file: String?

    @Flag(help: "Input lines are JSON objects with a \"text\" field.")
    var jsonl = false

    @Flag(help: "Also print the token ids of each input as \"input_ids\".")
    var tokens = false

    @OptionGroup var model: ModelOptions

    mutating func run() throws {
        let embedder = try model.load()
        var reader = try LineReader(path: file)
        var output = OutputBuffer()
        var lineNumber = 0
        var pending: [String] = []
        let embedded = ProgressCounter()
        let started = Date()
        let progress = ProgressLine {
            let count = embedded.value
            return "embedded \(ProgressLine.count(count)) texts (\(ProgressLine.count(Int(Double(count) / max(Date().timeIntervalSince(started), 1e-3))))/s)"
        }
        progress.start()
        defer { progress.stop() }

        func emit() {
            let ids = pending.map(embedder.tokenize)
            let vectors = embedder.embed(tokenized: ids, batchSize: model.batchSize)
            for (index, vector) in vectors.enumerated() {
                output.append("{\"embedding\":[")
                output.append(vector.map(\.description).joined(separator: ","))
                output.append("]")
                if tokens { output.append(",\"input_ids\":[\(ids[index].map(String.init).joined(separator: ","))]") }
                output.append("}\n")
            }
            output.flushIfLarge()
            embedded.add(pending.count)
            pending.removeAll(keepingCapacity: true)
        }

        while let line = reader.next() {
            lineNumber += 1
            pending.append(jsonl ? try Self.text(fromJSON: line, lineNumber: lineNumber) : line)
            // Chunks bound memory on endless input; within a chunk, batches are sorted by length.
            if pending.count == 4096 { emit() }
        }
        emit()
        if let failure = reader.failure { throw failure }
        output.flush()
    }

    static func text(fromJSON line: String, lineNumber: Int) throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw CLIError("line \(lineNumber): not a JSON object")
        }
        guard let text = object["text"] as? String else {
            throw CLIError("line \(lineNumber): no string field \"text\"")
        }
        return text
    }
}

/// Options shared by every command that runs the model.
struct ModelOptions: ParsableArguments {
    @Option(help: "Sentence-transformers model folder (default: $DEJA_MODEL_DIR or ~/.cache/deja/models/all-MiniLM-L6-v2).")
    var model: String?

    @Option(help: "Texts per forward pass.")
    var batchSize = 32

    @Option(help: "Threads for the encoder and OpenBLAS.")
    var threads = 2

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
    }

    func load() throws -> SentenceEmbedder {
        do {
            return try SentenceEmbedder(modelFolder: model.map(URL.init(fileURLWithPath:)) ?? SentenceEmbedder.defaultModelFolder,
                                        threads: threads)
        } catch let error as EmbeddingError {
            throw CLIError(error.description)
        }
    }
}
