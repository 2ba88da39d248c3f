import DejaCore
import DejaEmbedding
import DejaIngest
import DejaStore
import Foundation
import struct Logging.Logger
import ServiceLifecycle
import Testing

/// The threaded ingest stages as `deja serve` and `deja ingest` run them: what was acknowledged is
/// stored, in order, exactly once, and a one-shot run ends with every signature embedded.
@Suite struct IngestStagesTests {
    private func directory() throws -> DataDirectory { try temporaryDataDirectory("deja-stages") }

    private func stages(_ directory: DataDirectory) throws -> IngestStages { try ingestStages(directory) }

    private static func batch(_ index: Int, size: Int = 100) -> [LogEvent] {
        (0..<size).map { LogEvent(timestamp: Int64(index * size + $0), service: "api", level: .info, body: "request \(index * size + $0) served") }
    }

    /// Bodies of the events stored, in the order they were stored.
    private func storedBodies(_ store: SQLiteStore, count: Int) throws -> [String] {
        try store.events(ids: (1...Int64(count + 10)).map { $0 }, tenant: nil).sorted { $0.id < $1.id }.map(\.body)
    }

    @Test("closing stores every acknowledged batch, in the order acknowledged; a restart replays none of them again")
    func closeStoresWhatWasAcknowledged() async throws {
        let directory = try directory()
        let stages = try stages(directory)
        let ingest = try DurableIngest(pipeline: stages.pipeline, walDirectory: directory.writeAheadLog, batchBytes: 4_096)
        ingest.start()
        for index in 0..<40 { try await ingest.submit(Self.batch(index)) }
        ingest.close()  // right after the last acknowledgement: nothing may be left behind
        #expect(ingest.status.storedEvents == 4_000 && ingest.status.backlogRecords == 0)
        #expect(try storedBodies(stages.pipeline.store, count: 4_000) == (0..<4_000).map { "request \($0) served" })

        let reopened = try DurableIngest(pipeline: stages.pipeline, walDirectory: directory.writeAheadLog)
        #expect(reopened.status.backlogRecords == 0)
        reopened.start()
        reopened.close()
        #expect(try storedBodies(stages.pipeline.store, count: 4_000).count == 4_000)
    }

    @Test("batches acknowledged while storing is stopped are stored by the next start, once")
    func acknowledgedBeforeStartAreReplayed() async throws {
        let directory = try directory()
        let stages = try stages(directory)
        let first = try DurableIngest(pipeline: stages.pipeline, walDirectory: directory.writeAheadLog)
        for index in 0..<3 { try await first.submit(Self.batch(index, size: 10)) }
        first.close()  // never started: the records stay in the log
        #expect(try storedBodies(stages.pipeline.store, count: 30).isEmpty)

        let second = try DurableIngest(pipeline: stages.pipeline, walDirectory: directory.writeAheadLog)
        #expect(second.status.backlogRecords == 3)
        second.start()
        try await second.submit(Self.batch(3, size: 10))
        second.close()
        #expect(try storedBodies(stages.pipeline.store, count: 40) == (0..<40).map { "request \($0) served" })
    }

    /// A search holding `gate` on another thread until the returned semaphore is signalled.
    private static func searchRunning(on gate: ForegroundGate) -> DispatchSemaphore {
        let (searching, searchEnds) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        DispatchQueue.global().async { gate.run { searching.signal(); searchEnds.wait() } }
        searching.wait()
        return searchEnds
    }

