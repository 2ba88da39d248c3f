import ArgumentParser
import DejaCore
import DejaEmbedding
import DejaSearch
import DejaStore
import Foundation

/// Options of every command that uses the embedded store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Data directory (default: $DEJA_DATA_DIR or ~/.local/share/deja).")
    var dataDir: String?

    @Option(help: "Tenant whose data to use.")
    var tenant = "default"

    func open() throws -> SQLiteStore {
        do { return try SQLiteStore(directory: try DataDirectory(path: dataDir)) } catch let error as StoreError {
            throw CLIError(error.description)
        }
    }
}

extension ModelOptions {
    func loadRedacted() throws -> (SentenceEmbedder, Redactor) {
        (try load(), try Redactor())
    }
}
