import DejaCore
import DejaIngest
import DejaSearch
import DejaStore
import Foundation
import Hummingbird

/// Issues over a range.
struct IssuesResponse: Codable, ResponseEncodable {
    var since: Int64
    var until: Int64
    var bucketNanoseconds: Int64
    var issues: [IssueSummary]
}

/// One issue with its signatures, timeline and example events.
struct IssueResponse: Codable, ResponseEncodable {
    var since: Int64
    var until: Int64
    var bucketNanoseconds: Int64
    var issue: IssueDetail
}

/// A user's merge: this issue joins `into`.
struct IssueMergeRequest: Decodable {
    var into: Int64
}

/// A user's split: these signatures leave the issue for a new one.
struct IssueSplitRequest: Decodable {
    var signatures: [Int64]
}

/// What a merge or split left: the issue that now holds the signatures.
struct IssueChangeResponse: Codable, ResponseEncodable {
    var issue: Int64
}

/// `/api/v1/issues`: recurring issues (signatures grouped by meaning), one issue, and a user's
/// merges and splits, which clustering keeps.
struct IssuesAPI {
    let views: IssueViews
    /// This server's issue stage, or in cluster mode the grouping leader, asked through the shared state.
    let changes: any IssueChanging
    let reads: StoreReads

    func register(on router: GuardedRouter) {
        router.get("/api/v1/issues", .scope(.read)) { request, context in
            let range = try await CountedRange(request, tenant: try context.tenant(for: .read), reads: reads)
            let parameters = request.formParameters
            let state = try parameters["state"].map { text -> IssueTrend in
                guard let state = IssueTrend(rawValue: String(text)) else {
                    throw HTTPError(.badRequest, message: "state '\(text)' is not one of \(IssueTrend.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return state
            }
            let order = try parameters["sort"].map { text -> IssueOrder in
                guard let order = IssueOrder(rawValue: String(text)) else {
                    throw HTTPError(.badRequest, message: "sort '\(text)' is not one of \(IssueOrder.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return order
            } ?? .count
            let views = views
            let issues = try await answeringSharedState {
                try await reads.run {
                    try views.list(filter: range.filter, since: range.since, until: range.until, buckets: range.buckets, state: state, order: order,
                                   limit: range.limit)
                }
            }
            return IssuesResponse(since: range.since, until: range.until, bucketNanoseconds: range.bucketNanoseconds, issues: issues)
        }
        router.get("/api/v1/issues/:id", .scope(.read)) { request, context in
            let range = try await CountedRange(request, tenant: try context.tenant(for: .read), reads: reads)
            let id = try Self.issueID(context.parameters.require("id"))
            let views = views
            guard let detail = try await answeringSharedState({
                try await reads.run { try views.detail(id, filter: range.filter, since: range.since, until: range.until, buckets: range.buckets) }
            }) else { throw HTTPError(.notFound, message: "no issue \(id)") }
            return IssueResponse(since: range.since, until: range.until, bucketNanoseconds: range.bucketNanoseconds, issue: detail)
        }
        router.post("/api/v1/issues/:id/merge", .scope(.admin)) { request, context in
            let tenant = try context.tenant(for: .admin)
            let id = try Self.issueID(context.parameters.require("id"))
            let merge = try await request.decode(as: IssueMergeRequest.self, context: context, expected: #"{"into": ISSUE_ID}"#)
            let changes = changes
            guard try await answeringSharedState({ try await reads.run { try changes.merge(tenant: tenant, id, into: merge.into) } }) else {
                throw HTTPError(.notFound, message: "no issue \(id) or \(merge.into)")
            }
            return IssueChangeResponse(issue: merge.into)
        }
        router.post("/api/v1/issues/:id/split", .scope(.admin)) { request, context in
            let tenant = try context.tenant(for: .admin)
            let id = try Self.issueID(context.parameters.require("id"))
            let split = try await request.decode(as: IssueSplitRequest.self, context: context, expected: #"{"signatures": [SIGNATURE_ID, ...]}"#)
            let changes = changes, views = views
            guard let created = try await answeringSharedState({
                try await reads.run { try changes.split(tenant: tenant, issue: id, signatures: split.signatures) }
            }) else {
                let known = try await answeringSharedState { try await reads.run { try views.store.issueSurvivor(id, tenant: tenant) != nil } }
                guard known else { throw HTTPError(.notFound, message: "no issue \(id)") }
                throw HTTPError(.badRequest, message: "\"signatures\" must name some, not all, of issue \(id)'s signatures")
            }
            return IssueChangeResponse(issue: created)
        }
    }

    /// `17` or `I17`.
    static func issueID(_ text: String) throws -> Int64 {
        guard let id = Int64(text.hasPrefix("I") ? String(text.dropFirst()) : text) else {
            throw HTTPError(.badRequest, message: "'\(text)' is not an issue id")
        }
        return id
    }
}
