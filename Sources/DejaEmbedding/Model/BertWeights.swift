import Foundation

/// The tensors of one BERT encoder layer. Dense weights are stored transposed, `[in, out]`
/// (PyTorch keeps `[out, in]`): OpenBLAS then packs them with a contiguous copy instead of a
/// strided transpose, which dominated the time of short batches.
struct BertLayerWeights: Sendable {
    /// Query, key and value projections side by side, `[H, 3H]`: one GEMM instead of three.
    let qkvWeight: FloatTensor
    let qkvBias: FloatTensor
    let attentionOutputWeight: FloatTensor
    let attentionOutputBias: FloatTensor
    let attentionNormGamma: FloatTensor
    let attentionNormBeta: FloatTensor
    let intermediateWeight: FloatTensor
    let intermediateBias: FloatTensor
    let outputWeight: FloatTensor
    let outputBias: FloatTensor
    let outputNormGamma: FloatTensor
    let outputNormBeta: FloatTensor
}

/// All encoder tensors of a BERT model, checked against its configuration.
struct BertWeights: Sendable {
    let wordEmbeddings: FloatTensor
    let positionEmbeddings: FloatTensor
    let tokenTypeEmbeddings: FloatTensor
    let embeddingNormGamma: FloatTensor
    let embeddingNormBeta: FloatTensor
    let layers: [BertLayerWeights]

    init(file: SafeTensorsFile, configuration c: ModelConfiguration) throws {
        // Checkpoints name tensors with or without a `bert.` (or other) prefix.
        let anchor = "embeddings.word_embeddings.weight"
        guard let anchorName = file.tensorNames.filter({ $0.hasSuffix(anchor) }).min(by: { $0.count < $1.count }) else {
            throw EmbeddingError.missingTensor(anchor)
        }
        let prefix = String(anchorName.dropLast(anchor.count))
        func tensor(_ name: String, _ shape: [Int]) throws -> FloatTensor {
            try file.floatTensor(prefix + name, shape: shape)
        }
        // Older checkpoints call LayerNorm parameters gamma/beta.
        func norm(_ base: String) throws -> (FloatTensor, FloatTensor) {
            let legacy = file.shape(of: prefix + base + ".gamma") != nil
            return (try tensor(base + (legacy ? ".gamma" : ".weight"), [c.hiddenSize]),
                    try tensor(base + (legacy ? ".beta" : ".bias"), [c.hiddenSize]))
        }
        let h = c.hiddenSize
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        (embeddingNormGamma, embeddingNormBeta) = try norm("embeddings.LayerNorm")
        layers = try (0..<c.layerCount).map { index in
            let p = "encoder.layer.\(index)."
            let parts = try ["query", "key", "value"].map { name in
                (try tensor(p + "attention.self.\(name).weight", [h, h]), try tensor(p + "attention.self.\(name).bias", [h]))
            }
            let qkvWeight = FloatTensor(count: 3 * h * h) { out in
                for (i, part) in parts.enumerated() {
                    for o in 0..<h { for j in 0..<h { out[j * 3 * h + i * h + o] = part.0.pointer[o * h + j] } }
                }
            }
            let qkvBias = FloatTensor(count: 3 * h) { out in
                for (i, part) in parts.enumerated() { (out + i * h).update(from: part.1.pointer, count: h) }
            }
            let attentionNorm = try norm(p + "attention.output.LayerNorm")
            let outputNorm = try norm(p + "output.LayerNorm")
            return BertLayerWeights(
                qkvWeight: qkvWeight, qkvBias: qkvBias,
                attentionOutputWeight: try tensor(p + "attention.output.dense.weight", [h, h]).transposed(rows: h, columns: h),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: attentionNorm.0, attentionNormBeta: attentionNorm.1,
                intermediateWeight: try tensor(p + "intermediate.dense.weight", [c.intermediateSize, h]).transposed(rows: c.intermediateSize, columns: h),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [c.intermediateSize]),
                outputWeight: try tensor(p + "output.dense.weight", [h, c.intermediateSize]).transposed(rows: h, columns: c.intermediateSize),
                outputBias: try tensor(p + "output.dense.bias", [h]),
                outputNormGamma: outputNorm.0, outputNormBeta: outputNorm.1)
        }
    }
}

extension FloatTensor {
    /// The `[columns, rows]` transpose of this `[rows, columns]` matrix.
    func transposed(rows: Int, columns: Int) -> FloatTensor {
        FloatTensor(count: rows * columns) { out in
            for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = pointer[r * columns + c] } }
        }
    }
}
