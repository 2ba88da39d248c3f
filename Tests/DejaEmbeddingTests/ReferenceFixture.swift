import DejaEmbedding
import Foundation
import Testing

/// One record of `Fixtures/reference-authored.jsonl`: text, the reference tokenizer's ids and
/// sentence-transformers' normalized embedding (see Fixtures/README.md).
struct ReferenceRecord: Decodable {
    let text: String
    let input_ids: [Int32]
    let embedding: [Float]
}

enum ReferenceFixture {
    static func records() throws -> [ReferenceRecord] {
        let url = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/reference-authored.jsonl")
        let data = try Data(contentsOf: url)
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(ReferenceRecord.self, from: Data($0)) }
    }

    /// The default model, which scripts/setup.sh fetches; a clear failure when it is absent.
    static func modelFolder() throws -> URL {
        let folder = SentenceEmbedder.defaultModelFolder
        try #require(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path),
                     "no model at \(folder.path): run scripts/setup.sh (or set DEJA_MODEL_DIR)")
        return folder
    }
}
