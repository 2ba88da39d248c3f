import Foundation

/// Where an issue stands over a window of time, from its event counts per bucket.
public enum IssueTrend: String, Sendable, Codable, CaseIterable {
    /// First seen inside the window, when there is data from before it; else (the window holds all
    /// there is) first seen in its last quarter.
    case new
    /// Its rate in the window's last quarter is well above its rate before (`TrendRule`).
    case rising
    /// Seen before the window, quiet for the window's first three quarters, back in the last.
    case regressed
    case steady
}

/// How counts per bucket become a trend. The window's last quarter is "recent", the rest its
/// baseline. Rising takes a recent count at least `minimumRecent`, at least `factor` times what the
/// baseline rate predicts, and at least `deviations` Poisson standard deviations above it: a
/// jump from 1 to 3 events is noise, from 20 to 80 is not.
public struct TrendRule: Sendable, Equatable {
    public var recentFraction = 0.25
    public var factor = 3.0
    public var deviations = 3.0
    public var minimumRecent = 5

    public init() {}

    /// The trend of an issue first seen at `firstSeen`, with `counts` over `since...until`, in a
    /// store whose oldest event is at `dataSince`. Where the window reaches back to the oldest data,
    /// everything was first seen inside it: new then means new within it.
    public func trend(counts: [Int], firstSeen: Int64, since: Int64, until: Int64, dataSince: Int64) -> IssueTrend {
        let recentStart = until - Int64(Double(until - since) * recentFraction)
        if firstSeen >= (dataSince < since ? since : recentStart) { return .new }
        let (recent, baseline, expected) = split(counts)
        if recent > 0 && baseline == 0 { return .regressed }
        let excess = Double(recent) - expected
        if recent >= minimumRecent && Double(recent) >= factor * expected && excess >= deviations * max(expected, 1).squareRoot() {
            return .rising
        }
        return .steady
    }

    /// Recent events over what the baseline predicts, both plus one: the order of "growth".
    public func growth(counts: [Int]) -> Double {
        let (recent, _, expected) = split(counts)
        return (Double(recent) + 1) / (expected + 1)
    }

    /// Recent and baseline counts, and the recent count the baseline rate predicts.
    private func split(_ counts: [Int]) -> (recent: Int, baseline: Int, expected: Double) {
        guard counts.count > 1 else { return (counts.reduce(0, +), 0, 0) }
        let recentBuckets = min(counts.count - 1, max(1, Int((Double(counts.count) * recentFraction).rounded())))
        let recent = counts.suffix(recentBuckets).reduce(0, +)
        let baseline = counts.dropLast(recentBuckets).reduce(0, +)
        let expected = Double(baseline) * Double(recentBuckets) / Double(counts.count - recentBuckets)
        return (recent, baseline, expected)
    }
}
