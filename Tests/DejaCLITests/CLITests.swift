import Foundation
import Testing

/// Runs the built `deja` binary as a user would.
struct DejaProcess {
    static var binary: URL {
        // The test bundle sits in the same build folder as the executable.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("deja").path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("deja")
    }

    /// Starts `deja arguments` without waiting; standard output and error are collected to files.
    static func start(_ arguments: [String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `deja arguments` with `input` on standard input; returns status, stdout and stderr.
    static func run(_ arguments: [String], input: String = "") throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}

@Suite struct CLITests {
    @Test("deja embed: one JSON line per input line, in order, empty lines included")
    func embedPairsOutputWithInput() throws {
        let result = try DejaProcess.run(["embed", "--tokens", "--batch-size", "2"],
                                         input: "connection refused\n\na much longer line about a timeout talking to the database\n")
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { ($0["embedding"] as? [Double])?.count == 384 })
        #expect(lines[1]["input_ids"] as? [Int] == [101, 102])
        #expect((lines[0]["input_ids"] as? [Int])?.count == 4)
    }

    @Test("deja embed --jsonl names the bad line and stops with an error")
    func embedRejectsBadJSONL() throws {
        let result = try DejaProcess.run(["embed", "--jsonl"], input: "{\"text\": \"fine\"}\n{\"txt\": 1}\n")
        #expect(result.status != 0)
        #expect(result.err.contains("line 2"))
    }

    @Test("deja --version names the model in use")
    func versionNamesTheModel() throws {
        let version = try DejaProcess.run(["--version"])
        #expect(version.status == 0 && version.out.hasPrefix("deja ") && version.out.contains("model all-MiniLM-L6-v2"))
    }

    @Test("shell completions name every command")
    func completions() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try DejaProcess.run(["--generate-completion-script", shell])
            #expect(script.status == 0 && ["demo", "ingest", "issues", "alerts", "metrics"].allSatisfy(script.out.contains))
        }
    }

    @Test func missingModelIsAClearError() throws {
        let result = try DejaProcess.run(["embed", "--model", "/nonexistent/model"], input: "x\n")
        #expect(result.status != 0)
        #expect(result.err.contains("model folder not found: /nonexistent/model"))
    }

    @Test("deja serve --state: a URL it cannot use, or cluster mode without ChromaDB, stops it with what to fix")
    func clusterModeSettingsAreChecked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cli-state-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let badURL = try DejaProcess.run(["serve", "--data-dir", directory, "--state", "mysql://deja@db/deja"])
        #expect(badURL.status != 0)
        #expect(badURL.err.contains("--state 'mysql://deja@db/deja' is not a PostgreSQL URL Deja can use"))
        let noChroma = try DejaProcess.run(["serve", "--data-dir", directory, "--state", "postgres://deja@127.0.0.1:1/deja"])
        #expect(noChroma.status != 0)
        #expect(noChroma.err.contains("cluster mode (--state) keeps signature vectors in ChromaDB"))
    }

    @Test("deja serve on an address another program holds stops with what to do; a bad --listen names serve's help")
    func addressInUse() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cli-listen-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A socket bound and listening on a free port: the address deja is told to take.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                guard bind(holder, socketAddress, length) == 0, listen(holder, 1) == 0, getsockname(holder, socketAddress, &length) == 0 else {
                    Issue.record("cannot hold a port: \(String(cString: strerror(errno)))")
                    return
                }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let taken = try DejaProcess.run(["serve", "--data-dir", directory, "--listen", "127.0.0.1:\(port)"])
        #expect(taken.status == 1, "\(taken.err)")
        #expect(taken.err.contains("Error: cannot listen on 127.0.0.1:\(port): Address already in use (something else listens there"), "\(taken.err)")
        let malformed = try DejaProcess.run(["serve", "--data-dir", directory, "--listen", "127.0.0.1:http"])
        #expect(malformed.status == 64 && malformed.err.contains("--listen '127.0.0.1:http' is not HOST:PORT\n  See 'deja serve --help'"), "\(malformed.err)")
    }

    @Test("deja ingest - stores a live stream's lines as they come (tail -f app.log | deja ingest -), as service default")
    func liveStandardInput() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cli-live-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let process = Process()
        process.executableURL = DejaProcess.binary
        process.arguments = ["ingest", "--data-dir", dataDir, "-"]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data("2024-03-14 09:21:07 ERROR payment gateway timed out for order 4411\n".utf8))
        // The stream stays open: the line is stored once it has been quiet a second.
        var found = ""
        for _ in 0..<30 where !found.contains("\"service\" : \"default\"") {
            Thread.sleep(forTimeInterval: 1)
            found = (try? DejaProcess.run(["search", "--data-dir", dataDir, "--json", "-k", "1", "order 4411"]).out) ?? ""
        }
        #expect(found.contains("payment gateway timed out for order 4411") && found.contains("\"service\" : \"default\""), "\(found)")
        #expect(process.isRunning)
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("deja ingest stopped by a bad line names its file and line, what it stored and the files it did not read")
    func ingestStoppedByBadInput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cli-stopped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = directory.appendingPathComponent("events.jsonl").path
        let later = directory.appendingPathComponent("later.jsonl").path
        try "{\"body\":\"disk full on /var\"}\nnot json\n".write(toFile: events, atomically: true, encoding: .utf8)
        try "{\"body\":\"never read\"}\n".write(toFile: later, atomically: true, encoding: .utf8)
        let dataDir = directory.appendingPathComponent("data").path
        let run = try DejaProcess.run(["ingest", "--jsonl", "--data-dir", dataDir, events, later])
        #expect(run.status == 1)
        #expect(run.err.contains("Error: \(events) line 2: not a JSON object. The event read before it was stored; not read: \(later)\n"), "\(run.err)")
        let found = try DejaProcess.run(["search", "--data-dir", dataDir, "--json", "disk full"])
        #expect(found.out.contains(#""body" : "disk full on \/var""#) && !found.out.contains("never read"), "\(found.out)")
    }

    @Test("deja serve --retention-interval: a duration, and only with --retention")
    func retentionIntervalIsChecked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cli-retention-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let alone = try DejaProcess.run(["serve", "--data-dir", directory, "--retention-interval", "5m"])
        #expect(alone.status != 0 && alone.err.contains("--retention-interval needs --retention"))
        let badDuration = try DejaProcess.run(["serve", "--data-dir", directory, "--retention", "7d", "--retention-interval", "often"])
        #expect(badDuration.status != 0 && badDuration.err.contains("--retention-interval 'often' is not a duration such as 30s or 10m"))
    }

    @Test("deja patterns: counts, assignments CSV per input line, redaction, multi-line events, messages as ingest prepares them")
    func patternsCommand() throws {
        let log = """
        2024-03-14 09:21:07,412 ERROR [main] c.a.Db - connection to db-1 refused password=hunter2
        2024-03-14 09:21:08,001 ERROR [main] c.a.Db - connection to db-2 refused password=swordfish
        2024-03-14 09:21:09,000 ERROR [main] c.a.App - request failed
        java.lang.IllegalStateException: no session
        \tat com.acme.App.run(App.java:10)
        """
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("deja-assign-\(UUID().uuidString).csv")
        let result = try DejaProcess.run(["patterns", "--assignments", csv.path], input: log + "\n")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == "2\tP1\tconnection to db-<*> refused password=<redacted>\n"
                + "1\tP2\trequest failed java.lang.IllegalStateException: no session at <*>\n")
        #expect(!result.out.contains("hunter2"))
        let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "LineId,EventId,EventTemplate")
        #expect(rows.count == 1 + 5)
        #expect(rows[3].hasPrefix("3,P2,") && rows[5].hasPrefix("5,P2,"))
    }

    @Test("deja parse --format reads declared layouts and reports lines that do not fit")
    func parseWithFormat() throws {
        let result = try DejaProcess.run(["parse", "--format", "<Date> <Time> <Level> <Content>"],
                                         input: "2024-03-14 09:21:07 ERROR disk full\nnot a match\n")
        #expect(result.status == 0)
        let lines = result.out.split(separator: "\n")
        #expect(lines[0] == #"{"Content":"disk full","Date":"2024-03-14","Level":"ERROR","Time":"09:21:07"}"#)
        #expect(lines[1] == #"{"unmatched":"not a match"}"#)
        #expect(result.err.contains("1 lines did not match"))
        let bad = try DejaProcess.run(["parse", "--format", "no fields"], input: "")
        #expect(bad.status != 0 && bad.err.contains("has no <Field>"))
    }

    @Test("deja parse reads a JSON log export by record, and a prefixed line by its stream, as deja ingest does")
    func parseExportsAndPrefixes() throws {
        let export = try DejaProcess.run(["parse"], input: """
            [
              {"textPayload": "payment declined", "severity": "ERROR", "timestamp": "2024-03-14T09:21:07Z",
               "resource": {"type": "k8s_container", "labels": {"container_name": "checkout"}}}
            ]

            """)
        #expect(export.status == 0, "\(export.err)")
        #expect(export.out == #"{"conditions":[],"layout":"export","level":"error","message":"payment declined","stream":{"service":"checkout"},"timestamp":"2024-03-14T09:21:07Z"}"# + "\n")
        let prefixed = try DejaProcess.run(["parse"], input: "api-1  | 2024-03-14 09:21:07 ERROR disk full\n")
        #expect(prefixed.out.contains(#""message":"disk full","stream":{"container":"api-1"},"timestamp":"2024-03-14T09:21:07Z""#))
        // A CSV export by row; the rows before one that does not fit are printed, then the error.
        let csv = try DejaProcess.run(["parse"], input: [
            #""_time","host","_raw""#,
            #""2024-03-14T09:21:07.000+0000","web01","2024-03-14 09:21:07 ERROR disk full""#,
            #""2024-03-14T09:21:08.000+0000","web01","retrying",,"#,
        ].joined(separator: "\n"))
        #expect(csv.status != 0 && csv.err.contains("line 3 has 5 values where the header names 3 columns"))
        #expect(csv.out == #"{"conditions":[{"labels":["disk full"],"source":"PostgreSQL SQLSTATE 53100"}],"layout":"export","level":"error","message":"disk full","stream":{"host":"web01"},"timestamp":"2024-03-14T09:21:07Z"}"# + "\n")
    }

    @Test("deja parse reads a Grafana text download by row as deja ingest does, and says when a file could not be read to its end")
    func parseDownloadsAndCutFiles() throws {
        let download = try DejaProcess.run(["parse"], input: [
            #"Common labels: {"app":"checkout"}"#, "",
            "2024-03-14 09:21:08.001\tjava.lang.IllegalStateException: no session",
            "2024-03-14 09:21:08.000\t2024-03-14 09:21:07 ERROR checkout failed",
        ].joined(separator: "\n"))
        #expect(download.status == 0, "\(download.err)")
        #expect(download.out == #"{"conditions":[{"labels":["illegal state exception"],"source":"JDK 17 java.lang.IllegalStateException"}],"layout":"export","level":"error","message":"checkout failed\njava.lang.IllegalStateException: no session","stream":{"app":"checkout","service":"checkout"},"timestamp":"2024-03-14T09:21:08Z"}"# + "\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cut-\(UUID().uuidString).log.gz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // gzip.compress(b"2024-03-14 09:21:07 ERROR disk full\n", mtime=0) without its 8-byte trailer.
        let member: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 51, 50, 48, 50, 209, 53, 48, 214, 53, 52, 81, 48, 176, 180, 50, 50, 180, 50, 48,
                               87, 112, 13, 10, 242, 15, 82, 72, 201, 44, 206, 86, 72, 43, 205, 201, 225, 2, 0]
        try Data(member).write(to: URL(fileURLWithPath: path))
        let cut = try DejaProcess.run(["parse", path])
        #expect(cut.status != 0 && cut.err.contains("reading \(path) failed: its gzip data ends before its stream does (truncated)"))
        #expect(cut.out.contains(#""message":"disk full""#))
    }

    @Test("deja parse reads zone-less times in the zone given, and refuses a zone it cannot hold all year")
    func parseInAZone() throws {
        let result = try DejaProcess.run(["parse", "--zone", "+02:00"], input: "2024-03-14 09:21:07 ERROR disk full\n")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == #"{"conditions":[{"labels":["disk full"],"source":"PostgreSQL SQLSTATE 53100"}],"layout":"header: yyyy-MM-dd HH:mm:ss","level":"error","message":"disk full","stream":null,"timestamp":"2024-03-14T07:21:07Z"}"# + "\n")
        let named = try DejaProcess.run(["parse", "--zone", "Europe/Berlin"], input: "")
        #expect(named.status != 0 && named.err.contains("--zone 'Europe/Berlin' is not UTC or a fixed offset"))
    }

    @Test("deja ingest then search: logs found by meaning, filters and exact ids, run files for evaluation")
    func ingestAndSearch() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cli-\(UUID().uuidString)").path
        let events = """
        {"id": "e1", "service": "checkout", "level": "ERROR", "timestamp": "2026-11-20T09:14:07Z", "body": "could not open JDBC connection: FATAL: too many clients already"}
        {"id": "e2", "service": "pricing", "level": "INFO", "timestamp": "2026-11-20T09:15:00Z", "body": "nightly repricing finished in 41.2s"}
        {"id": "e3", "service": "inventory", "level": "ERROR", "timestamp": "2026-11-20T09:16:00Z", "body": "reservation ord-77f3a2 failed: warehouse-api timed out"}
        """
        let ingest = try DejaProcess.run(["ingest", "--jsonl", "--data-dir", dataDir], input: events + "\n")
        #expect(ingest.status == 0, "\(ingest.err)")
        #expect(ingest.err.contains("stored 3 events"))
        // A file compressed by a tool Deja does not read (gzip it does) among the files: named before any file is stored.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cli-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (plain, rotated) = (folder.appendingPathComponent("app.log"), folder.appendingPathComponent("app.log.1.zst"))
        try "2026-11-20 09:20:00 ERROR checkout failed\n".write(to: plain, atomically: true, encoding: .utf8)
        try Data([0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x02, 0x11, 0x00, 0x00, 0x78, 0x0A]).write(to: rotated)
        let compressed = try DejaProcess.run(["ingest", "--data-dir", dataDir, plain.path, rotated.path])
        #expect(compressed.status == 1 && compressed.err.contains("\(rotated.path) is zstd-compressed: pipe its text in instead (zstdcat"))
        #expect(!compressed.err.contains("stored"))

        let search = try DejaProcess.run(["search", "--data-dir", dataDir, "--json", "-k", "1", "the database refuses new connections"])
        #expect(search.status == 0, "\(search.err)")
        #expect(search.out.contains("\"externalID\" : \"e1\""))

        // A pasted line from standard input; a window that ends before it starts is refused with the search's usage.
        let pasted = try DejaProcess.run(["search", "--data-dir", dataDir, "--json", "-k", "1", "--file", "-"], input: "reservation ord-77f3a2 failed\n")
        #expect(pasted.status == 0 && pasted.out.contains("\"externalID\" : \"e3\""), "\(pasted.err)")
        let reversed = try DejaProcess.run(["search", "--data-dir", dataDir, "--since", "2026-11-21T00:00:00Z", "--until", "2026-11-20T00:00:00Z", "x"])
        #expect(reversed.status == 64 && reversed.err.contains("--since must be before --until") && reversed.err.contains("Usage: deja search"))

        let filtered = try DejaProcess.run(["search", "--data-dir", dataDir, "--json", "--service", "pricing", "database connections"])
        #expect(!filtered.out.contains("\"e1\"") && !filtered.out.contains("\"e3\""))

        let queries = #"{"qid": "q1", "query": "ord-77f3a2"}"# + "\n" + #"{"qid": "q2", "query": "connection limit", "filters": {"service": "checkout"}}"#
        let run = try DejaProcess.run(["search", "--data-dir", dataDir, "--batch", "/dev/stdin", "-k", "2"], input: queries + "\n")
        #expect(run.status == 0, "\(run.err)")
        let rows = run.out.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.first == ["q1", "e3", "1"])
        #expect(rows.filter { $0[0] == "q2" }.map { $0[1] } == ["e1"])

        let similar = try DejaProcess.run(["similar", "--data-dir", dataDir, "--json", "e1"])
        #expect(similar.status == 0 && !similar.out.contains("\"externalID\" : \"e1\""))
        let unknown = try DejaProcess.run(["similar", "--data-dir", dataDir, "nope"])
        #expect(unknown.status != 0 && unknown.err.contains("no event with id nope"))

        // Patterns were mined at ingest, one per signature here: the values became variables.
        let patterns = try DejaProcess.run(["patterns", "--data-dir", dataDir])
        #expect(patterns.status == 0, "\(patterns.err)")
        #expect(patterns.out.split(separator: "\n").count == 3)
        #expect(patterns.out.contains("\tnightly repricing finished in <*>\tpricing\n"))
        #expect(patterns.out.contains("\treservation ord-<*> failed: warehouse-api timed out\tinventory\n"))
        let mixed = try DejaProcess.run(["patterns", "--data-dir", dataDir, "some.log"])
        #expect(mixed.status != 0 && mixed.err.contains("--data-dir prints stored patterns"))

        // A mistyped data directory is named, and nothing is made there; an empty query or limit is refused.
        let mistyped = dataDir + "-typo"
        for command in [["search", "a"], ["similar", "e1"], ["issues"], ["patterns"], ["alerts"], ["metrics", "search", "cpu"]] {
            let missing = try DejaProcess.run(command + ["--data-dir", mistyped])
            #expect(missing.status == 1 && missing.err.contains("\(mistyped) holds no Deja store"), "\(command): \(missing.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: mistyped))
        let empty = try DejaProcess.run(["search", "--data-dir", dataDir, "  "])
        #expect(empty.status != 0 && empty.err.contains("the query is empty"))
        let none = try DejaProcess.run(["search", "--data-dir", dataDir, "-k", "0", "pricing"])
        #expect(none.status != 0 && none.err.contains("-k/--limit must be at least 1, not 0"))
    }

    @Test("deja issues: the same failure across services is one issue; --assignments writes every event's issue; bad options are named")
    func issuesCommand() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cli-\(UUID().uuidString)").path
        let events = """
        {"id": "j", "service": "checkout", "level": "error", "timestamp": "2026-11-20T09:14:07Z", "body": "java.lang.NullPointerException: Cannot invoke \\"Cart.total()\\" because \\"cart\\" is null"}
        {"id": "p", "service": "pricing", "level": "error", "timestamp": "2026-11-20T09:15:00Z", "body": "AttributeError: 'NoneType' object has no attribute 'total'"}
        {"id": "i", "service": "pricing", "level": "info", "timestamp": "2026-11-20T09:16:00Z", "body": "nightly repricing finished in 41.2s"}
        """
        let ingest = try DejaProcess.run(["ingest", "--jsonl", "--data-dir", dataDir], input: events + "\n")
        #expect(ingest.status == 0, "\(ingest.err)")
        let listed = try DejaProcess.run(["issues", "--data-dir", dataDir, "--since", "2026-11-20T00:00:00Z", "--until", "2026-11-21T00:00:00Z"])
        #expect(listed.status == 0, "\(listed.err)")
        let rows = listed.out.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count == 2)
        // The window holds all the data, and these were first seen early in it: not new, steady.
        #expect(rows.first.map { Array($0.prefix(4)) } == ["2", "I1", "steady", "checkout,pricing"])
        // Only the failures: the info issue is left out.
        let errors = try DejaProcess.run(["issues", "--data-dir", dataDir, "--level", "error", "--since", "2026-11-20T00:00:00Z", "--until", "2026-11-21T00:00:00Z"])
        #expect(errors.out.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: " ") } == ["2 I1"], "\(errors.out)")
        #expect(try DejaProcess.run(["issues", "--data-dir", dataDir, "--level", "loud"]).err.contains("--level 'loud' is not a level"))
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("deja-issues-\(UUID().uuidString).csv").path
        let written = try DejaProcess.run(["issues", "--data-dir", dataDir, "--assignments", csv])
        #expect(written.status == 0, "\(written.err)")
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "event_id,issue_id" && lines.count == 4)
        let byEvent = Dictionary(uniqueKeysWithValues: lines.dropFirst().map { line in (line.split(separator: ",")[0], line.split(separator: ",")[1]) })
        #expect(byEvent["j"] == byEvent["p"] && byEvent["i"] != byEvent["j"])
        let json = try DejaProcess.run(["issues", "--data-dir", dataDir, "--json", "--since", "2026-11-20T00:00:00Z", "--until", "2026-11-21T00:00:00Z", "--limit", "1"])
        #expect(json.out.split(separator: "\n").count == 1 && json.out.contains("\"state\":\"steady\""))
        // Search results name their issue.
        let search = try DejaProcess.run(["search", "--data-dir", dataDir, "-k", "2", "object reference not set to an instance of an object"])
        let groups = search.out.split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(groups.count == 2 && groups.allSatisfy { $0.hasSuffix(", issue I1)") }, "\(search.out)")
        let bad = try DejaProcess.run(["issues", "--data-dir", dataDir, "--state", "hot"])
        #expect(bad.status != 0 && bad.err.contains("--state must be one of new, rising, regressed, steady"))
        let none = try DejaProcess.run(["issues", "--data-dir", dataDir, "--state", "regressed"])
        #expect(none.status == 0 && none.out.isEmpty && none.err.hasPrefix("No regressed issues from "), "\(none.err)")
        let alerts = try DejaProcess.run(["alerts", "--data-dir", dataDir])
        #expect(alerts.status == 0 && alerts.out.isEmpty && alerts.err.contains("No alerts received for tenant default"))
    }

    @Test("two ingest processes and searches share one data directory: nothing lost, nothing corrupt")
    func processesShareADataDirectory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deja-procs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let dataDir = folder.appendingPathComponent("data").path
        let statements = ["payment %d declined by issuer", "cache miss for sku-%d", "worker %d restarted after OOM kill",
                          "GET /api/orders/%d 200", "lock wait timeout on table orders row %d"]
        func writeEvents(_ prefix: String, count: Int) throws -> URL {
            let file = folder.appendingPathComponent("\(prefix).jsonl")
            let lines = (0..<count).map { i in
                #"{"id": "\#(prefix)\#(i)", "service": "\#(prefix)", "body": "\#(String(format: statements[i % statements.count], i)) ref \#(prefix)\#(i)"}"#
            }
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            return file
        }
        let first = try writeEvents("alpha", count: 30_000)
        let second = try writeEvents("beta", count: 10_000)
        let writers = try [("alpha", first), ("beta", second)].map { name, file in
            try DejaProcess.start(["ingest", "--jsonl", "--data-dir", dataDir, file.path], log: folder.appendingPathComponent("\(name).log"))
        }
        // Readers while both write, once the first writer has made the store: every search answers.
        let database = URL(fileURLWithPath: dataDir).appendingPathComponent("deja.sqlite").path
        while !FileManager.default.fileExists(atPath: database) && writers.contains(where: \.isRunning) { Thread.sleep(forTimeInterval: 0.01) }
        var searches = 0
        while writers.contains(where: \.isRunning) && searches < 3 {
            let search = try DejaProcess.run(["search", "--data-dir", dataDir, "--json", "payment declined"])
            #expect(search.status == 0, "\(search.err)")
            searches += 1
        }
        for writer in writers { writer.waitUntilExit() }
        for (writer, (name, count)) in zip(writers, [("alpha", 30_000), ("beta", 10_000)]) {
            let log = try String(contentsOf: folder.appendingPathComponent("\(name).log"), encoding: .utf8)
            #expect(writer.terminationStatus == 0, "\(log)")
            #expect(log.contains("stored \(count) events"), "\(log)")
        }
        // Every event of both writers is there: the last ids of each are found by keyword.
        let queries = ["alpha29999", "alpha0", "beta9999", "beta5000"].map { #"{"qid": "\#($0)", "query": "\#($0)"}"# }
        let run = try DejaProcess.run(["search", "--data-dir", dataDir, "--batch", "/dev/stdin", "-k", "1"], input: queries.joined(separator: "\n") + "\n")
        #expect(run.status == 0, "\(run.err)")
        let found = run.out.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }.filter { $0.count == 3 && $0[0] == $0[1] }
        #expect(found.count == 4, "\(run.out)")
    }
}