    @Test("while a search holds the gate, acknowledged events wait to be stored; then they are stored in order, once")
    func storingStepsAsideForSearches() async throws {
        let directory = try directory()
        let stages = try stages(directory)
        let gate = ForegroundGate(longestWait: 60)
        let ingest = try DurableIngest(pipeline: stages.pipeline, walDirectory: directory.writeAheadLog, gate: gate)
        ingest.start()
        let searchEnds = Self.searchRunning(on: gate)
        // Batches of 300: the writer stores them in pieces (`IngestPipeline.pauseEvery`), stepping aside between.
        for index in 0..<4 { try await ingest.submit(Self.batch(index, size: 300)) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(ingest.status.storedEvents == 0, "events were stored while a search held the gate")
        searchEnds.signal()
        ingest.close()
        #expect(ingest.status.storedEvents == 1_200)
        #expect(try storedBodies(stages.pipeline.store, count: 1_200) == (0..<1_200).map { "request \($0) served" })
    }

    @Test("with the backlog near its bound, storing goes on while a search runs: searches never make ingest refuse events")
    func fullBacklogDoesNotWaitForSearches() async throws {
        let directory = try directory()
        let stages = try stages(directory)
        let gate = ForegroundGate(longestWait: 60)
        let events = Self.batch(0, size: 300)
        // One batch fills the whole backlog bound.
        let ingest = try DurableIngest(pipeline: stages.pipeline, walDirectory: directory.writeAheadLog,
                                       maxBacklogBytes: EventBatchCodec.encode(events).count, gate: gate)
        ingest.start()
        let searchEnds = Self.searchRunning(on: gate)
        try await ingest.submit(events)
        for _ in 0..<1_000 where ingest.status.storedEvents < 300 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(ingest.status.storedEvents == 300)
        #expect(gate.isBusy)
        searchEnds.signal()
        ingest.close()
    }

    @Test("deja ingest's service group ends with every event stored and every signature embedded and in an issue")
    func oneShotRunFinishesItsBacklog() async throws {
        let directory = try directory()
        let stages = try stages(directory)
        let file = directory.url.appendingPathComponent("app.log")
        // 300 distinct messages: signatures keep arriving while the embedder works.
        let lines = (0..<300).map { "2026-12-01T10:00:00Z ERROR worker \($0 % 30) failed: queue q\($0) is full" }
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let source = FileSource(paths: [file.path], service: nil, tenant: "default", input: .lines(LineParser()), now: 0)
        let totals = Totals()
        let receiver = FileIngest(source: source, pipeline: stages.pipeline, batchSize: 16) { events, signatures in
            totals.set(events, signatures)
        }
        let group = ServiceGroup(configuration: .init(
            services: stages.services(shutdown: .finishBacklog(publishRetry: 1)).map { .init(service: $0) }
                + [.init(service: receiver, successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: Logger(label: "test")))
        try await group.run()
        #expect(totals.value.events == 300)
        let store = stages.pipeline.store
        #expect(try store.signaturesWithoutVectors(model: stages.pipeline.embedder.modelIdentity, limit: 10).isEmpty)
        let signatures = try store.signatures(ids: (1...Int64(totals.value.signatures)).map { $0 }, tenant: nil)
        #expect(signatures.count == totals.value.signatures && signatures.allSatisfy { $0.issueID != nil && $0.patternID != nil })
    }

    @Test("a bad JSONL line stops deja ingest's group with its line number, after the events before it are stored")
    func badLineStopsAfterStoringWhatCameBefore() async throws {
        let directory = try directory()
        let stages = try stages(directory)
        let file = directory.url.appendingPathComponent("events.jsonl")
        try "{\"body\":\"first\"}\n{\"body\":\"second\"}\n{\"body\": oops}\n{\"body\":\"after\"}\n".write(to: file, atomically: true, encoding: .utf8)
        let source = FileSource(paths: [file.path], service: "api", tenant: "default", input: .jsonl, now: 0)
        let receiver = FileIngest(source: source, pipeline: stages.pipeline) { _, _ in Issue.record("the run reported success") }
        let group = ServiceGroup(configuration: .init(
            services: stages.services(shutdown: .finishBacklog(publishRetry: 1)).map { .init(service: $0) }
                + [.init(service: receiver, successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: Logger(label: "test")))
        await #expect { try await group.run() } throws: { error in
            "\(error)" == "\(file.path) line 3: not a JSON object. The 2 events read before it were stored"
        }
        #expect(try storedBodies(stages.pipeline.store, count: 3) == ["first", "second"])
    }

    final class Totals: @unchecked Sendable {
        private let lock = NSLock()
        private var stored = (events: 0, signatures: 0)
        var value: (events: Int, signatures: Int) { lock.withLock { stored } }
        func set(_ events: Int, _ signatures: Int) { lock.withLock { stored = (events, signatures) } }
    }
}
