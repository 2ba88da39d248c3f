import COpenBLAS
import DejaKernels
import Dispatch
import Foundation

/// A BERT encoder forward pass over OpenBLAS, followed by sentence pooling.
///
/// Sequences of a batch are packed end to end without padding: the dense layers run as one GEMM
/// over all tokens, attention runs per sequence over its own length. So no FLOP is spent on
/// padding and no attention mask is needed, and each result equals the unpadded batch-1 one.
/// Deja runs the threads itself (`WorkerTeam`): each GEMM is split by output columns across them,
/// each calling single-threaded OpenBLAS or DejaKernels, so no BLAS worker threads spin between calls.
final class BertEncoder {
    // Not Sendable: owns a reusable workspace; one caller at a time (SentenceEmbedder guards it).
    let configuration: ModelConfiguration
    private let weights: BertWeights
    private let threads: Int
    private let sgemm: OpenBLAS.SGEMM
    private let workspace = Workspace()
    private let team: WorkerTeam
    /// `encode`'s pause, for the duration of the call.
    private var pause: (() -> Void)?
    /// Below this many rows, GEMMs use DejaKernels' pre-packed weights instead of OpenBLAS.
    static let smallRowLimit = 64

    init(configuration: ModelConfiguration, weights: BertWeights, blas: OpenBLAS, threads: Int) {
        self.configuration = configuration
        self.weights = weights
        self.sgemm = blas.sgemm
        self.threads = max(1, threads)
        team = WorkerTeam(workers: self.threads)
    }

    /// Encodes `sequences` (token ids including `[CLS]`/`[SEP]`) and writes one pooled (and, if the
    /// model says so, L2-normalized) vector of `hiddenSize` floats per sequence into `output`.
    /// `pause` is called before each matrix product (a few milliseconds apart), to let other work go first.
    func encode(_ sequences: [[Int32]], into output: UnsafeMutablePointer<Float>, pause: (() -> Void)? = nil) {
        self.pause = pause
        defer { self.pause = nil }
        let c = configuration
        let h = c.hiddenSize
        let offsets = sequences.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        let tokens = offsets.last!
        let longest = sequences.map(\.count).max() ?? 0
        workspace.reserve(tokens: tokens, hidden: h, intermediate: c.intermediateSize, longest: longest,
                          headSize: c.headSize, threads: threads)
        let hidden = workspace.hidden

        embed(sequences, offsets: offsets, into: hidden)
        for layer in weights.layers {
            attentionBlock(layer, offsets: offsets, tokens: tokens)
            feedForwardBlock(layer, tokens: tokens)
        }
        pool(offsets: offsets, into: output)
    }

    // MARK: - Embeddings

    private func embed(_ sequences: [[Int32]], offsets: [Int], into hidden: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize
        let word = weights.wordEmbeddings.pointer
        let position = weights.positionEmbeddings.pointer
        let tokenType = weights.tokenTypeEmbeddings.pointer  // every token has type 0
        for (s, ids) in sequences.enumerated() {
            for (p, id) in ids.enumerated() {
                let row = hidden + (offsets[s] + p) * h
                let w = word + Int(id) * h
                let pos = position + p * h
                for i in 0..<h { row[i] = w[i] + pos[i] + tokenType[i] }
            }
        }
        layerNorm(hidden, rows: offsets.last!, gamma: weights.embeddingNormGamma, beta: weights.embeddingNormBeta)
    }

    // MARK: - Attention

