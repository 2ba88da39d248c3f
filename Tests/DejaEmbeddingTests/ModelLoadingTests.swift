@testable import DejaEmbedding
import Foundation
import Testing

@Suite struct ModelLoadingTests {
    /// A scratch copy of the default model's small files, with `model.safetensors` linked.
    private func scratchModel() throws -> URL {
        let source = try ReferenceFixture.modelFolder()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deja-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        for name in ["config.json", "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json", "modules.json", "1_Pooling/config.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("model.safetensors"),
                                                   withDestinationURL: source.appendingPathComponent("model.safetensors"))
        return folder
    }

    private func loadError(_ folder: URL) -> EmbeddingError? {
        do { _ = try SentenceEmbedder(modelFolder: folder); return nil } catch { return error as? EmbeddingError }
    }

    @Test func missingFolderSaysHowToGetTheModel() {
        let error = loadError(URL(fileURLWithPath: "/nonexistent/model"))
        #expect(error == .modelFolderNotFound("/nonexistent/model"))
        #expect(error?.description.contains("scripts/setup.sh") == true)
    }

    @Test func missingFilesAreNamed() throws {
        for name in ["vocab.txt", "modules.json", "config.json"] {
            let folder = try scratchModel()
            defer { try? FileManager.default.removeItem(at: folder) }
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            #expect(loadError(folder)?.description.contains(name) == true, "\(name)")
        }
    }

    @Test func truncatedWeightsAreReportedAsCorrupt() throws {
        let folder = try scratchModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("model.safetensors")
        let prefix = try FileHandle(forReadingFrom: weights.resolvingSymlinksInPath()).readData(ofLength: 1_000_000)
        try FileManager.default.removeItem(at: weights)
        try prefix.write(to: weights)
        guard case .corruptFile(_, let why) = loadError(folder) else { Issue.record("expected corruptFile"); return }
        #expect(why.contains("truncated"))

        try Data("not a safetensors file".utf8).write(to: weights)
        guard case .corruptFile = loadError(folder) else { Issue.record("expected corruptFile"); return }
    }

    @Test func unsupportedArchitectureAndPoolingAreNamed() throws {
        let folder = try scratchModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.json")
        let original = try Data(contentsOf: config)
        try Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\"bert\"", with: "\"roberta\"").utf8).write(to: config)
        #expect(loadError(folder) == .unsupported("config.json", "model_type 'roberta' (only BERT-architecture models are supported)"))
        try original.write(to: config)

        let pooling = folder.appendingPathComponent("1_Pooling/config.json")
        try Data(#"{"word_embedding_dimension": 384, "pooling_mode_max_tokens": true}"#.utf8).write(to: pooling)
        guard case .unsupported(_, let why) = loadError(folder) else { Issue.record("expected unsupported"); return }
        #expect(why.contains("pooling_mode_max_tokens"))
    }

    @Test("F16 and BF16 tensors load as Float32, F32 is mapped in place")
    func halfPrecisionTensors() throws {
        let values: [Float] = [1.5, -2.25, 0.0078125, 1024]  // exact in F16 and BF16
        func file(dtype: String, payload: [UInt8]) throws -> SafeTensorsFile {
            var header = #"{"t":{"dtype":"\#(dtype)","shape":[4],"data_offsets":[0,\#(payload.count)]}}"#
            while (8 + header.utf8.count) % 8 != 0 { header += " " }
            var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init)
            bytes += Array(header.utf8) + payload
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("deja-\(UUID().uuidString).safetensors")
            try Data(bytes).write(to: url)
            return try SafeTensorsFile(url: url)
        }
        let f16 = values.flatMap { withUnsafeBytes(of: Float16($0).bitPattern.littleEndian, Array.init) }
        let bf16 = values.flatMap { withUnsafeBytes(of: UInt16($0.bitPattern >> 16).littleEndian, Array.init) }
        let f32 = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        for (dtype, payload) in [("F16", f16), ("BF16", bf16), ("F32", f32)] {
            let tensor = try file(dtype: dtype, payload: payload).floatTensor("t", shape: [4])
            #expect(Array(UnsafeBufferPointer(start: tensor.pointer, count: 4)) == values, "\(dtype)")
        }
        #expect(throws: EmbeddingError.tensorShape("t", expected: [2, 2], found: [4])) {
            try file(dtype: "F32", payload: f32).floatTensor("t", shape: [2, 2])
        }
    }
}
