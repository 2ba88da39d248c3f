import Foundation

/// Where Deja keeps its embedded store: `--data-dir`, else `$DEJA_DATA_DIR`, else `~/.local/share/deja`.
public struct DataDirectory: Sendable {
    public let url: URL

    /// The directory at `path` (or the default), created if missing.
    public init(path: String? = nil) throws {
        url = Self.resolved(path)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotCreateDirectory(url.path, error.localizedDescription)
        }
    }

    /// The directory at `path` (or the default) where logs were stored before: a command that only
    /// reads them is given a mistyped path as an error, not as an empty store made there.
    public init(existing path: String?) throws {
        url = Self.resolved(path)
        guard FileManager.default.fileExists(atPath: database.path) else { throw StoreError.noStore(url.path) }
    }

    private static func resolved(_ path: String?) -> URL {
        let environment = ProcessInfo.processInfo.environment["DEJA_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        return URL(fileURLWithPath: path ?? environment ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/deja").path)
    }

    /// The SQLite database of events, signatures and vectors.
    public var database: URL { url.appendingPathComponent("deja.sqlite") }

    /// The write-ahead log of `deja serve`: acknowledged events not yet stored.
    public var writeAheadLog: URL { url.appendingPathComponent("wal") }
}
