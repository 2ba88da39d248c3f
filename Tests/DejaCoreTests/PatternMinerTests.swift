import DejaCore
import Foundation
import Testing

@Suite struct PatternMinerTests {
    @Test func variablesAreMaskedByOneRule() {
        #expect(MessageTokenizer.tokens("Connection to 10.0.0.1:5432 refused after 3000 ms").joined()
                == "Connection to <*> refused after <*>")
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
        #expect(second.template == "Connection to <*> refused after <*>")
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

    @Test("a value is one variable whatever its token count", arguments: [
        ("cache.example.org:8443 close", "<*> close"),
        ("10.1.2.3:80 close", "<*> close"),
        ("localhost:9090 up", "<*> up"),
        ("sent 512 bytes", "sent <*>"),
        ("sent 2048 bytes (2.0 KB), done", "sent <*>, done"),
        ("sent 1.5MB (1,572,864 bytes)", "sent <*>"),
        ("lifetime 00:01:02", "lifetime <*>"),
        ("lifetime <1 sec", "lifetime <*>"),
        ("took 350 ms.", "took <*>."),
        ("GET /v2/a1b2/servers/detail?limit=10&marker=x HTTP/1.1", "GET <*> <*>"),
        ("GET /health HTTP/1.1", "GET <*> <*>"),
        ("fetching https://cdn.example.com/a/b?q=1 now", "fetching <*> now"),
        ("open file=/var/lib/app/data.db mode=rw", "open file=<*> mode=rw"),
        ("at (/var/lib/nova/instances/_base/a489c8): checking", "at (<*>): checking"),
        ("resolved cache.prod.example.net in time", "resolved <*> in time"),
        ("java.lang.NullPointerException: Cannot invoke \"Cart.total()\"", "java.lang.NullPointerException: Cannot invoke \"Cart.total()\""),
        ("en0: BSSID changed to 88:d7:f6:7a:a0:fc", "<*>: BSSID changed to <*>"),
        ("MDNS addr fe80:0:0:0:c6b3:1ff:fecd:467f", "MDNS addr <*>"),
        ("[instance: b9000564-fe1a-409b] Took 19.84 seconds to spawn", "[instance: <*>] Took <*> to spawn"),
        ("logname= uid=0 tty=ssh ruser= rhost=10.0.0.9", "logname=<*> uid=<*> tty=ssh ruser=<*> rhost=<*>"),
        ("[HRESULT = 0x80004005 - E_FAIL]", "[HRESULT = <*> - E_FAIL]"),
        // Values masked before mining stay variables.
        ("request <*> failed after <*>:<*>", "request <*> failed after <*>"),
        ("id=<*>, user=<*>", "id=<*>, user=<*>"),
        ("at [<*>/Nov/<*>:<*>:<*> <*>] ok", "at [<*> <*>] ok"),
        // Words that only look like values stay constant.
        ("connection from 1.2.3.4 (host-1.example.net) at Mon", "connection from <*> (<*>) at <*>"),
        ("read/write error: disk full", "read/write error: disk full"),
        ("key=value list a=b", "key=value list a=b"),
    ])
    func compoundValues(message: String, masked: String) {
        #expect(MessageTokenizer.tokens(message).joined() == masked)
    }

    @Test("patterns of different lengths whose constants align merge, and the merged id resolves to the survivor")
    func valuesSpanningWordsMerge() {
        let miner = PatternMiner()
        let empty = miner.add("connection from 10.0.0.1 () at Mon Jun 20 03:40:59 2005")
        let named = miner.add("connection from 10.0.0.2 (host-2.example.net) at Sun Jul 3 10:05:25 2005")
        #expect(miner.resolve(empty.id) == miner.resolve(named.id))
        #expect(miner.pattern(id: empty.id)?.count == 2)

        // A quoted string is one value whatever its length, once the quotes hold a variable.
        let one = miner.add("upstream error \"timeout\" while reading response header")
        miner.add("upstream error \"reset\" while reading response header")
        let three = miner.add("upstream error \"connection reset by peer\" while reading response header")
        #expect(three.id == one.id)
        #expect(three.template == "upstream error \"<*>\" while reading response header")

        // Constant words are never absorbed: these are different statements.
        let plain = miner.add("Failed password for root from 1.2.3.4 port 22 ssh2")
        let invalid = miner.add("Failed password for invalid user admin from 1.2.3.4 port 22 ssh2")
        #expect(miner.resolve(plain.id) != miner.resolve(invalid.id))
        let short = miner.add("authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.0.9")
        let long = miner.add("authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.0.9 user=root")
        #expect(miner.resolve(short.id) != miner.resolve(long.id))
    }

    @Test("variables the miner finds side by side in a word read as one in the template")
    func adjacentVariablesReadAsOne() {
        let miner = PatternMiner()
        miner.add("agent \"Mozilla/<*>\" seen at the edge")
        let pattern = miner.add("agent \"okhttp/<*>\" seen at the edge")
        #expect(pattern.template == "agent \"<*>\" seen at the edge")
        #expect(pattern.tokens.count == 9)
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
