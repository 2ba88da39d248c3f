import DejaCore

// Patterns and issues counted over a range are their signatures' counts added up: the same sums
// whether the signatures come from the embedded store or from the shared state.

extension IssueCounts {
    /// The issues of `signatures` (those of `wanted` only, unless it is empty), each with its
    /// signatures' counts added up, the most frequent first.
    static func grouping(_ signatures: [SignatureCounts], tenant: String, wanted: [Int64]) -> [IssueCounts] {
        var grouped: [Int64: IssueCounts] = [:]
        for item in signatures {
            guard let id = item.signature.issueID, wanted.isEmpty || wanted.contains(id) else { continue }
            var entry = grouped[id] ?? IssueCounts(issue: Issue(id: id, tenant: tenant), counts: Array(repeating: 0, count: item.counts.count))
            entry.issue.add(item.signature)
            for index in item.counts.indices { entry.counts[index] += item.counts[index] }
            grouped[id] = entry
        }
        return grouped.values.sorted { ($0.issue.count, $1.issue.id) > ($1.issue.count, $0.issue.id) }
    }
}

extension Issue {
    /// Issue `id` of `tenant` made of `members`, the most frequent first; nil when it has none.
    static func assembled(_ id: Int64, tenant: String, members: [Signature]) -> (issue: Issue, signatures: [Signature])? {
        guard !members.isEmpty else { return nil }
        let ordered = members.sorted { ($0.count, $1.id) > ($1.count, $0.id) }
        var issue = Issue(id: id, tenant: tenant)
        ordered.forEach { issue.add($0) }
        return (issue, ordered)
    }
}

extension PatternCounts {
    /// The patterns of `signatures` (a folded pattern counted in the one it joined), each with its
    /// signatures' counts added up, the most frequent `limit` first.
    static func grouping(_ signatures: [SignatureCounts], tenant: String, templates: [Int64: (template: String, mergedInto: Int64?)],
                         limit: Int) -> [PatternCounts] {
        var grouped: [Int64: PatternCounts] = [:]
        for item in signatures {
            let signature = item.signature
            guard let assigned = signature.patternID, let (template, mergedInto) = templates[assigned] else { continue }
            let id = mergedInto ?? assigned
            var entry = grouped[id] ?? PatternCounts(
                pattern: Pattern(id: id, tenant: tenant, template: template, services: [], level: .unknown, signatureIDs: [], count: 0,
                                 firstSeen: .max, lastSeen: .min),
                counts: Array(repeating: 0, count: item.counts.count))
            entry.pattern.add(signature)
            for index in item.counts.indices { entry.counts[index] += item.counts[index] }
            grouped[id] = entry
        }
        return grouped.values.sorted { ($0.counts.reduce(0, +), $1.pattern.id) > ($1.counts.reduce(0, +), $0.pattern.id) }
            .prefix(limit).map { $0 }
    }
}

extension Issue {
    /// Counts `signature` in: its events, services, levels, pattern and times. The most frequent
    /// signature gives the title: the line of its message that names a failure family, else its
    /// first line; a routine signature's pattern template.
    mutating func add(_ signature: Signature) {
        signatureIDs.append(signature.id)
        if !services.contains(signature.service) { services.append(signature.service); services.sort() }
        if !levels.contains(signature.level) { levels.append(signature.level); levels.sort { $0 > $1 } }
        if let pattern = signature.patternID, !patternIDs.contains(pattern) { patternIDs.append(pattern); patternIDs.sort() }
        if signature.count > titleCount {
            titleCount = signature.count
            let text = signature.level >= .warning || signature.pattern == nil ? signature.message : signature.pattern!
            // The line that names the failure ("AttributeError: ...") rather than what was being done.
            let lines = text.split(separator: "\n")
            let line = lines.first { !FailureTaxonomy.labels(in: String($0)).isEmpty } ?? lines.first ?? ""
            title = String(line.prefix(300))
        }
        count += signature.count
        firstSeen = min(firstSeen, signature.firstSeen)
        lastSeen = max(lastSeen, signature.lastSeen)
    }
}

extension Pattern {
    /// Counts `signature` in: its events, services, level and times.
    mutating func add(_ signature: Signature) {
        signatureIDs.append(signature.id)
        if !services.contains(signature.service) { services.append(signature.service); services.sort() }
        level = max(level, signature.level)
        count += signature.count
        firstSeen = min(firstSeen, signature.firstSeen)
        lastSeen = max(lastSeen, signature.lastSeen)
    }
}
