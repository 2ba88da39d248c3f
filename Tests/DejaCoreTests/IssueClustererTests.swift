import DejaCore
import Foundation
import Testing

@Suite struct IssueClustererTests {
    /// A unit vector in the plane at `degrees`, in four dimensions.
    private func at(_ degrees: Double) -> [Float] {
        let radians = degrees * .pi / 180
        return [Float(cos(radians)), Float(sin(radians)), 0, 0]
    }

    private func failure(_ signature: Int64, _ vector: [Float], concepts: [String] = []) -> IssueClusterer.Member {
        IssueClusterer.Member(signature: signature, vector: vector, concepts: concepts, isFailure: true, pattern: nil)
    }

    private func routine(_ signature: Int64, _ vector: [Float], pattern: Int64) -> IssueClusterer.Member {
        IssueClusterer.Member(signature: signature, vector: vector, concepts: [], isFailure: false, pattern: pattern)
    }

    @Test("a failure joins the issue it is close to on average, else starts one")
    func joinsOrStarts() {
        let clusterer = IssueClusterer(dimension: 4)
        #expect(clusterer.place(failure(1, at(0))) == .init(issue: 1, created: true, merged: []))
        #expect(clusterer.place(failure(2, at(20))) == .init(issue: 1, created: false, merged: []))  // cos 0.94
        #expect(clusterer.place(failure(3, at(90))) == .init(issue: 2, created: true, merged: []))
        // 0.34 to the first issue on average: below the threshold alone, above it with a shared failure family.
        #expect(clusterer.place(failure(4, at(-60))).issue == 3)
        let shared = IssueClusterer(dimension: 4)
        _ = shared.place(failure(1, at(0), concepts: ["null reference"]))
        #expect(shared.place(failure(2, at(-60), concepts: ["null reference", "type error"])).issue == 1)
        #expect(shared.place(failure(3, at(60), concepts: ["timeout"])).created)
    }

    @Test("routine signatures group by pattern and never join a failure")
    func routineByPattern() {
        let clusterer = IssueClusterer(dimension: 4)
        let failureIssue = clusterer.place(failure(1, at(0))).issue
        let first = clusterer.place(routine(2, at(0), pattern: 7)).issue
        #expect(first != failureIssue)
        #expect(clusterer.place(routine(3, at(90), pattern: 7)).issue == first)
        #expect(clusterer.place(routine(4, at(0), pattern: 8)).issue != first)
    }

    @Test("issues that drift together merge; the larger keeps its id and the other resolves to it")
    func driftMerges() {
        let clusterer = IssueClusterer(dimension: 4)
        #expect(clusterer.place(failure(1, at(0))).issue == 1)
        #expect(clusterer.place(failure(2, at(70))).issue == 2)  // cos 0.34: apart
        // Equally close to both; joining the first brings it within 0.58 of the second on average.
        let placed = clusterer.place(failure(3, at(35)))
        #expect(placed == .init(issue: 1, created: false, merged: [.init(from: 2, into: 1)]))
        #expect(clusterer.survivor(of: 2) == 1)
        #expect(clusterer.place(failure(4, at(55))).issue == 1)
    }

    @Test("issues a user split apart never merge on their own; a user's merge joins them")
    func splitsAreKept() {
        let clusterer = IssueClusterer(dimension: 4)
        _ = clusterer.place(failure(1, at(0)))
        _ = clusterer.place(failure(2, at(10)))
        let split = clusterer.split([failure(2, at(10))], from: 1)
        #expect(split == 2)
        // Close to both (cos 0.98 and 0.99): it joins one, and the two still do not merge.
        let placed = clusterer.place(failure(3, at(5)))
        #expect(placed.merged.isEmpty && [1, 2].contains(placed.issue))
        #expect(clusterer.survivor(of: 1) == 1 && clusterer.survivor(of: 2) == 2)
        clusterer.merge(2, into: 1)
        #expect(clusterer.survivor(of: 2) == 1)
        #expect(clusterer.place(failure(4, at(8))).issue == 1)
    }

