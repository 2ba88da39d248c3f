import Foundation

/// Turns text into sentence embeddings with a sentence-transformers BERT model folder, exactly as
/// `SentenceTransformer.encode(..., normalize_embeddings=True)` does (up to fp32 rounding).
public final class SentenceEmbedder {
    // Not Sendable: one caller at a time. Servers wrap it in an actor.
    public let configuration: ModelConfiguration
    public let tokenizer: WordPieceTokenizer
    /// Identity of the model (folder name and weight-file size), for cache keys.
    public let modelIdentity: String
    private let encoder: BertEncoder
    private let weightsFile: SafeTensorsFile

    /// The folder Deja uses when none is given: `$DEJA_MODEL_DIR`, else `~/.cache/deja/models/all-MiniLM-L6-v2`.
    public static var defaultModelFolder: URL {
        if let path = ProcessInfo.processInfo.environment["DEJA_MODEL_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/deja/models/all-MiniLM-L6-v2")
    }

    /// Loads the model folder; `threads` bounds the BLAS and encoder threads.
    public init(modelFolder: URL = SentenceEmbedder.defaultModelFolder, threads: Int = 1) throws {
        configuration = try ModelConfiguration(folder: modelFolder)
        tokenizer = try WordPieceTokenizer(vocabularyFile: modelFolder.appendingPathComponent("vocab.txt"),
                                           options: configuration.tokenizer)
        weightsFile = try SafeTensorsFile(url: modelFolder.appendingPathComponent("model.safetensors"))
        let weights = try BertWeights(file: weightsFile, configuration: configuration)
        encoder = BertEncoder(configuration: configuration, weights: weights, blas: try OpenBLAS.shared.get(), threads: threads)
        let size = (try? FileManager.default.attributesOfItem(atPath: weightsFile.path)[.size] as? Int) ?? 0
        modelIdentity = "\(modelFolder.standardizedFileURL.lastPathComponent)@\(size)"
    }

    /// Length of each embedding.
    public var dimension: Int { configuration.hiddenSize }

    /// Token ids of `text`, including `[CLS]` and `[SEP]`, truncated to the model's maximum length.
    public func tokenize(_ text: String) -> [Int32] { tokenizer.encode(text) }

    /// Embeds `texts`, returned in input order.
    public func embed(_ texts: [String], batchSize: Int = 32) -> [[Float]] {
        embed(tokenized: texts.map(tokenizer.encode), batchSize: batchSize)
    }

    /// Embeds already tokenized texts in batches of similar length (longest first), in input order.
    public func embed(tokenized: [[Int32]], batchSize: Int = 32) -> [[Float]] {
        let h = dimension
        let order = tokenized.indices.sorted { tokenized[$0].count > tokenized[$1].count }
        var results = [[Float]](repeating: [], count: tokenized.count)
        let output = UnsafeMutablePointer<Float>.allocate(capacity: max(1, batchSize) * h)
        defer { output.deallocate() }
        var start = 0
        while start < order.count {
            let batch = Array(order[start..<min(order.count, start + max(1, batchSize))])
            encoder.encode(batch.map { tokenized[$0] }, into: output)
            for (i, index) in batch.enumerated() {
                results[index] = Array(UnsafeBufferPointer(start: output + i * h, count: h))
            }
            start += batch.count
        }
        return results
    }
}
