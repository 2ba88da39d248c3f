/// Groups one tenant's signatures into issues as they are embedded: a failure signature joins the
/// issue whose members it is closest to on average, when that is close enough, else it starts one;
/// a routine signature (no failure level, no failure family) joins the issue of its pattern.
///
/// Closeness of a signature to an issue is the average cosine similarity to its members (the dot
/// product with the members' mean: exact average linkage) plus `conceptWeight` times the overlap
/// of their failure families (`FailureTaxonomy`), which the model does not know are one
/// thing when ecosystems word them differently. Issues whose means drift within the threshold of
/// each other merge; the one with more members keeps its id and the other names it. Issues a user
/// split apart never merge again on their own. See docs/issues.md for how the rule was chosen.
public final class IssueClusterer {
    // Not Sendable: owned by the issue stage, which serializes access.

    /// The decision rule.
    public struct Rule: Sendable, Equatable {
        /// Least closeness at which a failure signature joins an issue, or two issues merge
        /// (docs/issues.md: 0.5, on half of the clusters of five labelled sets).
        public var threshold: Float = 0.5
        /// Weight of shared failure families in closeness.
        public var conceptWeight: Float = 0.4

        public init(threshold: Float = 0.5, conceptWeight: Float = 0.4) {
            self.threshold = threshold
            self.conceptWeight = conceptWeight
        }
    }

    /// A signature as clustering sees it.
    public struct Member: Sendable {
        public var signature: Int64
        /// Unit-length embedding of the signature.
        public var vector: [Float]
        /// Failure conditions its message shows (`FailureTaxonomy.conditions`).
        public var concepts: [String]
        /// A failure level or a failure family: grouped by meaning. Others are grouped by pattern.
        public var isFailure: Bool
        public var pattern: Int64?

        public init(signature: Int64, vector: [Float], concepts: [String], isFailure: Bool, pattern: Int64?) {
            self.signature = signature
            self.vector = vector
            self.concepts = concepts
            self.isFailure = isFailure
            self.pattern = pattern
        }
    }

    /// What placing one signature did.
    public struct Placement: Sendable, Equatable {
        public var issue: Int64
        public var created: Bool
        /// Issues merged into another as a result, (merged, survivor).
        public var merged: [Merge]

        public init(issue: Int64, created: Bool, merged: [Merge]) {
            self.issue = issue
            self.created = created
            self.merged = merged
        }
    }

    public struct Merge: Sendable, Equatable, Hashable {
        public var from: Int64
        public var into: Int64

        public init(from: Int64, into: Int64) {
            self.from = from
            self.into = into
        }
    }

    public let rule: Rule
    public let dimension: Int
    /// Failure issues: member vector sums, one row each, rows of merged issues left empty.
    private var sums: [Float] = []
    private var memberCounts: [Int] = []
    private var rowIDs: [Int64] = []
    private var rowConcepts: [Set<String>] = []
    private var live: [Bool] = []
    private var rowOf: [Int64: Int] = [:]
    /// Routine issues by the pattern their members share.
    private var routineByPattern: [Int64: Int64] = [:]
    private var survivors: [Int64: Int64] = [:]
    private var apart: Set<Merge> = []
    /// The next issue id given out.
    public private(set) var nextID: Int64

    /// Live failure issues, each a row of member sums.
    public var failureIssues: Int { live.lazy.filter { $0 }.count }
    /// Bytes the member sums take (rows of merged issues included).
    public var bytes: Int { sums.count * MemoryLayout<Float>.size }

    public init(dimension: Int, rule: Rule = Rule(), firstID: Int64 = 1) {
        self.dimension = dimension
        self.rule = rule
        nextID = firstID
    }

    /// The issue `id` was merged into, or `id` itself.
    public func survivor(of id: Int64) -> Int64 {
        var current = id
        while let next = survivors[current] { current = next }
        return current
    }

    /// Places a new signature.
    public func place(_ member: Member) -> Placement {
        precondition(member.vector.count == dimension, "vector of \(member.vector.count) dimensions, clusterer of \(dimension)")
        if !member.isFailure {
            let key = member.pattern ?? -member.signature
            if let issue = routineByPattern[key] { return Placement(issue: issue, created: false, merged: []) }
            let issue = newID()
            routineByPattern[key] = issue
            return Placement(issue: issue, created: true, merged: [])
        }
        let concepts = Set(member.concepts)
        if let (row, closeness) = nearest(to: member.vector, concepts: concepts), closeness >= rule.threshold {
            add(member.vector, toRow: row)
            return Placement(issue: rowIDs[row], created: false, merged: mergeDrifted(row))
        }
        let issue = newID()
        addRow(issue, vector: member.vector, concepts: concepts)
        return Placement(issue: issue, created: true, merged: [])
    }

    /// Restores a member placed before (at start, from the store), in its stored issue.
    public func restore(_ member: Member, issue: Int64) {
        nextID = max(nextID, issue + 1)
        if !member.isFailure {
            let key = member.pattern ?? -member.signature
            if routineByPattern[key] == nil { routineByPattern[key] = issue }
            return
        }
        if let row = rowOf[issue] {
            add(member.vector, toRow: row)
        } else {
            addRow(issue, vector: member.vector, concepts: Set(member.concepts))
        }
    }

    /// Restores a merge decided before.
    public func restoreMerge(_ merge: Merge) {
        survivors[merge.from] = merge.into
        nextID = max(nextID, merge.from + 1, merge.into + 1)
    }

    /// Restores issues a user split apart.
    public func restoreApart(_ first: Int64, _ second: Int64) {
        apart.insert(Self.pair(first, second))
    }

