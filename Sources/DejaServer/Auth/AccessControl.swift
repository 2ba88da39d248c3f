import Foundation
import HTTPTypes
import Hummingbird

/// What a caller may do.
public enum Scope: String, Sendable, Codable, CaseIterable {
    case ingest, read, admin
}

/// Who a request is from: its tenant and scopes.
public struct Identity: Sendable, Equatable {
    public var tenant: String
    public var scopes: Set<Scope>

    /// 403 unless this identity holds `scope`.
    func require(_ scope: Scope) throws {
        guard scopes.contains(scope) else {
            throw HTTPError(.forbidden, message: "this token may not \(scope.rawValue) (it has \(scopes.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
    }
}

/// Bearer tokens from a config file, each with a tenant and scopes:
/// `{"tokens": [{"token": "…", "tenant": "team-a", "scopes": ["ingest", "read"]}]}`.
public struct TokenTable: Sendable {
    struct Entry: Codable {
        var token: String
        var tenant: String
        var scopes: [Scope]
    }

    private let entries: [Entry]

    /// Reads `path`; a missing file, bad JSON or an empty or duplicate token is an error naming it.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigurationError("token file \(path) cannot be read") }
        struct File: Codable { var tokens: [Entry] }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw ConfigurationError("token file \(path) is not {\"tokens\": [{\"token\", \"tenant\", \"scopes\": [\"ingest\"|\"read\"|\"admin\"]}]}: \(error)")
        }
        guard !file.tokens.isEmpty else { throw ConfigurationError("token file \(path) holds no tokens") }
        for entry in file.tokens where entry.token.count < 8 || !Authenticator.isTenant(entry.tenant) {
            throw ConfigurationError("token file \(path): every token needs 8 characters or more and a tenant of 1 to 150 of "
                                     + "A-Z a-z 0-9 ! - _ . * ' ( ) (tenant '\(entry.tenant)')")
        }
        guard Set(file.tokens.map(\.token)).count == file.tokens.count else { throw ConfigurationError("token file \(path) repeats a token") }
        entries = file.tokens
    }

    /// The identity of `token`, compared in constant time so that timing tells nothing.
    func identity(of token: String) -> Identity? {
        var found: Identity?
        let given = Array(token.utf8)
        for entry in entries {
            let expected = Array(entry.token.utf8)
            var difference = UInt8(given.count == expected.count ? 0 : 1)
            for index in 0..<expected.count { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
            if difference == 0 { found = Identity(tenant: entry.tenant, scopes: Set(entry.scopes)) }
        }
        return found
    }
}

/// A configuration problem found at start.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The request context: Hummingbird's core context plus the caller's identity.
public struct DejaRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `GuardedRouter` before a handler runs; nothing until then.
    public var identity = Identity(tenant: "", scopes: [])

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The identity's tenant, when it holds `scope`; 403 otherwise.
    func tenant(for scope: Scope) throws -> String {
        try identity.require(scope)
        return identity.tenant
    }
}

/// Who may call a route: anyone (probes, the UI's files, the API description), or a caller whose
/// token holds a scope.
public enum Access: Sendable, Hashable {
    case open
    case scope(Scope)
}

/// Establishes a request's identity for the access its route declares. With tokens, from
/// `Authorization: Bearer <token>` (or Basic with the token as password, for clients that only do
/// Basic): a missing or unknown token is 401, a token without the route's scope 403, and the tenant
/// comes from the token, never from a header. Without tokens, the tenant is Loki's `X-Scope-OrgID`,
/// or the default.
struct Authenticator: Sendable {
    let tokens: TokenTable?
    let defaultTenant: String

    func identity(of request: Request, for access: Access) throws -> Identity {
        guard case .scope(let scope) = access else { return Identity(tenant: defaultTenant, scopes: []) }
        guard let tokens else {
            let header = request.headers[HTTPField.Name("X-Scope-OrgID")!]?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !header.contains("|") else { throw HTTPError(.badRequest, message: "X-Scope-OrgID names one tenant, not several") }
            guard header.isEmpty || Self.isTenant(header) else {
                throw HTTPError(.badRequest, message: "X-Scope-OrgID must be 1 to 150 of A-Z a-z 0-9 ! - _ . * ' ( ) (as Loki's tenant ids)")
            }
            return Identity(tenant: header.isEmpty ? defaultTenant : header, scopes: Set(Scope.allCases))
        }
        guard let token = Self.token(in: request) else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "a bearer token is required (Authorization: Bearer <token>)")
        }
        guard let identity = tokens.identity(of: token) else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "the token is not known")
        }
        try identity.require(scope)
        return identity
    }

    /// A tenant id as Loki allows it: 1 to 150 bytes of its characters.
    static func isTenant(_ text: String) -> Bool {
        (1...150).contains(text.utf8.count) && text.utf8.allSatisfy(isTenantByte)
    }

    /// Loki's tenant id characters.
    static func isTenantByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 97 < 26 || byte &- 48 < 10 || "!-_.*'()".utf8.contains(byte)
    }

    static func token(in request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "bearer": return String(parts[1]).trimmingCharacters(in: .whitespaces)
        case "basic":
            guard let decoded = Data(base64Encoded: String(parts[1])), let text = String(data: decoded, encoding: .utf8),
                  let colon = text.firstIndex(of: ":") else { return nil }
            return String(text[text.index(after: colon)...])
        default: return nil
        }
    }
}
