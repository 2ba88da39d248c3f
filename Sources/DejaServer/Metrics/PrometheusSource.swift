import AsyncHTTPClient
import DejaCore
import Foundation
import NIOCore
import NIOFoundationCompat

/// A Prometheus-compatible server whose metric metadata Deja indexes, and how to reach it.
public struct PrometheusSource: Sendable, Equatable {
    public var url: String
    /// Sent as `Authorization: Bearer …`.
    public var bearerToken: String?
    /// Sent as HTTP basic auth, `user:password`.
    public var basicAuth: String?

    public init(url: String, bearerToken: String? = nil, basicAuth: String? = nil) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.bearerToken = bearerToken
        self.basicAuth = basicAuth
    }
}

/// Why reading a Prometheus failed, in words an operator can act on.
public struct PrometheusError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Reads what identifies each metric from Prometheus' HTTP API (`../shared/PROTOCOLS.md` §5.2):
/// families' type, HELP and unit (`/api/v1/metadata`), every series name including those without
/// metadata (`/api/v1/label/__name__/values`), the jobs exporting each (`/api/v1/targets/metadata`),
/// and label names per metric from each job's recent series (`/api/v1/series`, limited).
struct PrometheusMetadataReader: Sendable {
    let source: PrometheusSource
    let client: HTTPClient
    var timeout: TimeAmount = .seconds(30)
    /// Most series read per job for label names.
    var seriesLimit = 20_000

    func read(now: Date = Date()) async throws -> [MetricMetadata] {
        let families = try await get("/api/v1/metadata", as: [String: [FamilyMetadata]].self)
        let names = try await get("/api/v1/label/__name__/values", as: [String].self)
        let targets = try await get("/api/v1/targets/metadata", as: [TargetMetadata].self)
        var jobs: [String: Set<String>] = [:]
        for target in targets { if let job = target.target["job"] { jobs[target.metric, default: []].insert(job) } }
        var labels: [String: Set<String>] = [:]
        let end = Int(now.timeIntervalSince1970)
        for job in Set(jobs.values.flatMap { $0 }).sorted() {
            let selector = "{job=\"\(job.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"}"
            let query = "match%5B%5D=\(Self.percentEncoded(selector))&start=\(end - 300)&end=\(end)&limit=\(seriesLimit)"
            for series in try await get("/api/v1/series?\(query)", as: [[String: String]].self) {
                guard let name = series["__name__"] else { continue }
                labels[Self.family(of: name, in: families), default: []].formUnion(series.keys.filter { !$0.hasPrefix("__") && $0 != "job" && $0 != "instance" })
            }
        }
        var metrics: [MetricMetadata] = []
        for (family, entries) in families {
            let first = entries.first
            metrics.append(MetricMetadata(metric: family, type: first?.type ?? "unknown", help: first?.help ?? "", unit: first?.unit ?? "",
                                          labels: labels[family].map { $0.sorted() } ?? [], jobs: jobs[family].map { $0.sorted() } ?? []))
        }
        // Series without metadata (`up`, recording rules, remote-written series) are metrics too;
        // a histogram's `_bucket` or a counter's `_total` belongs to its family.
        for name in names where Self.family(of: name, in: families) == name && families[name] == nil {
            metrics.append(MetricMetadata(metric: name, labels: labels[name].map { $0.sorted() } ?? [], jobs: jobs[name].map { $0.sorted() } ?? []))
        }
        return metrics.sorted { $0.metric < $1.metric }
    }

    /// The family a series name belongs to: itself, or the name without a suffix its family adds.
    static func family(of name: String, in families: [String: [FamilyMetadata]]) -> String {
        if families[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count", "_total", "_created", "_info"] where name.hasSuffix(suffix) {
            let family = String(name.dropLast(suffix.count))
            if families[family] != nil { return family }
        }
        return name
    }

    /// `text` as one query parameter value (RFC 3986 unreserved characters kept).
    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        var request = HTTPClientRequest(url: source.url + path)
        if let token = source.bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let basic = source.basicAuth { request.headers.add(name: "Authorization", value: "Basic \(Data(basic.utf8).base64EncodedString())") }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw PrometheusError(description: "Prometheus at \(source.url) is unreachable (\(error)); check --prometheus-url")
        }
        let data = Data(buffer: body)
        switch response.status.code {
        case 200..<300: break
        case 401, 403:
            throw PrometheusError(description: "Prometheus at \(source.url) refused access to \(path) (HTTP \(response.status.code)); set --prometheus-token or --prometheus-basic-auth")
        default:
            throw PrometheusError(description: "Prometheus at \(source.url) answered HTTP \(response.status.code) to \(path): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        do {
            let envelope = try JSONDecoder().decode(Envelope<T>.self, from: data)
            guard envelope.status == "success", let value = envelope.data else {
                throw PrometheusError(description: "Prometheus at \(source.url) answered \(path) with an error: \(envelope.error ?? "status \(envelope.status)")")
            }
            return value
        } catch let error as PrometheusError {
            throw error
        } catch {
            throw PrometheusError(description: "\(source.url)\(path) did not answer as Prometheus' HTTP API does (\(error)); is --prometheus-url a Prometheus server?")
        }
    }

    private struct Envelope<T: Decodable>: Decodable {
        let status: String
        let data: T?
        let error: String?
    }

    struct FamilyMetadata: Decodable {
        let type: String
        let help: String
        let unit: String
    }

    private struct TargetMetadata: Decodable {
        let target: [String: String]
        let metric: String
    }
}
