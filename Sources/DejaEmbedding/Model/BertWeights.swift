import DejaKernels
import Foundation

/// A dense layer's weight, `[in, out]` row-major, and, where the CPU runs DejaKernels, the same
/// matrix packed into 32-column panels for GEMMs over few rows.
struct DenseWeight: Sendable {
    let inputs: Int
    let outputs: Int
    let matrix: FloatTensor
    let panels: FloatTensor?

    static let packs = deja_sgemm_rows_supported()

    /// From a PyTorch `[out, in]` weight.
    init(pytorch weight: FloatTensor, outputs: Int, inputs: Int) {
        self.init(matrix: weight.transposed(rows: outputs, columns: inputs), inputs: inputs, outputs: outputs)
    }

    init(matrix: FloatTensor, inputs: Int, outputs: Int) {
        self.inputs = inputs
        self.outputs = outputs
        self.matrix = matrix
        let panelCount = (outputs + 31) / 32
        panels = !Self.packs ? nil : FloatTensor(count: panelCount * inputs * 32) { out in
            out.initialize(repeating: 0, count: panelCount * inputs * 32)
            for column in 0..<outputs {
                let panel = out + (column / 32) * inputs * 32 + column % 32
                for row in 0..<inputs { panel[row * 32] = matrix.pointer[row * outputs + column] }
            }
        }
    }
}

/// The tensors of one BERT encoder layer. Dense weights are stored transposed, `[in, out]`
/// (PyTorch keeps `[out, in]`), so that OpenBLAS packs them with a contiguous copy rather than a
/// strided transpose.
struct BertLayerWeights: Sendable {
    /// Query, key and value projections side by side, `[H, 3H]`: one GEMM instead of three.
    let qkvWeight: DenseWeight
    let qkvBias: FloatTensor
    let attentionOutputWeight: DenseWeight
    let attentionOutputBias: FloatTensor
    let attentionNormGamma: FloatTensor
    let attentionNormBeta: FloatTensor
    let intermediateWeight: DenseWeight
    let intermediateBias: FloatTensor
    let outputWeight: DenseWeight
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
            let qkvWeight = DenseWeight(matrix: FloatTensor(count: 3 * h * h) { out in
                for (i, part) in parts.enumerated() {
                    for o in 0..<h { for j in 0..<h { out[j * 3 * h + i * h + o] = part.0.pointer[o * h + j] } }
                }
            }, inputs: h, outputs: 3 * h)
            let qkvBias = FloatTensor(count: 3 * h) { out in
                for (i, part) in parts.enumerated() { (out + i * h).update(from: part.1.pointer, count: h) }
            }
            let attentionNorm = try norm(p + "attention.output.LayerNorm")
            let outputNorm = try norm(p + "output.LayerNorm")
            return BertLayerWeights(
                qkvWeight: qkvWeight, qkvBias: qkvBias,
                attentionOutputWeight: DenseWeight(pytorch: try tensor(p + "attention.output.dense.weight", [h, h]), outputs: h, inputs: h),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: attentionNorm.0, attentionNormBeta: attentionNorm.1,
                intermediateWeight: DenseWeight(pytorch: try tensor(p + "intermediate.dense.weight", [c.intermediateSize, h]), outputs: c.intermediateSize, inputs: h),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [c.intermediateSize]),
                outputWeight: DenseWeight(pytorch: try tensor(p + "output.dense.weight", [h, c.intermediateSize]), outputs: h, inputs: c.intermediateSize),
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
