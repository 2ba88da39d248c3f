/// A pattern: a template of tokens where `<*>` marks a variable, with a stable id and a count.
public struct MinedPattern: Sendable, Codable, Hashable {
    public let id: Int
    public internal(set) var tokens: [String]
    public internal(set) var count: Int

    /// The template as text, e.g. `Connection to <*> refused after <*> ms`. Variables that the
    /// miner found side by side within a word (`Mozilla/<*>` beside `okhttp/<*>`) read as one.
    public var template: String {
        var text = ""
        for token in tokens where !(token == MessageTokenizer.wildcard && text.hasSuffix(MessageTokenizer.wildcard)) { text += token }
        return text
    }
}

/// Settings of the pattern miner. One configuration serves every log source.
public struct PatternMinerOptions: Sendable, Codable, Equatable {
    /// Least share of a pattern's constant words a message must repeat to join it (Drain's `st`).
    public var similarityThreshold = 0.82
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
/// `similarityThreshold` of its constant words agree (differing positions become `<*>`). Otherwise
/// it joins a pattern of another length whose constants all appear in order, each `<*>` covering
/// text within a word (`LOCAL(0)` where others log `10.0.0.1`), only variables, or one quoted
/// string; else it starts a new pattern. A new or generalized pattern folds in the patterns it now
/// covers. Pattern ids never change (a pattern folded into a wider one resolves to it). Tokens are compared as
/// interned integers. The whole state is `Codable`, to save and restore.
public final class PatternMiner: Codable {
    // Not Sendable: mutable; owned by one ingest task per (tenant, service).
    public let options: PatternMinerOptions
    private let interner = TokenInterner()
    private var isDelimiterToken: [Bool] = []
    /// Pattern states indexed by id (ids are dense; removed patterns leave nil).
    private var states = PatternTable()
    private var mergedInto: [Int: Int] = [:]
    private var lengthNodes: [Int: TreeNode] = [:]
    /// Patterns by their first constant word, the candidates for messages of other lengths.
    private var byAnchor: [Int32: [Int]] = [:]
    private var nextID = 1
    private var clock = 0
    /// Reused scanning and id buffers.
    private let scratch = ScannedMessage()
    private var idScratch: [Int32] = []

    /// `<*>` and ` <*>` (after a space) are always ids 0 and 1.
    private static let wildcard: Int32 = 0, spacedWildcard: Int32 = 1

    public init(options: PatternMinerOptions = PatternMinerOptions()) {
        self.options = options
        _ = intern(MessageTokenizer.wildcard)
        _ = intern(" " + MessageTokenizer.wildcard)
    }

