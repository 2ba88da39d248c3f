import DejaCore
import DejaIngest
import DejaStore
import Foundation
import HTTPTypes
import Hummingbird
import struct Logging.Logger
import NIOCore

/// The receivers: Loki push, Elasticsearch bulk, OTLP/HTTP logs and Deja's own NDJSON, all into
/// one durable ingest. A request is answered once its events are in the write-ahead log; a
/// request refused (too large, malformed, overloaded) stores nothing of it.
struct IngestAPI {
    let ingest: DurableIngest
    let limits: IngestLimits
    /// Seconds east of UTC for times that lines write without a zone.
    let zoneOffset: Int64
    let metrics: ServerMetrics
    /// What `GET /` tells Elasticsearch clients (Beats and Logstash compare it with their own).
    let elasticsearchVersion: String
    let logger: Logger

    static let elasticProduct = HTTPField.Name("X-Elastic-Product")!

    func register(on router: GuardedRouter) {
        router.post("/loki/api/v1/push", .scope(.ingest)) { request, context in
            let tenant = try context.tenant(for: .ingest)
            let contentType = request.headers[.contentType]
            try await accept("loki", request, snappyIsMarker: true) { body in
                try LokiPush.events(body, contentType: contentType, tenant: tenant, limits: limits,
                                    lines: StreamLines(receivedAt: EventTime.now(), zoneOffset: zoneOffset))
            }
            return Response(status: .noContent)
        }
        router.post("/api/v1/ingest", .scope(.ingest)) { request, context in
            let tenant = try context.tenant(for: .ingest)
            var count = 0
            try await accept("ndjson", request) { body in
                let events = try Self.ndjson(body, tenant: tenant, limits: limits)
                count = events.count
                return events
            }
            return try jsonResponse(["accepted": count], status: .ok)
        }
        for path in ["/v1/logs", "/otlp/v1/logs"] {
            router.post(path, .scope(.ingest)) { request, context in try await otlp(request, context: context) }
        }
        registerElasticsearch(on: router)
    }

    /// Reads the body, decodes it with `decode`, and stores the events durably; counts rejections.
    private func accept(_ receiver: String, _ request: Request, snappyIsMarker: Bool = false,
                        decode: ([UInt8]) throws -> [LogEvent]) async throws {
        do {
            let body = try await RequestBody.bytes(of: request, limits: limits, snappyIsMarker: snappyIsMarker)
            let events = try decode(body)
            try await submit(events)
            metrics.received(receiver, events: events.count, bytes: body.count)
        } catch let rejection as Rejection {
            metrics.rejected(rejection.reason)
            throw rejection
        }
    }

