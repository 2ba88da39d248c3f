import DejaCore
import DejaIngest
@testable import DejaServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Walks every route of `deja serve` with tokens on: none answers without a token unless it is
/// declared open, and none answers a token that lacks its scope.
@Suite(.serialized) struct RouteAccessTests {
    static let tokens: [Scope: String] = [.ingest: "ingest-only-token", .read: "read-only-token", .admin: "admin-only-token"]

    private func routes() throws -> (GuardedRouter, DurableIngest) {
        let server = try InProcessServer(tokens: Self.tokens.map { ($0.value, "team-\($0.key.rawValue)", [$0.key]) })
        return (server.routes, server.ingest)
    }

    /// A concrete path for a route pattern: each `:parameter` becomes a value.
    private func concrete(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "x" : String($0) }.joined(separator: "/")
    }

    @Test func everyRouteDeclaresItsAccessAndIsGuarded() async throws {
        let (routes, ingest) = try routes()
        defer { ingest.close() }
        // Every route Hummingbird holds was added through the guarded router, with its access.
        let registered = Set(routes.router.routes.map { "\($0.method) \($0.path)" })
        #expect(registered == Set(routes.declared.keys))
        #expect(registered.count > 30)
        let open = Set(routes.declared.filter { $0.value == .open }.keys)
        #expect(open == ["GET /", "HEAD /", "GET /ui/app.js", "GET /ui/app.css", "GET /healthz", "GET /readyz", "GET /openapi.json"])

        let app = Application(router: routes.router)
        try await app.test(.router) { client in
            for (route, access) in routes.declared {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0]))!
                let path = concrete(String(parts[1]))
                let anonymous = try await client.execute(uri: path, method: method)
                guard case .scope(let scope) = access else {
                    #expect(anonymous.status != .unauthorized && anonymous.status != .forbidden, "\(route) is open")
                    continue
                }
                #expect(anonymous.status == .unauthorized, "\(route) without a token: \(anonymous.status)")
                for (other, token) in Self.tokens where other != scope {
                    let refused = try await client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(token)"])
                    #expect(refused.status == .forbidden, "\(route) with a \(other) token: \(refused.status)")
                }
                let allowed = try await client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(Self.tokens[scope]!)"])
                #expect(allowed.status != .unauthorized && allowed.status != .forbidden, "\(route) with a \(scope) token: \(allowed.status)")
            }
        }
    }

    @Test("with tokens on, /readyz says only ready or not")
    func readinessHidesDetailWithTokens() async throws {
        let (routes, ingest) = try routes()
        defer { ingest.close() }
        try await Application(router: routes.router).test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(String(buffer: response.body) == #"{"status":"ready"}"#)
        }
    }
}

extension RouteAccessTests {
    /// Routes left out of `/openapi.json` on purpose: the UI's files, and the Elasticsearch and OTLP
    /// compatibility paths (`/_…`, `/{index}/…`), which speak those systems' documented protocols
    /// (DecoderFuzzTests covers them).
    static let undocumented: Set<String> = ["/", "/ui/app.js", "/ui/app.css", "/otlp/v1/logs"]

    @Test("every route of Deja's own API is in /openapi.json, which schemathesis drives")
    func everyOwnRouteIsDocumented() throws {
        let (routes, ingest) = try routes()
        defer { ingest.close() }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let own = routes.declared.keys.map { String($0.split(separator: " ", maxSplits: 1)[1]) }
            .filter { !Self.undocumented.contains($0) && !$0.hasPrefix("/_") && !$0.hasPrefix("/{") }
        #expect(own.count > 10)
        for path in Set(own) { #expect(paths[path] != nil, "\(path) is not in /openapi.json") }
    }
}
