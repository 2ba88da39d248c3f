import DejaCore
@testable import DejaStore
import Foundation
import GRDB
import Testing

@Suite struct SQLiteStoreTests {
    private func temporaryDirectory() throws -> DataDirectory {
        try DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("deja-store-\(UUID().uuidString)").path)
    }

    private func prepared(_ body: String, service: String = "api", tenant: String = "default", at time: Int64 = 1_000,
                          level: Severity = .error, labels: [String: String] = [:], id: String? = nil) -> PreparedEvent {
        let message = MessageNormalizer.normalize(body)
        return PreparedEvent(event: LogEvent(timestamp: time, tenant: tenant, service: service, level: level, labels: labels, body: body,
                                             externalID: id),
                             body: body, message: message, signatureHash: String(message.hashValue))
    }

    @Test("an identifier is found as a whole token only, and not when it is vocabulary")
    func eventsHoldingAnIdentifier() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        _ = try store.ingest([
            prepared("invoice INV-2024-427820 failed", at: 1_000, id: "exact"),
            prepared("invoice INV-2024-4278201 failed", at: 2_000, id: "longer"),
            prepared("retry of inv-2024-427820 scheduled", service: "billing", at: 3_000, id: "case"),
            prepared("connect to 10.0.3.7:5432 refused", at: 4_000, id: "address"),
            prepared("connect to 10.0.3.70:5432 refused", at: 5_000, id: "longer-address"),
            prepared("DHCP lease renewal for 3C:22:FB:91:0A:7E: no reply", at: 6_000, id: "hardware"),
            prepared("DHCP lease renewed for 3c:22:fb:91:0a:7f", at: 7_000, id: "other-hardware"),
            prepared("health check of web01.prod.example.com failed", at: 8_000, id: "host"),
            prepared("health check of web02.prod.example.com failed", at: 9_000, id: "other-host"),
            prepared("Node ip-10-0-1-23.ec2.internal status is now: NodeNotReady", at: 10_000, id: "node"),
            prepared("Node ip-10-0-1-2.ec2.internal status is now: NodeReady", at: 11_000, id: "other-node"),
        ] + (0..<60).map { prepared("worker 7777 heartbeat \($0)", level: .info, id: "common-\($0)") })
        let found = try store.eventsHolding(identifier: "inv-2024-427820", filter: SearchFilter(), limit: 10)
        #expect(found.compactMap(\.externalID) == ["case", "exact"])
        #expect(try store.eventsHolding(identifier: "inv-2024-427820", filter: SearchFilter(services: ["billing"]), limit: 10).compactMap(\.externalID) == ["case"])
        #expect(try store.eventsHolding(identifier: "7777", filter: SearchFilter(), limit: 10).isEmpty)  // 60 of 71 events: vocabulary
        // An address's numbers are too short to index one by one: it is found through a word of its own.
        #expect(try store.eventsHolding(identifier: "10.0.3.7", filter: SearchFilter(), limit: 10).compactMap(\.externalID) == ["address"])
        #expect(try store.eventsHolding(identifier: "10.0.3.7:5432", filter: SearchFilter(), limit: 10).compactMap(\.externalID) == ["address"])
        // So are a MAC address's pairs, whatever their case.
        #expect(try store.eventsHolding(identifier: "3c:22:fb:91:0a:7e", filter: SearchFilter(), limit: 10).compactMap(\.externalID) == ["hardware"])
        #expect(try store.eventsHolding(identifier: "web01.prod.example.com", filter: SearchFilter(), limit: 10).compactMap(\.externalID) == ["host"])
        #expect(try store.eventsHolding(identifier: "ip-10-0-1-23", filter: SearchFilter(), limit: 10).compactMap(\.externalID) == ["node"])
    }

    @Test func eventsShareSignaturesAndAreKeywordSearchable() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        let summary = try store.ingest([
            prepared("connection to 10.0.0.1 refused", at: 1_000, id: "a"),
            prepared("connection to 10.0.0.2 refused", at: 2_000, id: "b"),
            prepared("disk full on /var", service: "node", at: 3_000, id: "c"),
        ])
        #expect(summary.events == 3)
        #expect(summary.newSignatures.count == 2)
        let signature = try #require(try store.signatures(ids: [summary.newSignatures[0]], tenant: "default").first)
        #expect(signature.count == 2 && signature.firstSeen == 1_000 && signature.lastSeen == 2_000)
        let hits = try store.keywordSearch("refused", filter: SearchFilter(), limit: 10)
        #expect(Set(try store.events(ids: hits, tenant: "default").compactMap(\.externalID)) == ["a", "b"])
        #expect(try store.keywordSearch("refused", filter: SearchFilter(services: ["node"]), limit: 10).isEmpty)
        #expect(try store.event(externalID: "c", tenant: "default")?.service == "node")
    }

    @Test("a word of the signature's message and a value of one event are both found; the event holding both ranks first")
    func keywordSearchJoinsSignatureAndEventWords() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        _ = try store.ingest([
            prepared("order 55501 refused by gateway", at: 1_000, id: "a"),
            prepared("order 55502 refused by gateway", at: 2_000, id: "b"),
            prepared("order 55502 shipped", at: 3_000, id: "c"),
        ])
        let ranked = try store.events(ids: try store.keywordSearch("gateway refused order 55502", filter: SearchFilter(), limit: 10), tenant: "default")
        #expect(ranked.compactMap(\.externalID) == ["b", "a", "c"] || ranked.compactMap(\.externalID) == ["b", "c", "a"])
        #expect(ranked.first?.externalID == "b")
        #expect(Set(try store.events(ids: try store.keywordSearch("55502", filter: SearchFilter(), limit: 10), tenant: "default").compactMap(\.externalID)) == ["b", "c"])
        #expect(try store.keywordSearch("gateway", filter: SearchFilter(since: 1_500), limit: 10).count == 1)
    }

    @Test("a word's signatures are found through the word index, not by walking the tenant's signatures")
    func signatureWordLookupStartsFromTheIndex() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        let plan = try store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.signaturesHoldingWord, arguments: ["\"gateway\"", "default"]).map { $0["detail"] as String }
        }
        #expect(plan.first?.contains("signatures_fts") == true, "\(plan)")
        #expect(plan.dropFirst().allSatisfy { !$0.hasPrefix("SCAN") }, "\(plan)")
    }

    @Test("signatures asked for by id are looked up by id, not found by walking the tenant's signatures")
    func signaturesByIDStartFromTheirIDs() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        // Thirty ids, as search asks for: with fewer, SQLite picks the ids without the `+` anyway.
        let plan = try store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.signaturesSelect(ids: Array(1...30), tenant: true), arguments: ["default"])
                .map { $0["detail"] as String }
        }
        #expect(plan.first == "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)", "\(plan)")
    }

    @Test("the time written in a line is stored beside the collector's")
    func lineTimeIsKept() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        var late = prepared("payment declined", at: 5_000, id: "late")
        late.event.lineTimestamp = 4_000
        _ = try store.ingest([late, prepared("payment declined", at: 6_000, id: "same")])
        #expect(try store.event(externalID: "late", tenant: "default")?.lineTimestamp == 4_000)
        #expect(try store.event(externalID: "same", tenant: "default")?.lineTimestamp == nil)
    }

    @Test func tenantsNeverSeeEachOther() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        _ = try store.ingest([prepared("secret plan leaked", tenant: "acme", id: "x")])
        #expect(try store.keywordSearch("secret plan", filter: SearchFilter(tenant: "other"), limit: 10).isEmpty)
        #expect(try store.event(externalID: "x", tenant: "other") == nil)
        try store.upsert([VectorRecord(signatureID: 1, tenant: "acme", service: "api", level: .error, vector: [1, 0])], model: "m")
        #expect(try store.search([1, 0], model: "m", filter: SearchFilter(tenant: "other"), k: 5).isEmpty)
        #expect(try store.search([1, 0], model: "m", filter: SearchFilter(tenant: "acme"), k: 5).map(\.signatureID) == [1])
    }

    @Test("vectors are kept per model, so a model change never mixes spaces")
    func vectorsPerModel() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        try store.upsert([VectorRecord(signatureID: 7, tenant: "default", service: "api", level: .error, vector: [0.6, 0.8])], model: "a")
        #expect(try store.missing(model: "b", among: [7]) == [7])
        #expect(try store.missing(model: "a", among: [7]).isEmpty)
        #expect(try store.search([0.6, 0.8], model: "a", filter: SearchFilter(), k: 1).first?.similarity == 1)
    }

    @Test("SQLite's log is truncated once past its limit, even while a reader holds it")
    func logIsTruncatedPastItsLimit() throws {
        let directory = try temporaryDirectory()
        let store = try SQLiteStore(directory: directory)
        store.logTruncateBytes = 256 << 10
        let log = directory.database.path + "-wal"
        func logBytes() throws -> Int { try FileManager.default.attributesOfItem(atPath: log)[.size] as! Int }
        let batch = (0..<3_000).map { prepared("request \($0) for order \($0 * 7919) failed after retry", at: Int64($0)) }
        _ = try store.ingest(batch)
        #expect(try logBytes() <= 256 << 10)
        // A reader that never lets go keeps the log from starting over; the next commit past the
        // limit still truncates it once the reader is done.
        let reader = try DatabaseQueue(path: directory.database.path)
        try reader.read { db in
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM events")
            _ = try store.ingest(batch)
            #expect(try logBytes() > 256 << 10)
        }
        _ = try store.ingest(Array(batch.prefix(10)))
        #expect(try logBytes() <= 256 << 10)
        #expect(try store.keywordSearch("order 23757", filter: SearchFilter(), limit: 5).count == 3)
    }

    @Test("vectors stored after a search are found by the next one, new and replaced alike")
    func vectorSearchSeesNewVectors() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        func record(_ id: Int64, _ vector: [Float]) -> VectorRecord {
            VectorRecord(signatureID: id, tenant: "default", service: "api", level: .error, vector: vector)
        }
        try store.upsert([record(1, [1, 0])], model: "m")
        #expect(try store.search([0, 1], model: "m", filter: SearchFilter(), k: 1).map(\.signatureID) == [1])
        try store.upsert([record(2, [0, 1]), record(3, [0.6, 0.8])], model: "m")
        #expect(try store.search([0, 1], model: "m", filter: SearchFilter(), k: 3).map(\.signatureID) == [2, 3, 1])
        try store.upsert([record(1, [0, 1])], model: "m")
        #expect(try store.search([0, 1], model: "m", filter: SearchFilter(), k: 3).map(\.signatureID) == [1, 2, 3])
        // A hit's own vector, as replaced, for a search to lean toward; none under another model.
        let hit = try #require(try store.search([0.6, 0.8], model: "m", filter: SearchFilter(), k: 1).first)
        #expect(hit.signatureID == 3)
        #expect(try store.vector(of: hit, model: "m") == [0.6, 0.8])
        #expect(try store.vector(of: VectorHit(signatureID: 1, similarity: 1), model: "m") == [0, 1])
        #expect(try store.vector(of: hit, model: "other") == nil)
    }

    @Test func retentionRemovesOldEventsAndOrphanSignatures() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        _ = try store.ingest([prepared("old failure one", at: 100), prepared("recent failure two", at: 10_000)])
        let removed = try store.removeEvents(olderThan: 5_000, tenant: "default")
        #expect(removed.events == 1 && removed.signatures == 1)
        #expect(try store.keywordSearch("failure", filter: SearchFilter(), limit: 10).count == 1)
    }

    @Test("retention in many small transactions removes what one would, at every range boundary")
    func retentionInRanges() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        // Ids 1...11; old and recent events alternate, and two signatures keep recent events.
        _ = try store.ingest((0..<11).map { prepared("job \(["alpha", "beta", "gamma"][$0 % 3]) failed", at: $0 % 2 == 0 ? 100 : 10_000) })
        let removed = try store.removeEvents(olderThan: 5_000, tenant: "default", idsPerTransaction: 2)
        #expect(removed.events == 6 && removed.signatures == 0)
        #expect(try store.keywordSearch("failed", filter: SearchFilter(), limit: 20).count == 5)
        #expect(try store.signatures(ids: [1, 2, 3], tenant: nil).map(\.count).reduce(0, +) == 5)
    }

    @Test func retentionRemovesOnlyItsTenantsEvents() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        _ = try store.ingest([prepared("old failure one", tenant: "a", at: 100), prepared("old failure one", tenant: "b", at: 100)])
        #expect(try store.removeEvents(olderThan: 5_000, tenant: "a") == (1, 1))
        #expect(try store.keywordSearch("failure", filter: SearchFilter(tenant: "a"), limit: 10).isEmpty)
        #expect(try store.keywordSearch("failure", filter: SearchFilter(tenant: "b"), limit: 10).count == 1)
    }

    @Test("an event's index row holds the words its message lacks; the signature's row holds the message's words")
    func eventAndSignatureWordsSplit() {
        #expect(KeywordTerms.eventText("took 1234567 ms to reach payments-db", message: "took <num> ms to reach payments-db") == "1234567")
        // A word spelled like a placeholder is the event's own.
        #expect(KeywordTerms.eventText("time spent 98765 seconds", message: "<time> spent <num> seconds") == "time 98765")
        #expect(KeywordTerms.eventText("Zeitüberschreitung bei node_7 über 30000", message: "Zeitüberschreitung bei node_<num> über <num>") == "30000")
        #expect(KeywordTerms.eventText("überschreitung", message: "Zeitüberschreitung") == "überschreitung")
        #expect(KeywordTerms.signatureText("user <id> failed login from <ip> after <duration> timeout") == "user failed login from after timeout")
        #expect(KeywordTerms.eventText("connect to 10.0.3.7:5432 refused", message: "connect to <ip>:<num> refused") == "5432 ip010000003007")
    }

    @Test("the keyword index holds searchable words only, the same on the byte path and the general one")
    func indexTextKeepsSearchableWords() {
        #expect(KeywordTerms.terms(of: "GET /API/v1 took 5ms: Timeout_X") == ["get", "api", "v1", "took", "5ms", "timeout"])
        #expect(KeywordTerms.terms(of: "GET /API/v1 took 5ms: Timeout_X é") == ["get", "api", "v1", "took", "5ms", "timeout"])
        #expect(KeywordTerms.indexText("12:01:02 n2 GET /api/v1/users/77 took 5 ms, req 123456 Timeout") == "users took 123456 Timeout")
        #expect(KeywordTerms.indexText("Zeitüberschreitung bei node_7 nach 30000 ms") == "Zeitüberschreitung node nach 30000")
        // IPv4 addresses as words of their own; versions, longer numbers and numbers over 255 are not addresses.
        #expect(KeywordTerms.indexText("connect to 10.0.3.7:5432 from 192.168.1.250 refused") == "connect 5432 from refused ip010000003007 ip192168001250")
        #expect(KeywordTerms.indexText("version 1.2.3.4567 v1.2.3.4 256.1.1.1 10.0.0") == "version 4567")
        #expect(KeywordTerms.lookupWords(of: "10.0.3.7:5432") == ["ip010000003007", "5432"])
        // MAC addresses too, in lower case; not six pairs of a longer run.
        #expect(KeywordTerms.indexText("lease for 3C:22:FB:91:0A:7E and 00-1a-2b-3c-4d-5e") == "lease mac3c22fb910a7e mac001a2b3c4d5e")
        #expect(KeywordTerms.indexText("dump 01:02:03:04:05:06:07 fe80::3c22:fbff 0a:7e:zz:91:0a:7e") == "dump fe80 3c22 fbff")
        #expect(KeywordTerms.indexText("renewal for 3c:22:fb:91:0a:7e: no reply, hw:00:1a:2b:3c:4d:5e") == "renewal reply mac3c22fb910a7e mac001a2b3c4d5e")
        #expect(KeywordTerms.lookupWords(of: "3c:22:fb:91:0a:7e") == ["mac3c22fb910a7e"])
        // Host names of short parts too; not dates, words or a hyphenated run's tail.
        #expect(KeywordTerms.indexText("node ip-10-0-1-23.ec2.internal NotReady") == "node internal NotReady hn2ip2101011223")
        #expect(KeywordTerms.indexText("on 2024-06-03 a-b-c x-1 en-us-1a-long pre-ab-1-cd") == "2024 long hn3pre2ab112cd")
        #expect(KeywordTerms.lookupWords(of: "ip-10-0-1-23.ec2.internal") == ["hn2ip2101011223", "internal"])
        for line in ["ERROR [main] o.a.Foo: user=alice id=0x7f3a failed (errno 11111)", "tab\tseparated\nlines here", "",
                     "connect to 10.0.3.7:5432 refused", "lease for 3C:22:FB:91:0A:7E renewed"] {
            #expect(KeywordTerms.indexText(line) == KeywordTerms.indexText(line + "é").replacingOccurrences(of: "é", with: "")
                .trimmingCharacters(in: .whitespaces))
        }
    }

    @Test func emptyStoreAnswersWithNothing() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        #expect(try store.signatureCounts(filter: SearchFilter(), since: 0, until: 1_000, buckets: 4, limit: 5).isEmpty)
        #expect(try store.patternCounts(filter: SearchFilter(), since: 0, until: 1_000, buckets: 4, limit: 5).isEmpty)
        #expect(try store.events(signature: 1, filter: SearchFilter(), limit: 5).total == 0)
        #expect(try store.keywordSearch("gateway refused", filter: SearchFilter(), limit: 5).isEmpty)
        #expect(try store.removeEvents(olderThan: 1_000, tenant: "default") == (0, 0))
    }

    @Test("a signature's events in two index segments are counted, filtered, listed newest first and removed as one")
    func signatureAcrossSegments() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        _ = try store.ingest([prepared("filler line", tenant: "other", at: 9_000)])
        // The next events get ids on both sides of the first segment's end.
        let boundary = Int64(1) << SQLiteStore.segmentShift
        try store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO events (id, tenant, service, level, timestamp, labels, body, signature_id)
                SELECT ?, tenant, service, level, timestamp, labels, body, signature_id FROM events WHERE id = 1
                """, arguments: [boundary - 3])
        }
        let summary = try store.ingest([
            prepared("order 11 refused", at: 1_000), prepared("order 12 refused", at: 3_000),
            prepared("order 13 refused", at: 2_000), prepared("order 14 refused", at: 4_000, level: .info),
        ])
        let signature = try #require(summary.newSignatures.first)
        #expect(try store.events(ids: [boundary - 1, boundary], tenant: "default").map(\.body) == ["order 12 refused", "order 13 refused"])
        let all = try store.events(signature: signature, filter: SearchFilter(), limit: 3)
        #expect(all.total == 4 && all.events.map(\.timestamp) == [4_000, 3_000, 2_000])
        let errors = try store.events(signature: signature, filter: SearchFilter(levels: [.error]), limit: 5)
        #expect(errors.total == 3 && errors.events.map(\.timestamp) == [3_000, 2_000, 1_000])
        #expect(try store.events(signature: signature, filter: SearchFilter(since: 2_500), limit: 5).total == 2)
        #expect(try store.events(signature: signature, filter: SearchFilter(tenant: "other"), limit: 5).total == 0)
        #expect(try store.signatureCounts(filter: SearchFilter(), since: 0, until: 4_999, buckets: 5, limit: 5).first?.counts == [0, 1, 1, 1, 1])
        #expect(try store.keywordSearch("refused", filter: SearchFilter(), limit: 10).count == 4)
        #expect(try store.removeEvents(olderThan: 1_500, tenant: "default").events == 1)
        let kept = try #require(try store.signatures(ids: [signature], tenant: "default").first)
        #expect(kept.count == 3 && kept.firstSeen == 2_000)
    }

    @Test("counts over time with a label filter count only the events holding those labels")
    func signatureCountsByLabels() throws {
        let store = try SQLiteStore(directory: try temporaryDirectory())
        _ = try store.ingest([
            prepared("order 11 refused", at: 1_000, labels: ["namespace": "prod", "pod": "a"]),
            prepared("order 12 refused", at: 2_000, labels: ["namespace": "dev"]),
            prepared("order 13 refused", at: 3_000, labels: ["namespace": "prod", "pod": "b"]),
            prepared("order 14 refused", at: 4_000),
        ])
        let counts = { (labels: [String: String]) in
            try store.signatureCounts(filter: SearchFilter(labels: labels), since: 0, until: 4_999, buckets: 5, limit: 5).first?.counts
        }
        #expect(try counts([:]) == [0, 1, 1, 1, 1])
        #expect(try counts(["namespace": "prod"]) == [0, 1, 0, 1, 0])
        #expect(try counts(["namespace": "prod", "pod": "b"]) == [0, 0, 0, 1, 0])
        #expect(try counts(["namespace": "staging"]) == nil)
    }

    @Test("a schema-1 store (whole bodies indexed, no vector-index outbox, no vector recipes) is migrated and stays searchable")
    func schemaOneIsMigrated() throws {
        let directory = try temporaryDirectory()
        do {
            let store = try SQLiteStore(directory: directory)
            _ = try store.ingest([prepared("payment gateway timeout for order 98765", id: "p1")])
            try store.upsert([VectorRecord(signatureID: 1, tenant: "default", service: "api", level: .error, vector: [1, 0], recipe: "r")], model: "m")
        }
        // Turn it back into schema 1, as an older Deja left it.
        let connection = try DatabaseQueue(path: directory.database.path)
        try connection.write { db in
            try db.execute(sql: """
                DROP TABLE events_fts;
                DROP TABLE signatures_fts;
                DROP TABLE wal_state;
                DROP TABLE index_removals;
                ALTER TABLE signatures DROP COLUMN indexed_count;
                ALTER TABLE events DROP COLUMN line_timestamp;
                ALTER TABLE signatures DROP COLUMN pattern_id;
                DROP TABLE patterns;
                DROP TABLE pattern_miners;
                DROP TABLE metrics;
                DROP INDEX signatures_by_issue;
                ALTER TABLE signatures DROP COLUMN issue_id;
                DROP TABLE issues;
                DROP TABLE issue_splits;
                ALTER TABLE vectors DROP COLUMN recipe;
                CREATE VIRTUAL TABLE events_fts USING fts5(body, content = 'events', content_rowid = 'id');
                INSERT INTO events_fts (events_fts) VALUES ('rebuild');
                CREATE INDEX events_by_time ON events (tenant, timestamp);
                DROP INDEX events_by_segment;
                CREATE INDEX events_by_signature ON events (signature_id, timestamp);
                PRAGMA user_version = 1;
                """)
        }
        try connection.close()
        let store = try SQLiteStore(directory: directory)
        // Its vector has no recipe recorded: it is embedded again.
        #expect(try store.signaturesWithStaleVectors(model: "m", recipe: "r", limit: 5).map(\.id) == [1])
        #expect(try store.events(ids: try store.keywordSearch("gateway 98765", filter: SearchFilter(), limit: 5), tenant: "default").map(\.externalID) == ["p1"])
        _ = try store.ingest([prepared("payment gateway refused card", at: 2_000, id: "p2")])
        #expect(try store.keywordSearch("gateway", filter: SearchFilter(), limit: 5).count == 2)
        #expect(try store.removeEvents(olderThan: 1_500, tenant: "default").events == 1)
        #expect(try store.keywordSearch("gateway", filter: SearchFilter(), limit: 5).count == 1)
        #expect(try store.pendingIndexRemovals(limit: 5).isEmpty)
    }

    @Test func foreignAndCorruptDatabasesAreRefusedClearly() throws {
        let directory = try temporaryDirectory()
        try Data("this is not sqlite at all, just some text that is long enough".utf8).write(to: directory.database)
        #expect(throws: StoreError.self) { try SQLiteStore(directory: directory) }

        let other = try temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()", other.database.path]
        try process.run()
        process.waitUntilExit()
        #expect(throws: StoreError.foreignDatabase(other.database.path)) { try SQLiteStore(directory: other) }
    }

    @Test("a reader sees committed events while another connection writes")
    func concurrentReaderAndWriter() throws {
        let directory = try temporaryDirectory()
        let writer = try SQLiteStore(directory: directory)
        let reader = try SQLiteStore(directory: directory)
        for batch in 0..<5 {
            _ = try writer.ingest((0..<200).map { prepared("request \(batch)-\($0) timed out", at: Int64(batch * 1_000 + $0)) })
            #expect(try reader.keywordSearch("timed", filter: SearchFilter(), limit: 10_000).count == (batch + 1) * 200)
        }
    }
}
