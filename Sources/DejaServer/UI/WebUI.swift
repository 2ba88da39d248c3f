import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Where the UI's deep links point, when configured.
public struct DeepLinks: Sendable, Codable {
    /// Grafana's base URL, and the uid of its Loki data source: links open Explore on the event's
    /// stream labels around its time.
    public var grafanaURL: String?
    public var lokiDatasource: String?
    /// The uid of Grafana's Prometheus data source: metric hits open Explore on their PromQL.
    public var prometheusDatasource: String?
    /// Kibana's base URL, and the data view id Discover opens.
    public var kibanaURL: String?
    public var kibanaDataView: String?

    public init() {}
}

/// The web UI: plain HTML, CSS and JavaScript compiled into the binary (no CDN, no build step),
/// over the same API and auth as every client. A Content-Security-Policy forbids inline script,
/// and the script renders log text as text only.
struct WebUI {
    let links: DeepLinks
    /// What `GET /` answers a client that is not a browser (Elasticsearch clients ask for it).
    let nonBrowserRoot: @Sendable () -> Response

    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]
    /// The page and its assets are open (they hold no data); the API they call needs a token.
    func register(on router: GuardedRouter) {
        router.get("/", .open) { request, _ in
            let accept = request.headers[.accept] ?? ""
            return accept.contains("text/html") ? Self.asset(PackageResources.index_html, type: "text/html; charset=utf-8") : nonBrowserRoot()
        }
        router.get("/ui/app.js", .open) { _, _ in Self.asset(PackageResources.app_js, type: "text/javascript; charset=utf-8") }
        router.get("/ui/app.css", .open) { _, _ in Self.asset(PackageResources.app_css, type: "text/css; charset=utf-8") }
        router.get("/api/v1/ui-config", .scope(.read)) { _, _ in
            let data = try JSONEncoder().encode(links)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    private static func asset(_ bytes: [UInt8], type: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
