import DejaCore
import DejaEmbedding
import DejaStore
import Foundation

/// Turns log events into stored events: redaction, normalization, signature lookup, storage, and
/// an embedding for each signature seen for the first time (one per distinct message).
public final class IngestPipeline {
    // Not Sendable: owns the embedder; one ingest task at a time.
    public let store: SQLiteStore
    public let embedder: SentenceEmbedder
    private let redactor: Redactor
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
        self.redactor = redactor
        patterns = try PatternStage(store: store)
        issues = try IssueStage(store: store, model: embedder.modelIdentity, rule: issueRule)
    }

    /// The redacted body, normalized message and signature hash of `event`.
    private static func prepare(_ event: LogEvent, redactor: Redactor) -> PreparedEvent {
        let body = redactor.redact(event.body)
        let message = MessageNormalizer.normalize(Self.messageText(body))
        return PreparedEvent(event: event, body: body, message: message, signatureHash: SignatureHash.of(message))
    }

    /// The part of a body that says what happened: a structured line (JSON, logfmt, ...) gives its
    /// message and error fields, without times, levels and ids; other text is kept whole.
    private static let parser = LineParser()

    static func messageText(_ body: String) -> String {
        guard !body.utf8.contains(10) else { return body }  // multi-line: kept whole
        guard let parsed = parser.parseStructured(body) else { return body }
        switch parsed.layout {
        case .json, .logfmt, .klog, .syslog5424, .syslog3164, .cri, .docker: return parsed.message
        default: return body
        }
    }

    /// Stores `events` in one transaction and embeds the new signatures; returns what was stored.
    @discardableResult
    public func ingest(_ events: [LogEvent]) throws -> IngestSummary {
        try store(prepare(events))
    }

    /// `events` prepared on `cores` threads (all cores by default).
    public func prepare(_ events: [LogEvent], cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> [PreparedEvent] {
        events.parallelMap(cores: cores, preparer)
    }

    /// Seconds east of UTC at which received lines' zone-less times are read (`ReceivedLines`).
    public var lineZoneOffset: Int64 = 0

    /// Events as receivers acknowledged them, prepared: each line's level, where no label gave one,
    /// and the time written in it are read first (`ReceivedLines`), here rather than on the request
    /// path. Contiguous chunks on `cores` threads, each read in order, so that a stream's layout is
    /// learned across its lines.
    public func prepareReceived(_ events: [LogEvent], cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> [PreparedEvent] {
        let chunk = max(256, (events.count + cores - 1) / max(1, cores))
        let chunks = stride(from: 0, to: events.count, by: chunk).map { events[$0..<min($0 + chunk, events.count)] }
        let prepare = preparer
        let zoneOffset = lineZoneOffset
        return chunks.parallelMap(minimumChunk: 1, cores: cores) { chunk in
            var lines = ReceivedLines(zoneOffset: zoneOffset)
            return chunk.map { prepare(lines.read($0)) }
        }.flatMap { $0 }
    }

    /// Preparation of one event, for callers that fold it into work of their own on other threads.
    public var preparer: @Sendable (LogEvent) -> PreparedEvent {
        let redactor = redactor
        return { Self.prepare($0, redactor: redactor) }
    }

    /// Stores prepared events in one transaction and embeds the new signatures (or wakes the
    /// background embedder); returns what was stored.
    public func store(_ prepared: [PreparedEvent]) throws -> IngestSummary {
        try embedNew(store.ingest(prepared, patterns: patterns))
    }

    /// Stores in one transaction the batches `next` gives until it gives nil (see `SQLiteStore`),
    /// then embeds the new signatures as `store(_:)` does.
    public func store(batches next: () throws -> (events: [PreparedEvent], walPosition: UInt64?)?) throws -> IngestSummary {
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

/// A stable 64-bit FNV-1a hash of a normalized message, as hex.
public enum SignatureHash {
    public static func of(_ message: String) -> String {
        String(FNV1a.hash(message.utf8), radix: 16)
    }
}
