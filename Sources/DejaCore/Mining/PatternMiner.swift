/// A pattern: a template of tokens where `<*>` marks a variable, with a stable id and a count.
public struct MinedPattern: Sendable, Codable, Hashable {
    public let id: Int
    public internal(set) var tokens: [String]
    public internal(set) var count: Int

    /// The template as text, e.g. `Connection to <*> refused after <*> ms`.
    public var template: String { tokens.joined() }
}

/// Settings of the pattern miner. One configuration serves every log source.
public struct PatternMinerOptions: Sendable, Codable, Equatable {
    /// Least share of equal tokens for a message to join a pattern (Drain's `st`).
    public var similarityThreshold = 0.8
    /// Leading tokens used to route a message down the tree (Drain's depth − 2).
    public var prefixTokens = 2
    /// Most children per tree node; further distinct tokens share a `<*>` child.
    public var maxChildren = 100
    /// Most patterns kept; past it the least recently seen pattern is forgotten.
    public var maxPatterns = 10_000

    public init() {}
}

/// An online, streaming, Drain-class template miner (He et al., ICWS 2017, and Drain3).
///
/// Messages are masked and tokenized (`MessageTokenizer`), routed by token count and leading
/// tokens to a leaf of candidate patterns, and joined to the most similar one when at least
/// `similarityThreshold` of its tokens agree (differing positions become `<*>`); otherwise they
/// start a new pattern. Pattern ids never change. The whole state is `Codable`, to save and restore.
public final class PatternMiner: Codable {
    // Not Sendable: mutable; owned by one ingest task per (tenant, service).
    public let options: PatternMinerOptions
    private var patternsByID: [Int: MinedPattern] = [:]
    /// Patterns merged into a more general one: old id → the id it lives on as.
    private var mergedInto: [Int: Int] = [:]
    private var lastSeen: [Int: Int] = [:]
    private var lengthNodes: [Int: TreeNode] = [:]
    /// Patterns by their first token (when constant): the candidates for messages of other lengths.
    private var patternsByFirstToken: [String: [Int]] = [:]
    private var nextID = 1
    private var clock = 0

    public init(options: PatternMinerOptions = PatternMinerOptions()) {
        self.options = options
    }

    /// All current patterns, most frequent first.
    public var patterns: [MinedPattern] {
        patternsByID.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
    }

    /// The pattern with `id`, following merges, if it is still kept.
    public func pattern(id: Int) -> MinedPattern? { patternsByID[resolve(id)] }

    /// The id a pattern now lives on as (itself unless it was merged into a more general one).
    public func resolve(_ id: Int) -> Int {
        var id = id
        while let next = mergedInto[id] { id = next }
        return id
    }

    /// Learns from `message` and returns the pattern it now belongs to.
    @discardableResult
    public func add(_ message: some StringProtocol) -> MinedPattern {
        let tokens = MessageTokenizer.tokens(message)
        clock += 1
        let leaf = self.leaf(for: tokens, creating: true)!
        if let id = bestMatch(tokens, among: leaf.patternIDs) {
            var pattern = patternsByID[id]!
            var generalized = false
            for i in pattern.tokens.indices where pattern.tokens[i] != tokens[i] && !MessageTokenizer.isWildcard(pattern.tokens[i]) {
                pattern.tokens[i] = MessageTokenizer.wildcard(replacing: pattern.tokens[i])
                generalized = true
            }
            pattern.count += 1
            patternsByID[id] = pattern
            lastSeen[id] = clock
            if generalized { absorbNarrowerPatterns(into: id) }
            return patternsByID[id]!
        }
        // A variable may span several tokens (`LOCAL(0)` where others log `10.0.0.1`): a message of
        // another length can still fit a pattern's wildcards.
        if let id = widerPattern(fitting: tokens) {
            patternsByID[id]!.count += 1
            lastSeen[id] = clock
            return patternsByID[id]!
        }
        if patternsByID.count >= options.maxPatterns { evictLeastRecentlySeen() }
        let pattern = MinedPattern(id: nextID, tokens: tokens, count: 1)
        nextID += 1
        patternsByID[pattern.id] = pattern
        lastSeen[pattern.id] = clock
        leaf.patternIDs.append(pattern.id)
        if let first = tokens.first, !MessageTokenizer.isWildcard(first) { patternsByFirstToken[first, default: []].append(pattern.id) }
        return pattern
    }

    /// The pattern `message` would join, without learning from it.
    public func match(_ message: some StringProtocol) -> MinedPattern? {
        let tokens = MessageTokenizer.tokens(message)
        guard let leaf = leaf(for: tokens, creating: false), let id = bestMatch(tokens, among: leaf.patternIDs) else { return nil }
        return patternsByID[id]
    }

    // MARK: - Tree

