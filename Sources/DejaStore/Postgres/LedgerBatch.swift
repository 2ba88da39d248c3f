import DejaCore
import Foundation
import PostgresNIO

/// A signature as the shared state keys it.
struct SignatureKey: Hashable, Sendable {
    var tenant: String
    var service: String
    var hash: String

    init(_ row: EventRow) {
        tenant = LedgerBatch.storable(row.event.tenant)
        service = LedgerBatch.storable(row.event.service)
        hash = row.signatureHash
    }
}

/// One transaction's rows summed per signature and per signature and minute, as the arrays
/// PostgreSQL's `unnest` takes: one statement per table, whatever the batch's size.
struct LedgerBatch: Sendable {
    static let minuteNanoseconds: Int64 = 60_000_000_000

    /// The minute `time` falls in, rounded down also before 1970.
    static func minute(of time: Int64) -> Int64 {
        time >= 0 ? time / minuteNanoseconds : (time + 1) / minuteNanoseconds - 1
    }

    /// `text` as PostgreSQL's text type takes it: it refuses NUL, which a log line may hold; a
    /// refused batch would be retried for ever and hold up every event after it.
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    private struct Sums {
        var message: String
        var level: Int
        var count: Int64 = 0
        var firstSeen: Int64
        var lastSeen: Int64
        var exampleBody: String
        var exampleTime: Int64
        var exampleLabels: String
        var searchTerms: String
    }

    /// A signature's events of one stream (label set) in one minute.
    private struct StreamMinute: Hashable {
        var key: SignatureKey
        var labels: String
        var minute: Int64
    }

    private var order: [SignatureKey] = []
    private var sums: [SignatureKey: Sums] = [:]
    private var minutes: [SignatureKey: [Int64: Int64]] = [:]
    private var streamMinutes: [StreamMinute: Int64] = [:]
    /// Each tenant's label sets counted in this batch (`LabelsJSON`, as `streamKey` makes them storable).
    private(set) var streams: [String: Set<String>] = [:]

    /// Rows before `countFrom` were counted by an earlier transaction: they are looked up, not counted.
    init(_ rows: [EventRow], keys: [SignatureKey], countFrom: Int) {
        for (index, row) in rows.enumerated() {
            let key = keys[index]
            let event = row.event
            if sums[key] == nil {
                order.append(key)
                sums[key] = Sums(message: Self.storable(row.message), level: event.level.rawValue, firstSeen: event.timestamp,
                                 lastSeen: event.timestamp, exampleBody: Self.storable(row.body), exampleTime: event.timestamp,
                                 exampleLabels: Self.storable(row.labelsJSON),
                                 searchTerms: Self.storable(KeywordTerms.signatureText(row.message) + " " + row.indexText))
            }
            guard index >= countFrom else { continue }
            sums[key]!.count += 1
            sums[key]!.firstSeen = min(sums[key]!.firstSeen, event.timestamp)
            sums[key]!.lastSeen = max(sums[key]!.lastSeen, event.timestamp)
            sums[key]!.level = max(sums[key]!.level, event.level.rawValue)
            let minute = Self.minute(of: event.timestamp)
            minutes[key, default: [:]][minute, default: 0] += 1
            let labels = Self.streamKey(row.labelsJSON)
            streamMinutes[StreamMinute(key: key, labels: labels, minute: minute), default: 0] += 1
            streams[key.tenant, default: []].insert(labels)
        }
        // Rows are locked in key order in every transaction: replicas upserting the same
        // signatures at once wait for each other instead of deadlocking.
        order.sort { ($0.tenant, $0.service, $0.hash) < ($1.tenant, $1.service, $1.hash) }
    }