    @Test("a clusterer restored from its members, merges and splits places the next signature as the original does")
    func restoreMatchesOriginal() {
        let original = IssueClusterer(dimension: 4)
        let members = [failure(1, at(0)), failure(2, at(60)), failure(3, at(30)), failure(4, at(120)), routine(5, at(0), pattern: 3)]
        var placed: [Int64: Int64] = [:]
        var merges: [IssueClusterer.Merge] = []
        for member in members {
            let placement = original.place(member)
            placed[member.signature] = placement.issue
            merges += placement.merged
        }
        for merge in merges { for (signature, issue) in placed where issue == merge.from { placed[signature] = merge.into } }
        let restored = IssueClusterer(dimension: 4)
        for member in members { restored.restore(member, issue: placed[member.signature]!) }
        merges.forEach(restored.restoreMerge)
        #expect(restored.nextID == original.nextID)
        for probe in [failure(6, at(100)), failure(7, at(-20)), routine(8, at(90), pattern: 3)] {
            #expect(restored.place(probe) == original.place(probe))
        }
    }
}

@Suite struct IssueTrendTests {
    private let rule = TrendRule()
    private let since: Int64 = 1_000

    @Test("first seen inside the window is new; when the window holds all the data, first seen in its last quarter")
    func new() {
        #expect(rule.trend(counts: [0, 0, 4, 0, 0, 0, 4, 1], firstSeen: since + 300, since: since, until: 1_800, dataSince: 0) == .new)
        #expect(rule.trend(counts: [0, 0, 4, 0, 0, 0, 1, 1], firstSeen: since + 300, since: since, until: 1_800, dataSince: since) == .steady)
        #expect(rule.trend(counts: [0, 0, 0, 0, 0, 0, 4, 1], firstSeen: 1_700, since: since, until: 1_800, dataSince: since) == .new)
    }

    @Test("a steady rate, and a jump of a few events, are steady")
    func steady() {
        #expect(rule.trend(counts: [5, 5, 5, 5, 5, 5, 5, 5], firstSeen: 0, since: since, until: 1_800, dataSince: 0) == .steady)
        #expect(rule.trend(counts: [1, 0, 1, 0, 1, 1, 1, 2], firstSeen: 0, since: since, until: 1_800, dataSince: 0) == .steady)
        #expect(rule.trend(counts: [9, 12, 8, 10, 11, 9, 14, 12], firstSeen: 0, since: since, until: 1_800, dataSince: 0) == .steady)
    }

    @Test("a rate well above its own baseline in the last quarter is rising")
    func rising() {
        #expect(rule.trend(counts: [2, 2, 2, 2, 2, 2, 20, 25], firstSeen: 0, since: since, until: 1_800, dataSince: 0) == .rising)
        // Twice the baseline is not enough: 3x and three standard deviations are the rule.
        #expect(rule.trend(counts: [10, 10, 10, 10, 10, 10, 20, 20], firstSeen: 0, since: since, until: 1_800, dataSince: 0) == .steady)
    }

    @Test("back after a quiet window is regressed; quiet throughout is steady")
    func regressed() {
        #expect(rule.trend(counts: [0, 0, 0, 0, 0, 0, 2, 1], firstSeen: 0, since: since, until: 1_800, dataSince: 0) == .regressed)
        #expect(rule.trend(counts: [0, 0, 0, 0, 0, 0, 0, 0], firstSeen: 0, since: since, until: 1_800, dataSince: 0) == .steady)
    }

    @Test("growth orders a surge above a steady stream")
    func growth() {
        #expect(rule.growth(counts: [2, 2, 2, 2, 2, 2, 20, 25]) > rule.growth(counts: [50, 50, 50, 50, 50, 50, 50, 50]))
        #expect(rule.growth(counts: [4, 4, 4, 4, 4, 4, 4, 4]) == 1)
    }
}
