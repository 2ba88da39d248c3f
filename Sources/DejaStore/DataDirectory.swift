import Foundation

/// Where Deja keeps its embedded store: `--data-dir`, else `$DEJA_DATA_DIR`, else `~/.local/share/deja`.
public struct DataDirectory: Sendable {
    public let url: URL

    /// The directory at `path` (or the default), created if missing.
    public init(path: String? = nil) throws {
        let environment = ProcessInfo.processInfo.environment["DEJA_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        let resolved = path ?? environment ?? FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".local/share/deja").path
        url = URL(fileURLWithPath: resolved)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotCreateDirectory(url.path, error.localizedDescription)
        }
    }

    /// The SQLite database of events, signatures and vectors.
    public var database: URL { url.appendingPathComponent("deja.sqlite") }

    /// The write-ahead log of `deja serve`: acknowledged events not yet stored.
    public var writeAheadLog: URL { url.appendingPathComponent("wal") }
}
