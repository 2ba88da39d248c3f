import DejaCore
import DejaEmbedding
import DejaIngest
import DejaStore
import Foundation
import Testing

/// A fresh data directory under the system's temporary directory.
func temporaryDataDirectory(_ prefix: String) throws -> DataDirectory {
    try DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path)
}

/// The ingest stages as `deja ingest` and `deja serve` build them, over a store in `directory`,
/// with the default model (the test stops, saying so, where it is missing).
func ingestStages(_ directory: DataDirectory) throws -> IngestStages {
    let model = SentenceEmbedder.defaultModelFolder
    try #require(FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path),
                 "no model at \(model.path): run scripts/setup.sh")
    return try IngestStages(store: try SQLiteStore(directory: directory), embedder: try SentenceEmbedder(modelFolder: model, threads: 2),
                            redactor: try Redactor())
}
