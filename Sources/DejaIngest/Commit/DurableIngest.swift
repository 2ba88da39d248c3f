import DejaCore
import DejaStore
import Foundation

/// The server's ingest path. A batch of events is acknowledged once it is a record in the
/// write-ahead log; one consumer thread then stores records in log order, each store transaction
/// holding the log position it reaches, so that a restart replays exactly the records not yet
/// stored, and each only once. In cluster mode each batch is first counted in the shared state
/// (`PostgresLedger`), which names its signatures and keeps its own log position, then stored.
public final class DurableIngest: @unchecked Sendable {
    // @unchecked: shared state is guarded by `lock`; the pipeline is used on the writer's thread only.

    /// The store is behind by more than the allowed backlog: the client should retry later.
    public struct Overloaded: Error, CustomStringConvertible {
        public let backlogBytes: Int
        public var description: String { "ingest is behind by \(backlogBytes) bytes; retry later" }
    }

    /// One request's events encode to more than the backlog may ever hold: it can never be stored.
    public struct TooLarge: Error, CustomStringConvertible {
        public let bytes: Int
        public let limit: Int
        public var description: String { "the request's events encode to \(bytes) bytes, over the \(limit)-byte ingest backlog; send smaller batches" }
    }

    /// What the consumer has done, for metrics and readiness.
    public struct Status: Sendable {
        public var backlogBytes: Int
        public var backlogRecords: Int
        public var storedEvents: Int
        public var walBytes: UInt64
        /// Damage the write-ahead log skipped when it was opened (counted once, at start).
        public var walDamage: WriteAheadLog.Damage
        public var lastError: String?
    }

    /// Nice value of the threads that prepare and store events.
    static let storingNiceness: Int32 = 5

    private let pipeline: IngestPipeline
    private let ledger: PostgresLedger?
    private let gate: ForegroundGate?
    private var wal: WriteAheadLog?
    private let maxBacklogBytes: Int
    private let batchBytes: Int
    private let lock = NSLock()
    private var queue: [DurableRecord] = []
    /// Records at the head of `queue` handed to the writer and not yet stored.
    private var handedOff = 0
    private var backlogBytes = 0
    private var storedEvents = 0
    private var lastError: String?
    private var closing = false
    private var consumer: StageWorker?
    private var writer: BatchWriter?

    /// Opens the log in `walDirectory`; `start()` stores what it holds beyond the store's applied
    /// position (replay), then whatever arrives. At most `maxBacklogBytes` of records wait to be stored.
    /// With `ledger` (cluster mode), events are counted there before they are stored: while it cannot
    /// be reached, acknowledged records wait in the log, and ingest answers 429 once the backlog is full.
    /// While `gate`'s foreground work (a search) runs, preparing and storing wait for it, as long
    /// as the backlog is under seven eighths of its bound: searches never make ingest refuse events.
    public init(pipeline: IngestPipeline, walDirectory: URL, ledger: PostgresLedger? = nil,
                maxBacklogBytes: Int = 64 << 20, batchBytes: Int = 2 << 20, gate: ForegroundGate? = nil) throws {
        self.pipeline = pipeline
        self.ledger = ledger
        self.gate = gate
        self.maxBacklogBytes = maxBacklogBytes
        self.batchBytes = batchBytes
        let wal = try WriteAheadLog(directory: walDirectory) { [weak self] records in self?.enqueue(records, counted: true) }
        self.wal = wal
        enqueue(try wal.records(after: try pipeline.store.walApplied()), counted: false)
    }

    /// Starts storing: the replay first, then what arrives.
    public func start() {
        // Records are prepared on the consumer while the writer stores the batch before (on 2
        // cores, one each). Searches come before storing: acknowledged events are durable in the
        // log already, so storing them may wait while a search runs. At nice 5, the consumer and
        // the writer get a third of the share of the threads that answer requests (search p99
        // under ingest at 30,000 events/s: 68–74 ms -> 51–52 ms; sustained push unchanged). With
        // a gate, both also wait while a search runs (`yieldToSearch`).
        let pause = self.pause
        let writer = BatchWriter(pipeline: pipeline, retry: .init(interval: 1) { [weak self] error in
            // The store refused (disk full, say): the batch is tried again; acknowledged events
            // are never dropped.
            self?.lock.withLock { self?.lastError = error.map { "storing events failed: \($0)" } }
        }, niceness: Self.storingNiceness, pause: pause)
        let consumer = StageWorker(name: "deja-ingest", priority: .nice(Self.storingNiceness)) { [weak self] _ in
            self?.storeNextRecords() ?? .finished
        }
        lock.withLock {
            self.writer = writer
            self.consumer = consumer
        }
        consumer.start()
    }

