import DejaCore
import Foundation
import Testing

@Suite struct PatternMinerTests {
    @Test func variablesAreMaskedByOneRule() {
        #expect(MessageTokenizer.tokens("Connection to 10.0.0.1:5432 refused after 3000 ms").joined()
                == "Connection to <*>:<*> refused after <*> ms")
        #expect(MessageTokenizer.tokens("ready=true,policy=3 mode=Awake").joined() == "ready=<*>,policy=<*> mode=Awake")
        #expect(MessageTokenizer.tokens("blk_-6952295868487656571 deleted").joined() == "<*> deleted")
        #expect(MessageTokenizer.tokens("  spaced\tout  ").joined() == "spaced out")
        #expect(MessageTokenizer.tokens("").isEmpty)
    }

    @Test func messagesOfOneStatementShareAPatternWithStableID() {
        let miner = PatternMiner()
        let first = miner.add("Connection to db-1 refused after 3000 ms")
        let second = miner.add("Connection to db-2 refused after 12 ms")
        let other = miner.add("Disk /dev/sda1 is 91% full")
        #expect(first.id == second.id)
        #expect(second.template == "Connection to <*> refused after <*> ms")
        #expect(second.count == 2)
        #expect(other.id != first.id)
        #expect(miner.patterns.map(\.id) == [first.id, other.id])
        #expect(miner.match("Connection to db-9 refused after 1 ms")?.id == first.id)
        #expect(miner.match("something never seen before") == nil)
    }

    @Test("a variable that spans several tokens of a word still joins its pattern")
    func variableLengthVariables() {
        let miner = PatternMiner()
        let a = miner.add("synchronized to 10.0.0.1, stratum 2")
        miner.add("synchronized to 10.0.0.2, stratum 3")
        let b = miner.add("synchronized to LOCAL(0), stratum 10")
        #expect(miner.resolve(b.id) == miner.resolve(a.id))
        // ...but not one that spans words: these are different statements.
        let c = miner.add("Failed password for root from 1.2.3.4 port 22 ssh2")
        let d = miner.add("Failed password for invalid user admin from 1.2.3.4 port 22 ssh2")
        #expect(miner.resolve(c.id) != miner.resolve(d.id))
    }

    @Test func stateSurvivesSaveAndRestore() throws {
        let miner = PatternMiner()
        let id = miner.add("user 17 logged in from 10.1.1.1").id
        miner.add("user 18 logged in from 10.1.1.2")
        let restored = try JSONDecoder().decode(PatternMiner.self, from: JSONEncoder().encode(miner))
        #expect(restored.add("user 19 logged in from 10.1.1.3").id == id)
        #expect(restored.add("a new kind of line").id > id)
        #expect(restored.pattern(id: id)?.count == 3)
    }

    @Test func memoryIsBoundedByMaxPatterns() {
        var options = PatternMinerOptions()
        options.maxPatterns = 50
        let miner = PatternMiner(options: options)
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
        for a in words { for b in words { for c in words { miner.add("\(a) \(b) \(c) happened") } } }
        #expect(miner.patterns.count <= 50)
    }
}
