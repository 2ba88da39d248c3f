import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Where a ChromaDB server is and whom to act as.
public struct ChromaSettings: Sendable, Equatable {
    /// Base URL, e.g. `http://127.0.0.1:8000`.
    public var url: String
    public var tenant = "default_tenant"
    public var database = "default_database"
    /// Sent as `x-chroma-token` (and as a bearer token, which older and proxied servers read).
    public var token: String?
    /// Longest a request may take before the server counts as unreachable.
    public var timeoutSeconds: Int64 = 10
    /// Longest a search query may take: past it, search answers from keywords rather than keep a person waiting.
    public var queryTimeoutSeconds: Int64 = 3

    public init(url: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// Why a ChromaDB request failed, worded for the person running Deja.
public enum ChromaError: Error, CustomStringConvertible, Equatable {
    /// Nothing answers, or not in time.
    case unreachable(url: String, reason: String)
    /// The server answers but is not a ChromaDB 1.x (v2 API).
    case wrongServer(url: String, reason: String)
    /// The server refused the token (401/403).
    case authRefused(url: String, status: Int, message: String)
    /// Busy or failing (429, 5xx): worth retrying.
    case unavailable(status: Int, message: String)
    /// The server rejected the request itself (other 4xx): retrying sends the same request.
    case rejected(status: Int, message: String)
    /// A collection holds vectors of another model than the one Deja embeds with.
    case modelMismatch(collection: String, holds: String, expected: String)
    /// A collection belongs to another tenant than the one whose name maps to it.
    case tenantMismatch(collection: String, holds: String, expected: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason):
            "ChromaDB at \(url) is unreachable (\(reason)); start it (`chroma run --host 127.0.0.1 --port 8000`) or fix --chroma-url"
        case .wrongServer(let url, let reason):
            "\(url) is not a ChromaDB 1.x server (\(reason)); Deja speaks Chroma's v2 HTTP API, served by `chroma run` from chromadb 1.x"
        case .authRefused(let url, let status, let message):
            "ChromaDB at \(url) refused the token (HTTP \(status): \(message)); set --chroma-token or DEJA_CHROMA_TOKEN"
        case .unavailable(let status, let message):
            "ChromaDB is busy or failing (HTTP \(status): \(message))"
        case .rejected(let status, let message):
            "ChromaDB rejected a request (HTTP \(status): \(message))"
        case .modelMismatch(let collection, let holds, let expected):
            "Chroma collection '\(collection)' holds vectors of model '\(holds)', not '\(expected)'; delete it or use the model it was built with"
        case .tenantMismatch(let collection, let holds, let expected):
            "Chroma collection '\(collection)' belongs to tenant '\(holds)', not '\(expected)' (made by an older Deja); delete it and Deja publishes both again"
        }
    }

    /// True for failures that may pass by themselves: a server down, busy or restarting.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .unavailable: true
        default: false
        }
    }
}

/// What the server told at the pre-flight check.
public struct ChromaServerLimits: Sendable, Equatable {
    /// Most records one add/upsert may carry.
    public var maxBatchSize: Int
    /// Whether embeddings may be sent as base64 float32 (smaller and faster than JSON numbers).
    public var base64Embeddings: Bool
}

/// A nearest-neighbour result: a record id and its cosine distance (1 − similarity).
public struct ChromaMatch: Sendable, Equatable {
    public var id: String
    public var distance: Float
}

/// A record's document and metadata (string and integer values, the kinds Deja writes).
public struct ChromaRecord: Sendable, Equatable {
    public var id: String
    public var document: String?
    public var strings: [String: String] = [:]
    public var integers: [String: Int64] = [:]
}

/// A blocking client for ChromaDB's v2 HTTP API. Calls wait for the answer, so they must not run
/// on an event loop: Deja calls it from its sync thread and its search queue.
public final class ChromaClient: Sendable {
    public let settings: ChromaSettings
    private let http: HTTPClient