    private func submit(_ events: [LogEvent]) async throws {
        do {
            try await ingest.submit(events)
        } catch let overloaded as DurableIngest.Overloaded {
            metrics.rejected("overloaded")
            // Loki clients, Fluent Bit, Beats and OTLP exporters all retry a 429 after a pause.
            throw HTTPError(.tooManyRequests, headers: [.retryAfter: "1"], message: overloaded.description)
        } catch let tooLarge as DurableIngest.TooLarge {
            metrics.rejected("request_too_large")
            throw HTTPError(.contentTooLarge, message: tooLarge.description)
        } catch let error as WriteAheadLogError {
            metrics.rejected("wal_error")
            // The log's path and errno go to the server's log; the client learns only to retry.
            logger.error("a write-ahead-log append failed", metadata: ["error": "\(error)"])
            throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "5"], message: "the server could not make the events durable; retry later")
        }
    }

    /// Deja's own NDJSON: one `deja ingest --jsonl` object per line; one bad line refuses the request.
    static func ndjson(_ body: [UInt8], tenant: String, limits: IngestLimits) throws -> [LogEvent] {
        let decoder = JSONEventDecoder(tenant: tenant, defaultService: "unknown_service", defaultTimestamp: EventTime.now())
        var events: [LogEvent] = []
        var budget = RequestBudget(limits)
        for (index, line) in RequestBody.text(body).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line)
            guard !bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) else { continue }
            try RequestBody.checkJSONDepth(bytes, limits: limits)
            do {
                let event = try decoder.decode(String(decoding: bytes, as: UTF8.self), number: index + 1)
                try RequestBody.checkLine(event.body, at: "line \(index + 1)", limits: limits)
                try limits.check(labels: event.labels, at: "line \(index + 1)")
                try budget.add(bytes: event.body.utf8.count + IngestLimits.bytes(of: event.labels) + IngestLimits.bytes(of: event.attributes))
                events.append(event)
            } catch let error as JSONEventDecoder.DecodingError {
                throw Rejection.badRequest(error.description)
            }
        }
        return events
    }

    // MARK: OTLP

    /// Answers in the request's encoding: an `ExportLogsServiceResponse` (with partial success for
    /// rejected records), or a `google.rpc.Status` for a refused request.
    private func otlp(_ request: Request, context: DejaRequestContext) async throws -> Response {
        let json = OTLPLogs.isJSON(request.headers[.contentType])
        let contentType = json ? "application/json" : "application/x-protobuf"
        func status(_ code: HTTPResponse.Status, _ message: String, retryAfter: String? = nil) throws -> Response {
            var status = Opentelemetry_Proto_Status()
            status.code = Int32(code.code)
            status.message = message
            var headers: HTTPFields = [.contentType: contentType]
            if let retryAfter { headers[.retryAfter] = retryAfter }
            let body: [UInt8] = json ? try status.jsonUTF8Bytes() : try status.serializedBytes()
            return Response(status: code, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        do {
            let tenant = try context.tenant(for: .ingest)
            var decoded = OTLPLogs.Decoded()
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            try await accept("otlp", request) { body in
                decoded = try OTLPLogs.decode(body, contentType: request.headers[.contentType], tenant: tenant, limits: limits, now: now,
                                              zoneOffset: zoneOffset)
                return decoded.events
            }
            let body = try OTLPLogs.response(decoded, json: json)
            return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        } catch let rejection as Rejection {
            return try status(rejection.status, rejection.message)
        } catch let error as HTTPError {
            return try status(error.status, error.body ?? "\(error.status)", retryAfter: error.headers[.retryAfter])
        }
    }

    // MARK: Elasticsearch

    /// `GET /` for Elasticsearch clients: the cluster and version they check (browsers get the UI).
    var elasticsearchRoot: @Sendable () -> Response {
        let info = try! JSONSerialization.data(withJSONObject: [
            "name": "deja", "cluster_name": "deja", "cluster_uuid": "deja-logs", "tagline": "You Know, for Search",
            "version": ["number": elasticsearchVersion, "build_flavor": "default", "build_type": "deja", "lucene_version": "9.11.1",
                        "minimum_wire_compatibility_version": "7.17.0", "minimum_index_compatibility_version": "7.0.0",
                        "distribution": "elasticsearch"],
        ] as [String: Any], options: [.sortedKeys])
        return {
            Response(status: .ok, headers: [.contentType: "application/json", Self.elasticProduct: "Elasticsearch"],
                     body: .init(byteBuffer: ByteBuffer(bytes: info)))
        }
    }

    private func registerElasticsearch(on router: GuardedRouter) {
        router.head("/", .open) { _, _ in Response(status: .ok, headers: [Self.elasticProduct: "Elasticsearch"]) }
        router.get("/_license", .scope(.ingest)) { _, _ in try elastic(["license": ["uid": "deja", "type": "basic", "status": "active"]]) }
        router.get("/_xpack", .scope(.ingest)) { _, _ in try elastic(["features": [:] as [String: Any], "license": ["type": "basic", "status": "active"]]) }
        router.get("/_cat/health", .scope(.ingest)) { _, _ in
            Response(status: .ok, headers: [Self.elasticProduct: "Elasticsearch", .contentType: "text/plain"],
                     body: .init(byteBuffer: ByteBuffer(string: "\(Int(Date().timeIntervalSince1970)) deja green\n")))
        }
        // Template, ILM and data-stream set-up that Beats and Logstash do first, with the token they
        // ship with: acknowledged, as Deja keeps no index settings.
        for prefix in ["/_index_template", "/_template", "/_component_template", "/_ilm/policy", "/_data_stream"] {
            router.put(prefix + "/:name", .scope(.ingest)) { _, _ in try elastic(["acknowledged": true]) }
            router.get(prefix + "/:name", .scope(.ingest)) { _, _ in try elastic([:], status: .notFound) }
            router.head(prefix + "/:name", .scope(.ingest)) { _, _ in Response(status: .notFound, headers: [Self.elasticProduct: "Elasticsearch"]) }
        }
        for path in ["/_bulk", "/:index/_bulk", "/:index/:type/_bulk"] {
            router.post(path, .scope(.ingest)) { request, context in try await bulk(request, context: context) }
            router.put(path, .scope(.ingest)) { request, context in try await bulk(request, context: context) }
        }
        router.post("/:index/_doc", .scope(.ingest)) { request, context in try await document(request, context: context, id: nil) }
        router.put("/:index/_doc/:id", .scope(.ingest)) { request, context in
            try await document(request, context: context, id: context.parameters.decoded("id"))
        }
        router.post("/:index/_create/:id", .scope(.ingest)) { request, context in
            try await document(request, context: context, id: context.parameters.decoded("id"))
        }
    }

    private func bulk(_ request: Request, context: DejaRequestContext) async throws -> Response {
        try await elasticErrors {
            let tenant = try context.tenant(for: .ingest)
            let started = DispatchTime.now().uptimeNanoseconds
            var items: [ElasticsearchBulk.Item] = []
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            try await accept("elasticsearch", request) { body in
                items = try ElasticsearchBulk.items(body, defaultIndex: context.parameters.decoded("index"), tenant: tenant, limits: limits, now: now,
                                                    zoneOffset: zoneOffset)
                return ElasticsearchBulk.events(items)
            }
            let took = Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
            return try elastic(ElasticsearchBulk.response(items, tookMilliseconds: took, firstSequence: ingest.status.storedEvents))
        }
    }

    private func document(_ request: Request, context: DejaRequestContext, id: String?) async throws -> Response {
        try await elasticErrors {
            let tenant = try context.tenant(for: .ingest)
            let index = context.parameters.decoded("index") ?? "deja"
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            var event: LogEvent?
            try await accept("elasticsearch", request) { body in
                let decoded = try ElasticsearchBulk.document(body, tenant: tenant, index: index, id: id ?? "\(now)", limits: limits, now: now,
                                                              zoneOffset: zoneOffset)
                event = decoded
                return [decoded]
            }
            return try elastic(["_index": index, "_id": event?.externalID ?? "", "_version": 1, "result": "created", "_seq_no": 0,
                                "_primary_term": 1, "_shards": ["total": 1, "successful": 1, "failed": 0]], status: .created)
        }
    }

    /// Errors in Elasticsearch's shape, `{"error": {"type", "reason"}, "status"}`, with its product header.
    private func elasticErrors(_ body: () async throws -> Response) async throws -> Response {
        func rendered(_ status: HTTPResponse.Status, _ type: String, _ reason: String, _ headers: HTTPFields = [:]) throws -> Response {
            var response = try elastic(["error": ["root_cause": [["type": type, "reason": reason]], "type": type, "reason": reason],
                                        "status": status.code], status: status)
            response.headers.append(contentsOf: headers)
            return response
        }
        do {
            return try await body()
        } catch let rejection as Rejection {
            return try rendered(rejection.status, "parse_exception", rejection.message)
        } catch let error as HTTPError {
            var headers = error.headers
            headers[.contentType] = nil
            let type = error.status == .tooManyRequests ? "es_rejected_execution_exception" : "security_exception"
            return try rendered(error.status, error.status.code < 500 && error.status != .tooManyRequests ? type : "deja_exception",
                                error.body ?? "\(error.status)", headers)
        }
    }

    private func elastic(_ object: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        var response = try jsonResponse(object, status: status)
        response.headers[Self.elasticProduct] = "Elasticsearch"
        return response
    }
}

/// A JSON response from a Foundation object.
func jsonResponse(_ object: Any, status: HTTPResponse.Status) throws -> Response {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