    /// Returns once `events` are durable (fsync'd in the log); throws `Overloaded` when the backlog is full.
    public func submit(_ events: [LogEvent]) async throws {
        guard !events.isEmpty, let wal else { return }
        let payload = EventBatchCodec.encode(events)
        guard payload.count <= maxBacklogBytes else { throw TooLarge(bytes: payload.count, limit: maxBacklogBytes) }
        try lock.withLock {
            guard backlogBytes + payload.count <= maxBacklogBytes else { throw Overloaded(backlogBytes: backlogBytes) }
            backlogBytes += payload.count
        }
        do {
            _ = try await wal.append(payload)
        } catch {
            lock.withLock { backlogBytes -= payload.count }
            throw error
        }
    }

    public var status: Status {
        let walBytes = wal?.size ?? 0
        let walDamage = wal?.damage ?? .init()
        return lock.withLock {
            Status(backlogBytes: backlogBytes, backlogRecords: queue.count, storedEvents: storedEvents,
                   walBytes: walBytes, walDamage: walDamage, lastError: lastError)
        }
    }

    /// Stops accepting, stores what was acknowledged, and stops. A log never started is closed
    /// with its records left for the next start.
    public func close() {
        lock.withLock { closing = true }
        wal?.close()
        let (consumer, writer): (StageWorker?, BatchWriter?) = lock.withLock { (self.consumer, self.writer) }
        try? consumer?.stop(.drain)
        _ = try? writer?.finish()
    }

    private func enqueue(_ records: [DurableRecord], counted: Bool) {
        guard !records.isEmpty else { return }
        let consumer = lock.withLock {
            queue += records
            // Appended records were counted when submitted; replayed ones only now.
            if !counted { backlogBytes += records.reduce(0) { $0 + $1.payload.count } }
            return self.consumer
        }
        consumer?.wake()
    }

    /// Hands the records waiting (whole ones, up to about `batchBytes`: one store transaction) to
    /// the writer, prepared; idle when none waits.
    private func storeNextRecords() -> StageWorker.Outcome {
        guard let writer = lock.withLock({ self.writer }) else { return .finished }
        let next: (records: [DurableRecord], bytes: Int, moreFollows: Bool)? = lock.withLock {
            guard queue.count > handedOff else { return nil }
            var count = 0
            var bytes = 0
            while handedOff + count < queue.count && (count == 0 || bytes + queue[handedOff + count].payload.count <= batchBytes) {
                bytes += queue[handedOff + count].payload.count
                count += 1
            }
            let records = Array(queue[handedOff..<handedOff + count])
            handedOff += count
            return (records, bytes, handedOff < queue.count)
        }
        guard let (records, bytes, moreFollows) = next else { return .idle(nil) }
        var events: [LogEvent] = []
        var spans: [PostgresLedger.RecordSpan] = []
        for record in records {
            // A checksum-valid record that does not decode was written by another version:
            // it is skipped, and said.
            guard let decoded = record.payload.withUnsafeBytes(EventBatchCodec.decode) else {
                lock.withLock { lastError = "a write-ahead-log record ending at \(record.end) could not be decoded" }
                continue
            }
            events += decoded
            spans.append(.init(rows: decoded.count, end: record.end))
        }
        let end = records[records.count - 1].end
        let count = events.count
        let taken = records.count
        var rows = pipeline.prepareReceived(events, cores: BatchWriter.preparingCores, pause: pause)
        if let ledger {
            guard countShared(&rows, spans: spans, in: ledger) else { return .finished }
        }
        // The writer retries until it stores: it throws only once it has stopped.
        try? writer.submit(rows, walPosition: end, moreFollows: moreFollows) { [self] in
            wal?.removeSegments(before: end)
            lock.withLock {
                queue.removeFirst(taken)
                handedOff -= taken
                backlogBytes -= bytes
                storedEvents += count
            }
        }
        return .progressed
    }

    /// `yieldToSearch`, for the stages; nil without a gate.
    private var pause: (@Sendable () -> Void)? {
        guard gate != nil else { return nil }
        return { [weak self] in self?.yieldToSearch() }
    }

    /// Waits while a search runs, unless the backlog is over seven eighths of its bound: then storing keeps
    /// its share of the CPU, so that searches never make ingest refuse events.
    private func yieldToSearch() {
        guard let gate, gate.isBusy, lock.withLock({ backlogBytes }) < maxBacklogBytes / 8 * 7 else { return }
        gate.yield()
    }

    /// Counts `rows` in the shared state and gives each its shared signature id, trying again
    /// while PostgreSQL fails; false when closing meanwhile (the records stay in the log for the
    /// next start, which counts them once).
    private func countShared(_ rows: inout [EventRow], spans: [PostgresLedger.RecordSpan], in ledger: PostgresLedger) -> Bool {
        while true {
            do {
                let ids = try ledger.apply(rows, records: spans)
                for index in rows.indices { rows[index].signatureID = ids[index] }
                lock.withLock { lastError = nil }
                return true
            } catch {
                let closing = lock.withLock {
                    lastError = "counting events in the shared state failed: \(error)"
                    return self.closing
                }
                if closing { return false }
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }
}
