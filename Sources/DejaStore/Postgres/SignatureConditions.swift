import DejaCore
import PostgresNIO

/// A search filter's conditions on a signature `s` of `deja_signatures`: of its services and
/// levels; where given, seen within a time range and in one of the label streams it selects.
/// Written into a query by interpolation (`WHERE ... AND \(conditions)`), values bound as parameters.
struct SignatureConditions: Sendable {
    let services: [String]
    let levels: [Int16]
    let seen: (since: Int64, until: Int64)?
    let streams: [Int64]?

    init(_ filter: SearchFilter, seen: (since: Int64, until: Int64)? = nil, streams: [Int64]? = nil) {
        services = filter.services
        levels = filter.levels.map { Int16($0.rawValue) }
        self.seen = seen
        self.streams = streams
    }

    /// All of the filter's conditions: its time range (open ends unbounded) and the label streams found for it.
    static func searching(_ filter: SearchFilter, streams: [Int64]?) -> SignatureConditions {
        SignatureConditions(filter, seen: (filter.since ?? Int64.min, filter.until ?? Int64.max), streams: streams)
    }
}

extension PostgresQuery.StringInterpolation {
    mutating func appendInterpolation(_ conditions: SignatureConditions) {
        appendLiteral("(cardinality(")
        appendInterpolation(conditions.services)
        appendLiteral("::text[]) = 0 OR s.service = ANY(")
        appendInterpolation(conditions.services)
        appendLiteral("::text[])) AND (cardinality(")
        appendInterpolation(conditions.levels)
        appendLiteral("::int2[]) = 0 OR s.level = ANY(")
        appendInterpolation(conditions.levels)
        appendLiteral("::int2[]))")
        if let (since, until) = conditions.seen {
            appendLiteral(" AND s.last_seen >= ")
            appendInterpolation(since)
            appendLiteral(" AND s.first_seen <= ")
            appendInterpolation(until)
        }
        if let streams = conditions.streams {
            appendLiteral(" AND EXISTS (SELECT 1 FROM deja_stream_minutes sm WHERE sm.signature_id = s.id AND sm.stream_id = ANY(")
            appendInterpolation(streams)
            appendLiteral("::int8[]))")
        }
    }
}