    /// All current patterns, most frequent first.
    public var patterns: [MinedPattern] {
        states.map { publicPattern($0.key, $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
    }

    /// The pattern with `id`, following merges, if it is still kept.
    public func pattern(id: Int) -> MinedPattern? {
        let id = resolve(id)
        return states[id].map { publicPattern(id, $0) }
    }

    /// Patterns folded into wider ones, each with the id it was folded into.
    public var folded: [Int: Int] { mergedInto }

    /// The id a pattern now lives on as (itself unless it was folded into a wider one).
    public func resolve(_ id: Int) -> Int {
        var id = id
        while let next = mergedInto[id] { id = next }
        return id
    }

    /// Learns from `message` and returns the pattern it now belongs to.
    @discardableResult
    public func add(_ message: some StringProtocol) -> MinedPattern {
        let id = learn(message)
        return publicPattern(id, states[id]!)
    }

    /// Learns from `message` and returns only its pattern id (no template is built).
    @discardableResult
    public func learn(_ message: some StringProtocol) -> Int {
        learnReportingChange(message).id
    }

    /// Learns from `message`; returns its pattern id, and whether that pattern's template is new or
    /// changed (so that a caller keeping templates builds one only then).
    public func learnReportingChange(_ message: some StringProtocol) -> (id: Int, templateChanged: Bool) {
        MessageTokenizer.scan(message, into: scratch)
        let scanned = scratch
        var ids = idScratch
        idScratch = []
        defer { idScratch = ids }
        lookUp(scanned, into: &ids)
        clock += 1
        let leaf = self.leaf(for: &ids, scanned, creating: true)!
        if let id = bestMatch(ids, among: leaf.patternIDs) {
            let now = clock
            let interner = self.interner
            let generalized = states.update(id) { state -> Bool in
                state.count += 1
                state.lastSeen = now
                var changed = false
                for i in ids.indices where state.tokens[i] != ids[i] && !Self.isWildcard(state.tokens[i]) {
                    state.tokens[i] = interner.bytes(state.tokens[i]).first == 32 ? Self.spacedWildcard : Self.wildcard
                    changed = true
                }
                return changed
            }
            if generalized { absorbNarrowerPatterns(into: id) }
            return (id, generalized)
        }
        if let id = widerPattern(fitting: ids, scanned.joined) {
            let now = clock
            states.update(id) { $0.count += 1; $0.lastSeen = now }
            return (id, false)
        }
        if states.count >= options.maxPatterns { evictLeastRecentlySeen() }
        for i in ids.indices where ids[i] < 0 { ids[i] = intern(scanned, i) }
        let id = nextID
        nextID += 1
        states[id] = PatternState(tokens: ids, count: 1, lastSeen: clock, route: leaf.route)
        leaf.patternIDs.append(id)
        if let anchor = anchor(of: ids) { byAnchor[anchor, default: []].append(id) }
        // A new pattern may cover earlier ones of other lengths (`(<*>)` arriving after `()`).
        if ids.contains(where: Self.isWildcard) { absorbNarrowerPatterns(into: id) }
        return (id, true)
    }

    /// The pattern `message` would join, without learning from it.
    public func match(_ message: some StringProtocol) -> MinedPattern? {
        let scanned = ScannedMessage()
        MessageTokenizer.scan(message, into: scanned)
        var ids: [Int32] = []
        lookUp(scanned, into: &ids)
        guard let leaf = leaf(for: &ids, scanned, creating: false), let id = bestMatch(ids, among: leaf.patternIDs) else { return nil }
        return states[id].map { publicPattern(id, $0) }
    }

    // MARK: - Tokens

    @inline(__always)
    private static func isWildcard(_ id: Int32) -> Bool { id == wildcard || id == spacedWildcard }

    /// Known tokens as their ids; unknown ones as distinct negative ids (they equal no pattern token).
    private func lookUp(_ scanned: ScannedMessage, into ids: inout [Int32]) {
        ids.removeAll(keepingCapacity: true)
        for i in 0..<scanned.count {
            let bytes = scanned.bytes(i)
            if scanned.isWildcard(i) {
                ids.append(bytes[0] == 32 ? Self.spacedWildcard : Self.wildcard)
            } else {
                ids.append(interner.lookUp(bytes) ?? Int32(-2 - i))
            }
        }
    }

    private func intern(_ scanned: ScannedMessage, _ i: Int) -> Int32 {
        intern(scanned.bytes(i))
    }

    private func intern(_ text: String) -> Int32 {
        var copy = text
        return copy.withUTF8 { intern($0) }
    }

    private func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let id = interner.intern(bytes)
        if Int(id) == isDelimiterToken.count {
            isDelimiterToken.append(bytes.count == 1 && MessageTokenizer.isDelimiterByte(bytes[0]))
        }
        return id
    }

    private func publicPattern(_ id: Int, _ state: PatternState) -> MinedPattern {
        MinedPattern(id: id, tokens: state.tokens.map(interner.string), count: state.count)
    }

    // MARK: - Tree

    private func leaf(for ids: inout [Int32], _ scanned: ScannedMessage, creating: Bool) -> TreeNode? {
        var node: TreeNode
        if let existing = lengthNodes[ids.count] {
            node = existing
        } else {
            guard creating else { return nil }
            node = TreeNode(route: [Int32(ids.count)])
            lengthNodes[ids.count] = node
        }
        for i in 0..<min(options.prefixTokens, ids.count) {
            let key = Self.isWildcard(ids[i]) ? Self.wildcard : ids[i]
            if key >= 0, let child = node.children[key] {
                node = child
            } else if !creating {
                guard let wildcardChild = node.children[Self.wildcard] else { return nil }
                node = wildcardChild
            } else {
                // A full node sends further distinct tokens to its shared `<*>` child.
                var routed = node.children.count + 1 >= options.maxChildren ? Self.wildcard : key
                if routed < 0 { ids[i] = intern(scanned, i); routed = ids[i] }
                let child = node.children[routed] ?? TreeNode(route: node.route + [routed])
                node.children[routed] = child
                node = child
            }
        }
        return node
    }

    /// The most similar pattern at or above the threshold; ties go to the one with more variables.
    /// Similarity is the share of the pattern's constant words that the message repeats: a `<*>`
    /// position matches anything, and equal delimiters are not counted.
    private func bestMatch(_ ids: [Int32], among candidates: [Int]) -> Int? {
        var best: (id: Int, similarity: Double, variables: Int)?
        for id in candidates {
            guard let state = states[id], state.tokens.count == ids.count else { continue }
            var equal = 0, compared = 0, variables = 0
            for (patternToken, token) in zip(state.tokens, ids) {
                if Self.isWildcard(patternToken) {
                    variables += 1
                } else if patternToken == token {
                    if !isDelimiterToken[Int(patternToken)] { equal += 1; compared += 1 }
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

    // MARK: - Variables that span several tokens

    /// A pattern needs this many constant words before it may take in messages of other lengths.
    static let minimumConstantsToAbsorb = 3

    /// The first constant word: patterns and messages of different lengths are compared only when
    /// it is the same (nil when there is none, or it is a word no pattern has).
    private func anchor(of ids: [Int32]) -> Int32? {
        ids.first { $0 >= 0 && !Self.isWildcard($0) && !isDelimiterToken[Int($0)] }
    }

    private func constantWords(_ tokens: [Int32]) -> Int {
        tokens.count { !Self.isWildcard($0) && !isDelimiterToken[Int($0)] }
    }

    /// Whether a template covers `text` of another length, its gaps holding whole values
    /// (`WildcardMatcher`), when the pattern has enough constants to judge.
    private func covers(_ tokens: [Int32], _ text: [UInt8]) -> Bool {
        let constants = constantWords(tokens)
        return constants >= Self.minimumConstantsToAbsorb && constants < tokens.count
            && WildcardMatcher.matches(literals(of: tokens), text, spanningWords: true)
    }

    /// The pattern of another length with the most constants that covers the message.
    private func widerPattern(fitting ids: [Int32], _ text: [UInt8]) -> Int? {
        guard let anchor = anchor(of: ids), let candidates = byAnchor[anchor] else { return nil }
        var best: (id: Int, constants: Int)?
        for id in candidates {
            guard let state = states[id], state.tokens.count != ids.count else { continue }
            let constants = constantWords(state.tokens)
            guard constants > best?.constants ?? -1, covers(state.tokens, text) else { continue }
            best = (id, constants)
        }
        return best?.id
    }

    /// After `id` gained wildcards, folds in the patterns its template now covers, of any length.
    private func absorbNarrowerPatterns(into id: Int) {
        guard let wide = states[id], let anchor = anchor(of: wide.tokens) else { return }
        for narrowID in byAnchor[anchor] ?? [] where narrowID != id {
            guard let narrow = states[narrowID],
                  covers(wide.tokens, text(of: narrow.tokens)) else { continue }
            states[id]!.count += narrow.count
            remove(narrowID)
            mergedInto[narrowID] = id
        }
    }

    private func text(of tokens: [Int32]) -> [UInt8] {
        tokens.reduce(into: []) { $0 += interner.bytes($1) }
    }

    /// The template's literal runs between wildcards; a wildcard's leading space ends the run before it.
    private func literals(of tokens: [Int32]) -> [[UInt8]] {
        var literals: [[UInt8]] = [[]]
        for token in tokens {
            if Self.isWildcard(token) {
                if token == Self.spacedWildcard { literals[literals.count - 1].append(32) }
                literals.append([])
            } else {
                literals[literals.count - 1] += interner.bytes(token)
            }
        }
        return literals
    }

    // MARK: - Bounds

    private func evictLeastRecentlySeen() {
        guard let (id, _) = states.min(by: { $0.value.lastSeen < $1.value.lastSeen }) else { return }
        remove(id)
    }

    private func remove(_ id: Int) {
        guard let state = states.removeValue(forKey: id) else { return }
        if let anchor = anchor(of: state.tokens) { byAnchor[anchor]?.removeAll { $0 == id } }
        node(at: state.route)?.patternIDs.removeAll { $0 == id }
    }

    private func node(at route: [Int32]) -> TreeNode? {
        guard let length = route.first, var node = lengthNodes[Int(length)] else { return nil }
        for key in route.dropFirst() {
            guard let child = node.children[key] else { return nil }
            node = child
        }
        return node
    }

    // MARK: - Codable: patterns as text, the tree rebuilt from each pattern's route

    private struct SavedPattern: Codable {
        let id: Int, tokens: [String], count: Int, lastSeen: Int, route: [String]
    }
    private enum CodingKeys: String, CodingKey { case options, patterns, mergedInto, nextID, clock }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(options, forKey: .options)
        let saved = states.map { id, state in
            SavedPattern(id: id, tokens: state.tokens.map(interner.string), count: state.count, lastSeen: state.lastSeen,
                         route: [String(state.route[0])] + state.route.dropFirst().map(interner.string))
        }
        try container.encode(saved.sorted { $0.id < $1.id }, forKey: .patterns)
        try container.encode(mergedInto, forKey: .mergedInto)
        try container.encode(nextID, forKey: .nextID)
        try container.encode(clock, forKey: .clock)
    }

    public required convenience init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(options: try container.decode(PatternMinerOptions.self, forKey: .options))
        mergedInto = try container.decode([Int: Int].self, forKey: .mergedInto)
        nextID = try container.decode(Int.self, forKey: .nextID)
        clock = try container.decode(Int.self, forKey: .clock)
        for saved in try container.decode([SavedPattern].self, forKey: .patterns) {
            guard let length = Int32(saved.route.first ?? "") else {
                throw DecodingError.dataCorruptedError(forKey: .patterns, in: container, debugDescription: "pattern \(saved.id) has no route")
            }
            let route = [length] + saved.route.dropFirst().map(intern)
            var node = lengthNodes[Int(length)] ?? TreeNode(route: [length])
            lengthNodes[Int(length)] = node
            for key in route.dropFirst() {
                let child = node.children[key] ?? TreeNode(route: node.route + [key])
                node.children[key] = child
                node = child
            }
            let tokens = saved.tokens.map(intern)
            states[saved.id] = PatternState(tokens: tokens, count: saved.count, lastSeen: saved.lastSeen, route: route)
            node.patternIDs.append(saved.id)
            if let anchor = anchor(of: tokens) { byAnchor[anchor, default: []].append(saved.id) }
        }
    }
}

/// Pattern states by id in an array: ids are small and dense, so no hashing per lookup.
private struct PatternTable {
    private var slots: [PatternState?] = [nil]
    private(set) var count = 0

    subscript(id: Int) -> PatternState? {
        get { id < slots.count ? slots[id] : nil }
        set {
            if id >= slots.count { slots += Array(repeating: nil, count: id - slots.count + 1) }
            if slots[id] == nil && newValue != nil { count += 1 } else if slots[id] != nil && newValue == nil { count -= 1 }
            slots[id] = newValue
        }
    }

    /// Mutates the state of `id` in place (it must exist).
    mutating func update<R>(_ id: Int, _ body: (inout PatternState) -> R) -> R {
        body(&slots[id]!)
    }

    @discardableResult
    mutating func removeValue(forKey id: Int) -> PatternState? {
        let old = self[id]
        self[id] = nil
        return old
    }

    /// Live (id, state) pairs.
    func map<T>(_ transform: ((key: Int, value: PatternState)) -> T) -> [T] {
        slots.indices.compactMap { id in slots[id].map { transform((id, $0)) } }
    }

    func min(by less: ((key: Int, value: PatternState), (key: Int, value: PatternState)) -> Bool) -> (key: Int, value: PatternState)? {
        map { $0 }.min(by: less)
    }
}

/// A pattern's mutable state: interned tokens and the tree route (length, then prefix keys) of its leaf.
private struct PatternState {
    var tokens: [Int32]
    var count: Int
    var lastSeen: Int
    let route: [Int32]
}

/// A node of the routing tree: children by token id, and at the leaves the candidate pattern ids.
final class TreeNode {
    let route: [Int32]
    var children: [Int32: TreeNode] = [:]
    var patternIDs: [Int] = []

    init(route: [Int32]) { self.route = route }
}