    /// Fails when `settings.url` is not an http(s) URL with a host.
    public init(settings: ChromaSettings) throws {
        guard let url = URL(string: settings.url), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ChromaError.wrongServer(url: settings.url, reason: "not an http:// or https:// URL with a host")
        }
        self.settings = settings
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(min(5, settings.timeoutSeconds)), read: .seconds(settings.timeoutSeconds))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    deinit {
        try? http.syncShutdown()
    }

    private var databasePath: String {
        "/api/v2/tenants/\(Self.escape(settings.tenant))/databases/\(Self.escape(settings.database))"
    }

    /// Checks that a ChromaDB 1.x answers, accepts the token, and has the tenant and database
    /// (creating them when missing); returns its batch limits.
    public func check() throws -> ChromaServerLimits {
        let (status, heartbeat) = try send(.GET, "/api/v2/heartbeat", checked: false)
        if status == 401 || status == 403 { throw ChromaError.authRefused(url: settings.url, status: status, message: Self.message(heartbeat)) }
        guard status == 200, let object = try? JSONSerialization.jsonObject(with: heartbeat) as? [String: Any],
              object["nanosecond heartbeat"] != nil else {
            throw ChromaError.wrongServer(url: settings.url, reason: "GET /api/v2/heartbeat answered HTTP \(status), not Chroma's heartbeat")
        }
        let (identityStatus, identity) = try send(.GET, "/api/v2/auth/identity", checked: false)
        if identityStatus == 401 || identityStatus == 403 {
            throw ChromaError.authRefused(url: settings.url, status: identityStatus, message: Self.message(identity))
        }
        let (_, preflight) = try send(.GET, "/api/v2/pre-flight-checks")
        guard let limits = try? JSONSerialization.jsonObject(with: preflight) as? [String: Any], let maxBatch = limits["max_batch_size"] as? Int else {
            throw ChromaError.wrongServer(url: settings.url, reason: "GET /api/v2/pre-flight-checks has no max_batch_size")
        }
        try ensureTenantAndDatabase()
        return ChromaServerLimits(maxBatchSize: max(1, maxBatch), base64Embeddings: limits["supports_base64_encoding"] as? Bool ?? false)
    }

    private func ensureTenantAndDatabase() throws {
        let tenant = Self.escape(settings.tenant)
        if try send(.GET, "/api/v2/tenants/\(tenant)", checked: false).status == 404 {
            _ = try send(.POST, "/api/v2/tenants", json: ["name": settings.tenant])
        }
        if try send(.GET, databasePath, checked: false).status == 404 {
            _ = try send(.POST, "/api/v2/tenants/\(tenant)/databases", json: ["name": settings.database])
        }
    }

    /// The id of collection `name` (cosine space), after checking that its vectors are of `model`;
    /// created if missing when `create` is set, else nil. `created` tells whether it was new.
    public func collection(named name: String, model: String, metadata: [String: String], create: Bool = true) throws -> (id: String, created: Bool)? {
        let (status, existing) = try send(.GET, "\(databasePath)/collections/\(Self.escape(name))", checked: false)
        if status == 200 {
            let object = try Self.object(existing)
            let holds = (object["metadata"] as? [String: Any])?["deja_model"] as? String
            if let holds, holds != model { throw ChromaError.modelMismatch(collection: name, holds: holds, expected: model) }
            if let owner = (object["metadata"] as? [String: Any])?["deja_tenant"] as? String, let expected = metadata["deja_tenant"], owner != expected {
                throw ChromaError.tenantMismatch(collection: name, holds: owner, expected: expected)
            }
            guard let id = object["id"] as? String else { throw ChromaError.wrongServer(url: settings.url, reason: "a collection without an id") }
            return (id, false)
        }
        if status != 404 { try Self.raise(status, existing, url: settings.url) }
        guard create else { return nil }
        var fields: [String: Any] = metadata
        fields["deja_model"] = model
        let (_, created) = try send(.POST, "\(databasePath)/collections", json: [
            "name": name, "get_or_create": true, "metadata": fields,
            "configuration": ["hnsw": ["space": "cosine"]],
        ])
        guard let id = try Self.object(created)["id"] as? String else {
            throw ChromaError.wrongServer(url: settings.url, reason: "creating a collection returned no id")
        }
        return (id, true)
    }

    /// Adds or replaces records; the arrays are parallel. Caller keeps within `maxBatchSize`.
    public func upsert(collection: String, ids: [String], embeddings: [[Float]], documents: [String], metadatas: [[String: Any]],
                       base64: Bool) throws {
        _ = try send(.POST, "\(databasePath)/collections/\(collection)/upsert", json: [
            "ids": ids, "embeddings": base64 ? embeddings.map(Self.base64) : embeddings as Any,
            "documents": documents, "metadatas": metadatas,
        ])
    }

    /// Replaces existing records' documents and metadata, leaving their embeddings as they are
    /// (nothing for ChromaDB to index again); ids it does not hold are ignored by the server.
    public func update(collection: String, ids: [String], documents: [String], metadatas: [[String: Any]]) throws {
        _ = try send(.POST, "\(databasePath)/collections/\(collection)/update", json: [
            "ids": ids, "documents": documents, "metadatas": metadatas,
        ])
    }

    /// The `n` nearest records to `embedding` that pass `filter` (a `where` clause), nearest first.
    public func query(collection: String, embedding: [Float], n: Int, filter: [String: Any]?) throws -> [ChromaMatch] {
        var body: [String: Any] = ["query_embeddings": [embedding], "n_results": n, "include": ["distances"]]
        if let filter { body["where"] = filter }
        let object = try Self.object(try send(.POST, "\(databasePath)/collections/\(collection)/query", json: body,
                                              timeout: settings.queryTimeoutSeconds).body)
        guard let ids = (object["ids"] as? [[String]])?.first, let distances = (object["distances"] as? [[Double]])?.first else { return [] }
        return zip(ids, distances).map { ChromaMatch(id: $0, distance: Float($1)) }
    }

    /// Records by id with their documents and metadata (absent ids are left out).
    public func get(collection: String, ids: [String]) throws -> [String: ChromaRecord] {
        let object = try Self.object(try send(.POST, "\(databasePath)/collections/\(collection)/get",
                                               json: ["ids": ids, "include": ["documents", "metadatas"]]).body)
        let found = object["ids"] as? [String] ?? []
        let documents = object["documents"] as? [Any] ?? []
        let metadatas = object["metadatas"] as? [Any] ?? []
        var records: [String: ChromaRecord] = [:]
        for (index, id) in found.enumerated() {
            var record = ChromaRecord(id: id, document: index < documents.count ? documents[index] as? String : nil)
            for (key, value) in (index < metadatas.count ? metadatas[index] as? [String: Any] : nil) ?? [:] {
                if let text = value as? String { record.strings[key] = text } else if let number = value as? NSNumber { record.integers[key] = number.int64Value }
            }
            records[id] = record
        }
        return records
    }

    /// Which of `ids` the collection holds (ids only: nothing else is sent back).
    public func present(collection: String, ids: [String]) throws -> Set<String> {
        let object = try Self.object(try send(.POST, "\(databasePath)/collections/\(collection)/get", json: ["ids": ids, "include": [String]()]).body)
        return Set(object["ids"] as? [String] ?? [])
    }

    /// Records' embeddings by id (absent ids are left out); with `recipe`, only records whose
    /// `recipe` metadata is that.
    public func embeddings(collection: String, ids: [String], recipe: String? = nil) throws -> [String: [Float]] {
        let include = recipe == nil ? ["embeddings"] : ["embeddings", "metadatas"]
        let body = try send(.POST, "\(databasePath)/collections/\(collection)/get", json: ["ids": ids, "include": include]).body
        // Decoded straight to floats: through `JSONSerialization` each number became an NSNumber
        // from its text, over a second per thousand vectors (the grouping leader reads them all).
        let answer: EmbeddingsAnswer
        do {
            answer = try JSONDecoder().decode(EmbeddingsAnswer.self, from: body)
        } catch {
            throw ChromaError.rejected(status: 200, message: "embeddings answer not understood (\(error)): \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        var vectors: [String: [Float]] = [:]
        for (index, (id, vector)) in zip(answer.ids, answer.embeddings ?? []).enumerated() {
            guard let vector else { continue }
            if let recipe {
                guard let metadatas = answer.metadatas, index < metadatas.count, metadatas[index]?.recipe == recipe else { continue }
            }
            vectors[id] = vector
        }
        return vectors
    }

    private struct EmbeddingsAnswer: Decodable {
        var ids: [String]
        var embeddings: [[Float]?]?
        var metadatas: [RecipeMetadata?]?
    }

    /// The one metadata field `embeddings` reads; the others are the user's to read.
    private struct RecipeMetadata: Decodable {
        var recipe: String?
    }

    public func delete(collection: String, ids: [String]) throws {
        _ = try send(.POST, "\(databasePath)/collections/\(collection)/delete", json: ["ids": ids])
    }

    public func count(collection: String) throws -> Int {
        let (_, body) = try send(.GET, "\(databasePath)/collections/\(collection)/count")
        guard let count = Int(String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ChromaError.wrongServer(url: settings.url, reason: "count is not a number")
        }
        return count
    }

    // MARK: - HTTP

    private func send(_ method: HTTPMethod, _ path: String, json: [String: Any], timeout: Int64? = nil) throws -> (status: Int, body: Data) {
        try send(method, path, body: try JSONSerialization.data(withJSONObject: json), timeout: timeout)
    }

    /// Sends one request; unless `checked` is false, a status other than 2xx throws the matching error.
    private func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, checked: Bool = true, timeout: Int64? = nil) throws -> (status: Int, body: Data) {
        let response: HTTPClient.Response
        do {
            var request = try HTTPClient.Request(url: settings.url + path, method: method)
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .data(body)
            }
            if let token = settings.token {
                request.headers.add(name: "x-chroma-token", value: token)
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
            }
            response = try http.execute(request: request, deadline: .now() + .seconds(timeout ?? settings.timeoutSeconds)).wait()
        } catch {
            throw ChromaError.unreachable(url: settings.url, reason: Self.reason(error))
        }
        let data = response.body.map { Data(buffer: $0) } ?? Data()
        let status = Int(response.status.code)
        if checked && !(200..<300).contains(status) { try Self.raise(status, data, url: settings.url) }
        return (status, data)
    }

    private static func raise(_ status: Int, _ body: Data, url: String) throws -> Never {
        let message = message(body)
        switch status {
        case 401, 403: throw ChromaError.authRefused(url: url, status: status, message: message)
        case 429, 500...: throw ChromaError.unavailable(status: status, message: message)
        case 404 where message.isEmpty: throw ChromaError.wrongServer(url: url, reason: "HTTP 404 for a v2 API path")
        default: throw ChromaError.rejected(status: status, message: message)
        }
    }

    /// Chroma's `{"error", "message"}`, or the body's start.
    private static func message(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            return [object["error"] as? String, object["message"] as? String].compactMap { $0 }.joined(separator: ": ")
        }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }

    private static func reason(_ error: Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .connectTimeout || error == .deadlineExceeded || error == .readTimeout { return "timed out" }
            return "\(error)"
        }
        let text = "\(error)"
        return text.contains("connectionRefused") || text.contains("Connection refused") ? "connection refused" : text
    }

    private static func object(_ body: Data) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw ChromaError.rejected(status: 200, message: "answer is not a JSON object: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        return object
    }

    /// Little-endian float32, base64: the compact form `supports_base64_encoding` allows.
    private static func base64(_ vector: [Float]) -> String {
        vector.map { $0.bitPattern.littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
    }

    private static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? segment
    }
}
