import Foundation
import PostgresNIO

/// Where cluster mode keeps the state its replicas share: a PostgreSQL URL
/// (`postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable|prefer|require`), and the name this
/// replica writes under.
public struct SharedStateSettings: Sendable {
    public var configuration: PostgresClient.Configuration
    /// The URL with its password masked, for logs.
    public var displayURL: String
    /// Stable across restarts of the same replica (a StatefulSet pod's name): its write-ahead-log
    /// position in the shared state is kept under it.
    public var replica: String

    /// Parses `url`; a URL Deja cannot use is an error that names what is wrong.
    public init(url: String, replica: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty else {
            throw SharedStateError.badURL(url, "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let user = components.user, !user.isEmpty else { throw SharedStateError.badURL(url, "it names no user") }
        guard !replica.isEmpty, replica.count <= 200 else { throw SharedStateError.badURL(url, "the replica name must be 1 to 200 characters") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw SharedStateError.badURL(url, "sslmode '\(sslmode)' is not disable, prefer or require")
        }
        configuration = PostgresClient.Configuration(host: host, port: components.port ?? 5432, username: user,
                                                     password: components.password, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = 8
        // A caller that gives up on a transaction (`PostgresLedger`'s timeouts) may leave its session
        // holding the replica's row lock: the server ends such sessions, and a lock wait fails
        // rather than hang, so that the next attempt goes through.
        configuration.options.additionalStartupParameters = [
            ("idle_in_transaction_session_timeout", "20000"), ("lock_timeout", "10000"), ("statement_timeout", "60000"),
        ]
        var masked = components
        if masked.password != nil { masked.password = "***" }
        displayURL = masked.string ?? url
        self.replica = replica
    }
}

/// Why the shared state cannot be used; each case says what to do.
public enum SharedStateError: Error, CustomStringConvertible {
    case badURL(String, String)
    /// PostgreSQL refused or failed a statement, or could not be reached.
    case database(String)
    /// The shared state was migrated by a newer Deja.
    case newerSchema(Int, Int)
    /// Another replica took over the lease this one held (it had not renewed it in time).
    case leaseLost(String)

    public var description: String {
        switch self {
        case .badURL(let url, let why): "--state '\(url)' is not a PostgreSQL URL Deja can use: \(why)"
        case .database(let reason): "PostgreSQL (the shared state): \(reason)"
        case .newerSchema(let found, let known):
            "the shared state's schema is version \(found), newer than this deja knows (\(known)); upgrade every replica"
        case .leaseLost(let name):
            "this replica no longer holds the '\(name)' lease (it was not renewed in time); another replica does that work now"
        }
    }

    /// A PostgresNIO error as the person running Deja can act on it.
    static func wrapping(_ error: Error) -> Error {
        if error is SharedStateError { return error }
        if let error = error as? PostgresTransactionError,
           let cause = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError {
            return wrapping(cause)
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return SharedStateError.database("\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))")
            }
            return SharedStateError.database("\(error.code)\(error.underlying.map { ": \($0)" } ?? "")")
        }
        return SharedStateError.database(String(describing: error))
    }
}
