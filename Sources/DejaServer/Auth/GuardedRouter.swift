import HTTPTypes
import Hummingbird

/// Deja's router, through which every route is added with the access it needs: the caller is
/// authenticated and the route's scope checked before its handler runs, so a route cannot be added
/// unguarded by forgetting a check. `declared` lists every route for the test that audits the router.
final class GuardedRouter: @unchecked Sendable {
    // @unchecked: routes are added before the server starts, on one task; only read after.
    let router = Router(context: DejaRequestContext.self)
    private let authenticator: Authenticator
    /// `"METHOD /path"` (as Hummingbird's `router.routes` describes it) → access, for every route added.
    private(set) var declared: [String: Access] = [:]

    init(authenticator: Authenticator) {
        self.authenticator = authenticator
    }

    func on<Output: ResponseGenerator>(_ method: HTTPRequest.Method, _ path: String, _ access: Access,
                                       use handler: @escaping @Sendable (Request, DejaRequestContext) async throws -> Output) {
        declared["\(method) \(RouterPath(path))"] = access
        let authenticator = authenticator
        router.on(RouterPath(path), method: method) { request, context in
            var context = context
            context.identity = try authenticator.identity(of: request, for: access)
            return try await handler(request, context)
        }
    }

    func get<Output: ResponseGenerator>(_ path: String, _ access: Access, use handler: @escaping @Sendable (Request, DejaRequestContext) async throws -> Output) {
        on(.get, path, access, use: handler)
    }

    func post<Output: ResponseGenerator>(_ path: String, _ access: Access, use handler: @escaping @Sendable (Request, DejaRequestContext) async throws -> Output) {
        on(.post, path, access, use: handler)
    }

    func put<Output: ResponseGenerator>(_ path: String, _ access: Access, use handler: @escaping @Sendable (Request, DejaRequestContext) async throws -> Output) {
        on(.put, path, access, use: handler)
    }

    func head<Output: ResponseGenerator>(_ path: String, _ access: Access, use handler: @escaping @Sendable (Request, DejaRequestContext) async throws -> Output) {
        on(.head, path, access, use: handler)
    }
}