    private func attentionBlock(_ layer: BertLayerWeights, offsets: [Int], tokens: Int) {
        let c = configuration
        let h = c.hiddenSize
        let hidden = workspace.hidden
        let qkv = workspace.qkv
        let context = workspace.context

        // qkv = hidden · Wqkvᵀ + b
        gemm(tokens, hidden, layer.qkvWeight, qkv, startingFrom: layer.qkvBias)

        // Per (sequence, head): softmax(Q·Kᵀ / √d) · V, written into the head's columns of `context`.
        let d = c.headSize
        let scale = 1 / Float(d).squareRoot()
        let jobs = (offsets.count - 1) * c.headCount
        let scoresBase = workspace.scores
        let scoresStride = workspace.scoresStride
        let panelsBase = workspace.headPanels
        let panelsStride = workspace.headPanelsStride
        let sgemm = self.sgemm
        let packedKernels = deja_sgemm_rows_supported()
        parallelFor(jobs) { job, worker in
            let s = job / c.headCount
            let head = job % c.headCount
            let n = offsets[s + 1] - offsets[s]
            let q = qkv + offsets[s] * 3 * h + head * d
            let scores = scoresBase + worker * scoresStride
            let out = context + offsets[s] * h + head * d
            if packedKernels {
                // The head's K and V are packed here as the kernels' weight panels (a few KB), in
                // place of the packing and setup BLAS repeats on every one of these small products.
                let panels = panelsBase + worker * panelsStride
                deja_pack_transposed(q + h, n, d, 3 * h, scale, panels)
                scores.update(repeating: 0, count: n * n)
                deja_sgemm_rows(n, d, q, 3 * h, panels, n, scores, n, 0, n)
                deja_softmax_rows(scores, n, n)
                Self.pack(q + 2 * h, rows: n, columns: d, stride: 3 * h, into: panels)
                for row in 0..<n { (out + row * h).update(repeating: 0, count: d) }
                deja_sgemm_rows(n, n, scores, n, panels, d, out, h, 0, d)
            } else {
                sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(d),
                      scale, q, Int32(3 * h), q + h, Int32(3 * h), 0, scores, Int32(n))
                deja_softmax_rows(scores, n, n)
                sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(d), Int32(n),
                      1, scores, Int32(n), q + 2 * h, Int32(3 * h), 0, out, Int32(h))
            }
        }

        // hidden = LayerNorm(hidden + context · Woᵀ + b)
        gemm(tokens, context, layer.attentionOutputWeight, hidden)
        layerNorm(hidden, rows: tokens, adding: layer.attentionOutputBias, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta)
    }

    /// Writes the `rows` × `columns` matrix at `source` (rows `stride` apart) as DejaKernels' weight
    /// panels: 32 columns each, row by row, zero past the last column.
    private static func pack(_ source: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                             into panels: UnsafeMutablePointer<Float>) {
        for start in Swift.stride(from: 0, to: columns, by: 32) {
            let panel = panels + start * rows
            let width = min(32, columns - start)
            for row in 0..<rows {
                (panel + row * 32).update(from: source + row * stride + start, count: width)
                if width < 32 { (panel + row * 32 + width).update(repeating: 0, count: 32 - width) }
            }
        }
    }

    // MARK: - Feed-forward

    private func feedForwardBlock(_ layer: BertLayerWeights, tokens: Int) {
        let h = configuration.hiddenSize
        let m = configuration.intermediateSize
        let hidden = workspace.hidden
        let intermediate = workspace.intermediate

        gemm(tokens, hidden, layer.intermediateWeight, intermediate, startingFrom: layer.intermediateBias)
        activate(intermediate, count: tokens * m)

        gemm(tokens, intermediate, layer.outputWeight, hidden)
        layerNorm(hidden, rows: tokens, adding: layer.outputBias, gamma: layer.outputNormGamma, beta: layer.outputNormBeta)
    }

    private func activate(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let activation = configuration.activation
        let chunk = (count + threads - 1) / threads
        parallelFor(threads) { part, _ in
            let start = part * chunk
            let end = min(count, start + chunk)
            guard start < end else { return }
            switch activation {
            case .gelu:
                deja_gelu(x + start, end - start)
            case .geluTanh:
                for i in start..<end {
                    let v = x[i]
                    x[i] = 0.5 * v * (1 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))
                }
            case .relu:
                for i in start..<end { x[i] = max(0, x[i]) }
            }
        }
    }

    // MARK: - Pooling

    private func pool(offsets: [Int], into output: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize
        let hidden = workspace.hidden
        for s in 0..<(offsets.count - 1) {
            let out = output + s * h
            let n = offsets[s + 1] - offsets[s]
            switch configuration.pooling {
            case .cls:
                out.update(from: hidden + offsets[s] * h, count: h)
            case .mean:
                out.update(repeating: 0, count: h)
                for t in offsets[s]..<offsets[s + 1] {
                    let row = hidden + t * h
                    for i in 0..<h { out[i] += row[i] }
                }
                let inverse = 1 / Float(max(n, 1))
                for i in 0..<h { out[i] *= inverse }
            }
            if configuration.normalize {
                var sum: Float = 0
                for i in 0..<h { sum += out[i] * out[i] }
                let inverse = 1 / max(sum.squareRoot(), 1e-12)
                for i in 0..<h { out[i] *= inverse }
            }
        }
    }

    // MARK: - Kernels

    /// C[m×n] += A[m×k] · W[k×n] (row-major, dense), the output columns split across the threads;
    /// with `bias`, each thread first sets its columns of every row to it (C = A·W + b).
    /// Few rows (a short batch) go to DejaKernels over the pre-packed weight; more go to OpenBLAS,
    /// whose per-call packing of W is then cheap beside the product.
    private func gemm(_ m: Int, _ a: UnsafePointer<Float>, _ weight: DenseWeight, _ c: UnsafeMutablePointer<Float>,
                      startingFrom bias: FloatTensor? = nil) {
        pause?()
        let (k, n) = (weight.inputs, weight.outputs)
        let sgemm = self.sgemm
        let w = weight.matrix.pointer
        let panels = m < Self.smallRowLimit ? weight.panels?.pointer : nil
        let chunk = ((n + threads - 1) / threads + 31) / 32 * 32
        parallelFor((n + chunk - 1) / chunk) { part, _ in
            let first = part * chunk
            let width = min(chunk, n - first)
            if let bias {
                for row in 0..<m { (c + row * n + first).update(from: bias.pointer + first, count: width) }
            }
            if let panels {
                deja_sgemm_rows(m, k, a, k, panels, n, c, n, first, first + width)
            } else {
                sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(width), Int32(k),
                      1, a, Int32(k), w + first, Int32(n), 1, c + first, Int32(n))
            }
        }
    }

    /// Rows ← LayerNorm(row + bias) in place, the rows split across the threads; the residual's bias
    /// is added here, in the same pass.
    private func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, adding bias: FloatTensor? = nil,
                           gamma: FloatTensor, beta: FloatTensor) {
        let h = configuration.hiddenSize
        let epsilon = configuration.layerNormEpsilon
        let chunk = (rows + threads - 1) / threads
        parallelFor(threads) { part, _ in
            let first = part * chunk
            guard first < rows else { return }
            deja_layer_norm_rows(x + first * h, min(chunk, rows - first), h, bias?.pointer, gamma.pointer,
                                 beta.pointer, epsilon)
        }
    }

    /// Runs `body(job, worker)` for every job on up to `threads` workers.
    private func parallelFor(_ jobs: Int, _ body: (Int, Int) -> Void) {
        guard threads > 1, jobs > 1 else {
            for job in 0..<jobs { body(job, 0) }
            return
        }
        let workers = min(threads, jobs)
        // The jobs write disjoint regions of the workspace, so sharing it across workers is safe.
        withoutActuallyEscaping(body) { body in
            team.run { worker in
                var job = worker
                while job < jobs { body(job, worker); job += workers }
            }
        }
    }
}