    /// Inserts new signatures and adds to the counts, times and levels of known ones; every key's id.
    func upsertSignatures(_ connection: PostgresConnection, logger: Logger) async throws -> [SignatureKey: Int64] {
        let rows = order.map { ($0, sums[$0]!) }
        let tenants = rows.map(\.0.tenant), services = rows.map(\.0.service), hashes = rows.map(\.0.hash)
        let messages = rows.map(\.1.message), levels = rows.map { Int16($0.1.level) }, counts = rows.map(\.1.count)
        let firstSeen = rows.map(\.1.firstSeen), lastSeen = rows.map(\.1.lastSeen)
        let bodies = rows.map(\.1.exampleBody), times = rows.map(\.1.exampleTime), labels = rows.map(\.1.exampleLabels)
        let terms = rows.map(\.1.searchTerms)
        let result = try await connection.query("""
            INSERT INTO deja_signatures AS s (tenant, service, hash, message, level, count, first_seen, last_seen,
                                               example_body, example_time, example_labels, search_terms)
            SELECT * FROM unnest(\(tenants)::text[], \(services)::text[], \(hashes)::text[], \(messages)::text[], \(levels)::int2[],
                                 \(counts)::int8[], \(firstSeen)::int8[], \(lastSeen)::int8[], \(bodies)::text[], \(times)::int8[], \(labels)::text[],
                                 \(terms)::text[])
            ON CONFLICT (tenant, service, hash) DO UPDATE SET count = s.count + excluded.count,
                first_seen = CASE WHEN excluded.count > 0 THEN least(s.first_seen, excluded.first_seen) ELSE s.first_seen END,
                last_seen = CASE WHEN excluded.count > 0 THEN greatest(s.last_seen, excluded.last_seen) ELSE s.last_seen END,
                level = CASE WHEN excluded.count > 0 THEN greatest(s.level, excluded.level) ELSE s.level END
            RETURNING id, tenant, service, hash
            """, logger: logger)
        var ids: [SignatureKey: Int64] = [:]
        for try await (id, tenant, service, hash) in result.decode((Int64, String, String, String).self) {
            ids[SignatureKey(tenant: tenant, service: service, hash: hash)] = id
        }
        return ids
    }

    /// Adds the batch's events to each signature's per-minute counts.
    func addMinutes(_ connection: PostgresConnection, ids: [SignatureKey: Int64], logger: Logger) async throws {
        var entries: [(id: Int64, minute: Int64, count: Int64)] = []
        for (key, counts) in minutes {
            guard let id = ids[key] else { continue }
            for (minute, count) in counts { entries.append((id, minute, count)) }
        }
        guard !entries.isEmpty else { return }
        entries.sort { ($0.id, $0.minute) < ($1.id, $1.minute) }
        let signatureIDs = entries.map(\.id), minuteValues = entries.map(\.minute), counts = entries.map(\.count)
        try await connection.query("""
            INSERT INTO deja_signature_minutes AS m (signature_id, minute, count)
            SELECT * FROM unnest(\(signatureIDs)::int8[], \(minuteValues)::int8[], \(counts)::int8[])
            ON CONFLICT (signature_id, minute) DO UPDATE SET count = m.count + excluded.count
            """, logger: logger)
    }
}

extension LedgerBatch {
    /// Labels (`LabelsJSON`) as PostgreSQL's `jsonb` takes them: it refuses the escaped NUL.
    static func streamKey(_ labelsJSON: String) -> String {
        labelsJSON.contains("\\u0000") ? labelsJSON.replacingOccurrences(of: "\\u0000", with: "\\ufffd") : labelsJSON
    }

    /// Adds the batch's events to each signature's per-stream, per-minute counts; `streamIDs` are
    /// by tenant and label set (`streams`).
    func addStreamMinutes(_ connection: PostgresConnection, ids: [SignatureKey: Int64], streamIDs: [String: [String: Int64]],
                          logger: Logger) async throws {
        var entries: [(id: Int64, stream: Int64, minute: Int64, count: Int64)] = []
        for (entry, count) in streamMinutes {
            guard let id = ids[entry.key], let stream = streamIDs[entry.key.tenant]?[entry.labels] else { continue }
            entries.append((id, stream, entry.minute, count))
        }
        guard !entries.isEmpty else { return }
        entries.sort { ($0.id, $0.stream, $0.minute) < ($1.id, $1.stream, $1.minute) }
        let signatureIDs = entries.map(\.id), streamValues = entries.map(\.stream), minuteValues = entries.map(\.minute)
        let counts = entries.map(\.count)
        try await connection.query("""
            INSERT INTO deja_stream_minutes AS m (signature_id, stream_id, minute, count)
            SELECT * FROM unnest(\(signatureIDs)::int8[], \(streamValues)::int8[], \(minuteValues)::int8[], \(counts)::int8[])
            ON CONFLICT (signature_id, stream_id, minute) DO UPDATE SET count = m.count + excluded.count
            """, logger: logger)
    }
}

extension SignatureKey {
    init(tenant: String, service: String, hash: String) {
        self.tenant = tenant
        self.service = service
        self.hash = hash
    }
}