    private func leaf(for tokens: [String], creating: Bool) -> TreeNode? {
        var node: TreeNode
        if let existing = lengthNodes[tokens.count] {
            node = existing
        } else {
            guard creating else { return nil }
            node = TreeNode()
            lengthNodes[tokens.count] = node
        }
        for token in tokens.prefix(options.prefixTokens) {
            let key = MessageTokenizer.isWildcard(token) ? MessageTokenizer.wildcard : token
            if let child = node.children[key] {
                node = child
            } else if !creating {
                guard let wildcardChild = node.children[MessageTokenizer.wildcard] else { return nil }
                node = wildcardChild
            } else {
                // A full node sends further distinct tokens to its shared `<*>` child.
                let routed = node.children.count + 1 >= options.maxChildren ? MessageTokenizer.wildcard : key
                let child = node.children[routed] ?? TreeNode()
                node.children[routed] = child
                node = child
            }
        }
        return node
    }

    /// The most similar pattern at or above the threshold; ties go to the one with more variables.
    /// Similarity is the share of the pattern's constant words that the message repeats: a `<*>`
    /// position matches anything, and equal delimiters are not counted.
    private func bestMatch(_ tokens: [String], among ids: [Int]) -> Int? {
        var best: (id: Int, similarity: Double, variables: Int)?
        for id in ids {
            guard let pattern = patternsByID[id], pattern.tokens.count == tokens.count else { continue }
            var equal = 0
            var compared = 0
            var variables = 0
            for (patternToken, token) in zip(pattern.tokens, tokens) {
                if MessageTokenizer.isWildcard(patternToken) {
                    variables += 1
                } else if patternToken == token {
                    // Equal punctuation says little about whether two lines are one statement.
                    if !MessageTokenizer.isDelimiter(patternToken) { equal += 1; compared += 1 }
                } else {
                    compared += 1
                }
            }
            let similarity = compared == 0 ? 1 : Double(equal) / Double(compared)
            if best == nil || similarity > best!.similarity || (similarity == best!.similarity && variables > best!.variables) {
                best = (id, similarity, variables)
            }
        }
        guard let best, best.similarity >= options.similarityThreshold else { return nil }
        return best.id
    }

    /// The pattern with the most constant tokens whose template, `<*>` matching any text within a
    /// word, covers the message. Only patterns with the message's (constant) first token qualify.
    private func widerPattern(fitting tokens: [String]) -> Int? {
        guard let first = tokens.first, let candidates = patternsByFirstToken[first] else { return nil }
        let text = tokens.joined()
        var best: (id: Int, constants: Int)?
        for id in candidates {
            guard let pattern = patternsByID[id] else { continue }
            let constants = pattern.tokens.count { !MessageTokenizer.isWildcard($0) }
            guard constants >= Self.minimumConstantsToAbsorb, constants > best?.constants ?? -1,
                  constants < pattern.tokens.count, WildcardMatcher.matches(pattern.tokens, text) else { continue }
            best = (pattern.id, constants)
        }
        return best?.id
    }

    /// After `id` gained wildcards, folds in the patterns of other lengths that its template now covers.
    private func absorbNarrowerPatterns(into id: Int) {
        guard let wide = patternsByID[id] else { return }
        let constants = wide.tokens.count { !MessageTokenizer.isWildcard($0) }
        guard constants >= Self.minimumConstantsToAbsorb, let first = wide.tokens.first else { return }
        for narrowID in patternsByFirstToken[first] ?? [] {
            guard let narrow = patternsByID[narrowID], narrow.id != id, narrow.tokens.count != wide.tokens.count,
                  WildcardMatcher.matches(wide.tokens, narrow.template) else { continue }
            patternsByID[id]!.count += narrow.count
            patternsByID[narrow.id] = nil
            lastSeen[narrow.id] = nil
            mergedInto[narrow.id] = id
            patternsByFirstToken[first]?.removeAll { $0 == narrow.id }
            for node in lengthNodes.values { node.removePattern(narrow.id) }
        }
    }

    /// A pattern needs this many constant tokens before it may take in messages of other lengths.
    static let minimumConstantsToAbsorb = 3

    private func evictLeastRecentlySeen() {
        guard let (id, _) = lastSeen.min(by: { $0.value < $1.value }) else { return }
        if let first = patternsByID[id]?.tokens.first { patternsByFirstToken[first]?.removeAll { $0 == id } }
        patternsByID[id] = nil
        lastSeen[id] = nil
        for node in lengthNodes.values { node.removePattern(id) }
    }
}

/// A node of the routing tree: children by token, and at the leaves the candidate pattern ids.
final class TreeNode: Codable {
    var children: [String: TreeNode] = [:]
    var patternIDs: [Int] = []

    /// Removes `id` from this subtree; true once found.
    @discardableResult
    func removePattern(_ id: Int) -> Bool {
        if let index = patternIDs.firstIndex(of: id) {
            patternIDs.remove(at: index)
            return true
        }
        return children.values.contains { $0.removePattern(id) }
    }
}