/// Activation buffers, grown to the largest batch seen and reused: no allocation per token.
private final class Workspace {
    private(set) var hidden = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var qkv = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var context = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var intermediate = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var scores = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var scoresStride = 0
    /// Per worker: one head's K (then V) packed as kernel panels.
    private(set) var headPanels = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var headPanelsStride = 0
    private var tokenCapacity = 0
    private var scoresCapacity = 0

    deinit { for buffer in [hidden, qkv, context, intermediate, scores, headPanels] { buffer.deallocate() } }

    func reserve(tokens: Int, hidden h: Int, intermediate m: Int, longest: Int, headSize d: Int, threads: Int) {
        if tokens > tokenCapacity {
            let capacity = max(tokens, tokenCapacity * 2)
            for buffer in [hidden, qkv, context, intermediate] { buffer.deallocate() }
            hidden = .allocate(capacity: capacity * h)
            qkv = .allocate(capacity: capacity * 3 * h)
            context = .allocate(capacity: capacity * h)
            intermediate = .allocate(capacity: capacity * m)
            tokenCapacity = capacity
        }
        if longest * longest * threads > scoresCapacity {
            scores.deallocate()
            scoresStride = longest * longest
            scoresCapacity = scoresStride * threads
            scores = .allocate(capacity: scoresCapacity)
            let roundedUp = { (count: Int) in (count + 31) / 32 * 32 }
            headPanels.deallocate()
            headPanelsStride = max(roundedUp(longest) * d, longest * roundedUp(d))
            headPanels = .allocate(capacity: headPanelsStride * threads)
        }
    }
}
