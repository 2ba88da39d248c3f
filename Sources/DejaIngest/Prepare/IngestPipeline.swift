import DejaCore
import DejaEmbedding
import DejaStore
import Foundation

/// Turns log events into stored events: prepared (`EventPreparer`: redaction, the message, its
/// signature key), stored with their signatures and patterns in one transaction, and an embedding
/// for each signature seen for the first time (one per distinct message).
public final class IngestPipeline {
    // Not Sendable: owns the embedder; one ingest task at a time.
    public let store: SQLiteStore
    public let embedder: SentenceEmbedder
    private let preparer: EventPreparer
    public var batchSize = 32
    /// When set, new signatures are left to this background embedder instead of embedded inline.
    public var background: BackgroundEmbedder?
    /// Gives each new signature its pattern, in the transaction that stores it.
    public let patterns: PatternStage
    /// Places each embedded signature in an issue.
    public let issues: IssueStage

    /// Opening the pattern stage learns the signatures its miners' snapshots lack; opening the
    /// issue stage places the embedded signatures that have no issue.
    public init(store: SQLiteStore, embedder: SentenceEmbedder, redactor: Redactor, issueRule: IssueClusterer.Rule = IssueClusterer.Rule()) throws {
        self.store = store
        self.embedder = embedder
        preparer = EventPreparer(redactor: redactor)
        patterns = try PatternStage(store: store)
        issues = try IssueStage(store: store, model: embedder.modelIdentity, rule: issueRule)
    }

    /// Stores `events` in one transaction and embeds the new signatures; returns what was stored.
    @discardableResult
    public func ingest(_ events: [LogEvent]) throws -> IngestSummary {
        try store(prepare(events))
    }

    /// `events` prepared on `cores` threads (all cores by default).
    public func prepare(_ events: [LogEvent], cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> [EventRow] {
        events.parallelMap(cores: cores, rowMaker)
    }

    /// Seconds east of UTC at which received lines' zone-less times are read (`ReceivedLines`).
    public var lineZoneOffset: Int64 = 0

    /// Events as receivers acknowledged them, prepared: each line's level, where no label gave one,
    /// and the time written in it are read first (`ReceivedLines`), here rather than on the request
    /// path. Contiguous chunks on `cores` threads, each read in order, so that a stream's layout is
    /// learned across its lines. `pause` is called every `pauseEvery` events on each thread (to let a search go first).
    public func prepareReceived(_ events: [LogEvent], cores: Int = ProcessInfo.processInfo.activeProcessorCount,
                                pause: (@Sendable () -> Void)? = nil) -> [EventRow] {
        let chunk = max(256, (events.count + cores - 1) / max(1, cores))
        let chunks = stride(from: 0, to: events.count, by: chunk).map { events[$0..<min($0 + chunk, events.count)] }
        let preparer = preparer
        let zoneOffset = lineZoneOffset
        return chunks.parallelMap(minimumChunk: 1, cores: cores) { chunk in
            var lines = ReceivedLines(zoneOffset: zoneOffset)
            return chunk.enumerated().map { offset, event in
                if let pause, offset % Self.pauseEvery == 0 { pause() }
                let (read, messageStart) = lines.reading(event)
                return EventRow(preparer.prepare(read, messageStart: messageStart))
            }
        }.flatMap { $0 }
    }

    /// Events prepared (or stored) between two calls of a stage's pause: a few milliseconds of work.
    public static let pauseEvery = 128

    /// One event prepared (`EventPreparer`) and made a row to store, on the calling thread.
    private var rowMaker: @Sendable (LogEvent) -> EventRow {
        let preparer = preparer
        return { EventRow(preparer.prepare($0)) }
    }

    /// Stores prepared events in one transaction and embeds the new signatures (or wakes the
    /// background embedder); returns what was stored.
    public func store(_ rows: [EventRow]) throws -> IngestSummary {
        try embedNew(store.ingest(rows, patterns: patterns))
    }

    /// Stores in one transaction the batches `next` gives until it gives nil (see `SQLiteStore`),
    /// then embeds the new signatures as `store(_:)` does.
    public func store(batches next: () throws -> (events: [EventRow], walPosition: UInt64?)?) throws -> IngestSummary {
        try embedNew(store.ingest(batches: next, patterns: patterns))
    }

    private func embedNew(_ summary: IngestSummary) throws -> IngestSummary {
        if let background {
            if !summary.newSignatures.isEmpty { background.notify() }
        } else {
            try embed(signatureIDs: summary.newSignatures)
        }
        return summary
    }

    /// Embeds every stored signature that has no vector for this model (after a model change, say).
    public func embedMissing() throws -> Int {
        var total = 0
        while true {
            let pending = try store.signaturesWithoutVectors(model: embedder.modelIdentity, limit: 4096)
            if pending.isEmpty { return total }
            try embed(pending)
            total += pending.count
        }
    }

    private func embed(signatureIDs: [Int64]) throws {
        guard !signatureIDs.isEmpty else { return }
        try embed(try store.signatures(ids: signatureIDs, tenant: nil))
    }

    private func embed(_ signatures: [Signature]) throws {
        try storeVectors(for: signatures, embedder: embedder, store: store, issues: issues, batchSize: batchSize)
    }
}
