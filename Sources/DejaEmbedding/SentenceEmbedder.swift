import DejaKernels
import Dispatch
import Foundation
import Synchronization

/// Turns text into sentence embeddings with a sentence-transformers BERT model folder, exactly as
/// `SentenceTransformer.encode(..., normalize_embeddings=True)` does (up to fp32 rounding).
public final class SentenceEmbedder {
    // Not Sendable: one caller at a time. Servers wrap it in an actor.
    public let configuration: ModelConfiguration
    public let tokenizer: WordPieceTokenizer
    /// The OpenBLAS kernel family in use (e.g. `SkylakeX`), for benchmark reports.
    public let blasKernels: String
    /// The kernel short batches run on: `avx512`, `avx2` (both over weights packed at load) or `blas`.
    public var smallBatchKernel: String { String(cString: deja_sgemm_rows_path()) }
    /// Identity of the model (folder name and weight-file size), for cache keys.
    public let modelIdentity: String
    /// Runs one batch on all threads (GEMMs split by columns): for latency.
    private let wideEncoder: BertEncoder
    /// One single-threaded encoder per thread, each on its own batches: for throughput.
    private let workerEncoders: [BertEncoder]
    private let weightsFile: SafeTensorsFile
    /// Threads one batch runs on (the caller and the encoder's helpers).
    public var threads: Int { workerEncoders.isEmpty ? 1 : workerEncoders.count }
    /// Most tokens in one batch, which bounds each worker's activation memory (about 14 KB a token, 28 MB a batch).
    public static let tokenBudget = 2048
    /// Companion texts' vectors (`embed(_:leaningToward:weight:)`), by text.
    private var companionVectors: [String: [Float]] = [:]
    /// Most companion vectors kept; past it the cache starts over.
    private static let companionsKept = 4096

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
        guard tokenizer.vocabularySize <= configuration.vocabularySize else {
            throw EmbeddingError.unsupported("vocab.txt", "\(tokenizer.vocabularySize) tokens but config.json's vocab_size is \(configuration.vocabularySize)")
        }
        weightsFile = try SafeTensorsFile(url: modelFolder.appendingPathComponent("model.safetensors"))
        let weights = try BertWeights(file: weightsFile, configuration: configuration)
        weightsFile.releaseResidentPages()
        let blas = try OpenBLAS.shared.get()
        blasKernels = blas.coreName
        let threads = max(1, threads)
        let configuration = configuration
        wideEncoder = BertEncoder(configuration: configuration, weights: weights, blas: blas, threads: threads)
        workerEncoders = threads == 1 ? [] : (0..<threads).map { _ in
            BertEncoder(configuration: configuration, weights: weights, blas: blas, threads: 1)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: weightsFile.path)[.size] as? Int) ?? 0
        modelIdentity = "\(modelFolder.standardizedFileURL.lastPathComponent)@\(size)"
    }

    /// Length of each embedding.
    public var dimension: Int { configuration.hiddenSize }

    /// Token ids of `text`, including `[CLS]` and `[SEP]`, truncated to the model's maximum length.
    public func tokenize(_ text: String) -> [Int32] { tokenizer.encode(text) }

    /// Embeds `texts`, returned in input order. `singleThreaded` keeps all the work on the
    /// calling thread (a background embedder at low priority, say); it calls `pause` before each
    /// matrix product, so that such an embedder can step aside for a search within milliseconds.
    public func embed(_ texts: [String], batchSize: Int = 32, singleThreaded: Bool = false, pause: (() -> Void)? = nil) -> [[Float]] {
        embed(tokenized: texts.map(tokenizer.encode), batchSize: batchSize, singleThreaded: singleThreaded, pause: pause)
    }

    /// Embeds each text leaning toward its companion text, where it has one: the unit vector of
    /// `embed(text) + weight × embed(companion)`. Companions repeat (one failure's plain name
    /// beside many messages), so each distinct one is embedded once and kept.
    public func embed(_ texts: [String], leaningToward companions: [String?], weight: Float, batchSize: Int = 32, singleThreaded: Bool = false,
                      pause: (() -> Void)? = nil) -> [[Float]] {
        precondition(texts.count == companions.count, "one companion (or nil) per text")
        var vectors = embed(texts, batchSize: batchSize, singleThreaded: singleThreaded, pause: pause)
        let missing = Set(companions.compactMap { $0 }.filter { companionVectors[$0] == nil }).sorted()
        if !missing.isEmpty {
            if companionVectors.count + missing.count > Self.companionsKept { companionVectors.removeAll(keepingCapacity: true) }
            for (companion, vector) in zip(missing, embed(missing, batchSize: batchSize, singleThreaded: singleThreaded, pause: pause)) {
                companionVectors[companion] = vector
            }
        }
        for (index, companion) in companions.enumerated() {
            guard let companion, let leaning = companionVectors[companion] else { continue }
            var sum = zip(vectors[index], leaning).map { $0 + weight * $1 }
            let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { for i in sum.indices { sum[i] /= norm } }
            vectors[index] = sum
        }
        return vectors
    }

    /// Embeds already tokenized texts in batches of similar length (longest first), in input order.
    public func embed(tokenized: [[Int32]], batchSize: Int = 32, singleThreaded: Bool = false, pause: (() -> Void)? = nil) -> [[Float]] {
        let h = dimension
        let batches = Self.batches(tokenized, batchSize: batchSize)
        let output = UnsafeMutablePointer<Float>.allocate(capacity: max(1, tokenized.count * h))
        defer { output.deallocate() }
        func run(_ encoder: BertEncoder, _ batch: [Int], _ scratch: UnsafeMutablePointer<Float>) {
            encoder.encode(batch.map { tokenized[$0] }, into: scratch, pause: singleThreaded ? pause : nil)
            for (i, index) in batch.enumerated() { (output + index * h).update(from: scratch + i * h, count: h) }
        }
        let workers = workerEncoders.count
        if workers > 1 && batches.count > 1 && !singleThreaded {
            // Each worker takes the next batch not yet taken (longest first, so the last to finish
            // waits at most for a short one), uses its own encoder and writes only its batches'
            // rows of `output`.
            nonisolated(unsafe) let run = run
            nonisolated(unsafe) let encoders = workerEncoders
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, batchSize) * h)
                defer { scratch.deallocate() }
                while case let b = next.add(1, ordering: .relaxed).oldValue, b < batches.count {
                    run(encoders[worker], batches[b], scratch)
                }
            }
        } else {
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, batchSize) * h)
            defer { scratch.deallocate() }
            let encoder = singleThreaded ? workerEncoders.first ?? wideEncoder : wideEncoder
            for batch in batches { run(encoder, batch, scratch) }
        }
        return (0..<tokenized.count).map { Array(UnsafeBufferPointer(start: output + $0 * h, count: h)) }
    }

    /// Input indices grouped longest first into batches of at most `batchSize` texts and
    /// `tokenBudget` tokens (a single longer text still gets a batch of its own).
    static func batches(_ tokenized: [[Int32]], batchSize: Int) -> [[Int]] {
        let order = tokenized.indices.sorted { tokenized[$0].count > tokenized[$1].count }
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for index in order {
            let length = tokenized[index].count
            if !current.isEmpty && (current.count == max(1, batchSize) || tokens + length > tokenBudget) {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(index)
            tokens += length
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