    /// A user's merge: `from`'s members join `into`, whatever their closeness.
    public func merge(_ from: Int64, into: Int64) {
        let (from, into) = (survivor(of: from), survivor(of: into))
        guard from != into else { return }
        apart.remove(Self.pair(from, into))
        fold(from, into: into)
    }

    /// A user's split: `members` (vectors of signatures in `issue`) leave it for a new issue that
    /// never merges back on its own. Returns the new issue's id.
    public func split(_ members: [Member], from issue: Int64) -> Int64 {
        let issue = survivor(of: issue)
        let created = newID()
        let failures = members.filter(\.isFailure)
        if let row = rowOf[issue] {
            for member in failures {
                subtract(member.vector, fromRow: row)
            }
        }
        if let first = failures.first {
            addRow(created, vector: first.vector, concepts: Set(first.concepts))
            for member in failures.dropFirst() { add(member.vector, toRow: rowOf[created]!) }
        }
        apart.insert(Self.pair(issue, created))
        return created
    }

    // MARK: - Closeness

    private func nearest(to vector: [Float], concepts: Set<String>) -> (row: Int, closeness: Float)? {
        var best: (Int, Float)?
        vector.withUnsafeBufferPointer { v in
            sums.withUnsafeBufferPointer { s in
                for row in 0..<rowIDs.count where live[row] {
                    let closeness = Self.dot(v.baseAddress!, s.baseAddress! + row * dimension, dimension) / Float(memberCounts[row])
                        + conceptBonus(concepts, rowConcepts[row])
                    if closeness > best?.1 ?? -.infinity { best = (row, closeness) }
                }
            }
        }
        return best
    }

    private func conceptBonus(_ a: Set<String>, _ b: Set<String>) -> Float {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        // Overlap, not Jaccard: a trace that names one more family (a null reference that is also a
        // type error) is no less that failure.
        let shared = a.intersection(b).count
        return shared == 0 ? 0 : rule.conceptWeight * Float(shared) / Float(min(a.count, b.count))
    }

    /// Merges into `row` every issue whose mean is now within the threshold of its mean.
    private func mergeDrifted(_ row: Int) -> [Merge] {
        var merges: [Merge] = []
        var survivorRow = row
        while true {
            let mean = (0..<dimension).map { sums[survivorRow * dimension + $0] / Float(memberCounts[survivorRow]) }
            var best: (Int, Float)?
            mean.withUnsafeBufferPointer { m in
                sums.withUnsafeBufferPointer { s in
                    for other in 0..<rowIDs.count where live[other] && other != survivorRow
                        && !apart.contains(Self.pair(rowIDs[other], rowIDs[survivorRow])) {
                        let closeness = Self.dot(m.baseAddress!, s.baseAddress! + other * dimension, dimension) / Float(memberCounts[other])
                            + conceptBonus(rowConcepts[survivorRow], rowConcepts[other])
                        if closeness > best?.1 ?? -.infinity { best = (other, closeness) }
                    }
                }
            }
            guard let (other, closeness) = best, closeness >= rule.threshold else { return merges }
            // The larger issue keeps its id (the older one on a tie): fewer users see an id change.
            let keep = (memberCounts[survivorRow], -rowIDs[survivorRow]) >= (memberCounts[other], -rowIDs[other]) ? survivorRow : other
            let gone = keep == survivorRow ? other : survivorRow
            merges.append(Merge(from: rowIDs[gone], into: rowIDs[keep]))
            fold(rowIDs[gone], into: rowIDs[keep])
            survivorRow = keep
        }
    }

    private func fold(_ from: Int64, into: Int64) {
        survivors[from] = into
        for (pattern, issue) in routineByPattern where issue == from { routineByPattern[pattern] = into }
        for pair in apart where pair.from == from || pair.into == from {
            apart.remove(pair)
            let other = pair.from == from ? pair.into : pair.from
            if other != into { apart.insert(Self.pair(other, into)) }
        }
        guard let gone = rowOf[from] else { return }
        if let keep = rowOf[into] {
            for index in 0..<dimension { sums[keep * dimension + index] += sums[gone * dimension + index] }
            memberCounts[keep] += memberCounts[gone]
        } else {
            // A routine issue taking a failure issue's members becomes a failure issue.
            rowIDs[gone] = into
            rowOf[into] = gone
            rowOf[from] = nil
            return
        }
        live[gone] = false
        rowOf[from] = nil
    }

    // MARK: - Rows

    private func newID() -> Int64 {
        defer { nextID += 1 }
        return nextID
    }

    private func addRow(_ issue: Int64, vector: [Float], concepts: Set<String>) {
        rowOf[issue] = rowIDs.count
        rowIDs.append(issue)
        sums.append(contentsOf: vector)
        memberCounts.append(1)
        rowConcepts.append(concepts)
        live.append(true)
    }

    private func add(_ vector: [Float], toRow row: Int) {
        for index in 0..<dimension { sums[row * dimension + index] += vector[index] }
        memberCounts[row] += 1
    }

    private func subtract(_ vector: [Float], fromRow row: Int) {
        guard memberCounts[row] > 1 else { return }
        for index in 0..<dimension { sums[row * dimension + index] -= vector[index] }
        memberCounts[row] -= 1
    }

    private static func pair(_ a: Int64, _ b: Int64) -> Merge { Merge(from: min(a, b), into: max(a, b)) }

    /// Dot product, eight lanes at a time.
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var index = 0
        while index + 8 <= count {
            lanes += UnsafeRawPointer(a + index).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + index).loadUnaligned(as: SIMD8<Float>.self)
            index += 8
        }
        var total = lanes.sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }
}
