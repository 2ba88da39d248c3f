import DejaCore
import Foundation

/// A prepared event as the store writes it: with its keyword-index text and its labels encoded,
/// made on the preparing threads (`init`) so that the single writer only writes. The columns are
/// the store's own business.
public struct EventRow: Sendable {
    let prepared: PreparedEvent
    /// What the event's full-text index row holds: the body's words its message lacks.
    let indexText: String
    let labelsJSON: String
    /// The id the shared state gave the event's signature (cluster mode): a signature new to this
    /// store is stored under it, so that every replica names it alike. Nil: the store numbers it.
    public var signatureID: Int64?

    public init(_ prepared: PreparedEvent) {
        self.prepared = prepared
        indexText = KeywordTerms.eventText(prepared.body, message: prepared.message)
        labelsJSON = LabelsJSON.encode(prepared.event.labels)
    }

    var event: LogEvent { prepared.event }
    var body: String { prepared.body }
    var message: String { prepared.message }
    var signatureHash: String { prepared.signatureHash }
}
