import ArgumentParser
import DejaStore
import Foundation

/// Where signature vectors live: the embedded store, or a ChromaDB server. Every option can also
/// be set as DEJA_<OPTION> (DEJA_VECTOR_STORE, DEJA_CHROMA_URL, ...).
struct VectorStoreOptions: ParsableArguments {
    @Option(help: "Vector store: embedded (in the data directory) or chroma (a ChromaDB 1.x server).")
    var vectorStore: String?

    @Option(help: "ChromaDB's URL (default http://127.0.0.1:8000).")
    var chromaUrl: String?

    @Option(help: "Chroma tenant (created if missing).")
    var chromaTenant: String?

    @Option(help: "Chroma database (created if missing).")
    var chromaDatabase: String?

    @Option(help: "Token sent to ChromaDB as x-chroma-token (prefer DEJA_CHROMA_TOKEN: flags show in process lists).")
    var chromaToken: String?

    /// The Chroma settings chosen, or nil for the embedded store.
    func settings() throws -> ChromaSettings? {
        switch setting(vectorStore, "VECTOR_STORE") ?? "embedded" {
        case "embedded": return nil
        case "chroma":
            var settings = ChromaSettings(url: setting(chromaUrl, "CHROMA_URL") ?? "http://127.0.0.1:8000")
            settings.tenant = setting(chromaTenant, "CHROMA_TENANT") ?? settings.tenant
            settings.database = setting(chromaDatabase, "CHROMA_DATABASE") ?? settings.database
            settings.token = setting(chromaToken, "CHROMA_TOKEN")
            return settings
        case let other:
            throw ValidationError("--vector-store '\(other)' is not a vector store: embedded or chroma")
        }
    }

    /// Connects to ChromaDB when chosen, checking it; nil for the embedded store.
    func open(events: SQLiteStore, model: String) throws -> ChromaVectorStore? {
        guard let settings = try settings() else { return nil }
        do {
            return try ChromaVectorStore(settings: settings, events: events, model: model)
        } catch let error as ChromaError {
            throw CLIError(error.description)
        }
    }
}
