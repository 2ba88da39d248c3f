/// Reduces a multi-line stack trace to what identifies the failure: the exception lines (type and
/// message, chained causes included) and the top frames of each that are the application's own, not
/// the runtime's or a dependency's, without line numbers, addresses, argument values, file paths or
/// generated class ids. Java/Kotlin, .NET, Node.js, Python, Go, Ruby, PHP, Rust and Elixir traces.
public enum StackTraceReducer {
    /// Frames kept per exception: the application's own nearest the failure (the nearest of all
    /// when none is the application's).
    public static let framesPerException = 5

    /// The reduced trace, or nil when `text` has no stack frames.
    public static func reduce(_ text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmingSuffix(\.isWhitespace) }
        var blocks: [(message: [String], frames: [(name: String, isLibrary: Bool)], innermostLast: Bool)] = []
        var sawFrame = false
        var python = false
        // Node.js prints an error's own properties after its last frame, in braces (`{ errno: -111,
        // code: 'ECONNREFUSED', ... }`): values of this occurrence, skipped but for a `[cause]`.
        var propertyDepth = 0
        var index = 0
        func current() -> Int {
            if blocks.isEmpty { blocks.append(([], [], python)) }
            return blocks.count - 1
        }
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingPrefix(\.isWhitespace)
            index += 1
            if trimmed.hasPrefix("Traceback (most recent call last)") {
                python = true
                blocks.append(([], [], true))
                continue
            }
            if isConnective(trimmed) { continue }
            if propertyDepth > 0 && !trimmed.hasPrefix("at ") {
                if trimmed.hasPrefix("[cause]: ") {
                    blocks.append(([String(trimmed.dropFirst(9))], [], false))
                } else {
                    propertyDepth += trimmed.count(where: { $0 == "{" }) - trimmed.count(where: { $0 == "}" })
                }
                continue
            }
            var frameLine = trimmed
            if trimmed.hasPrefix("at "), trimmed.hasSuffix(" {") {
                frameLine = trimmed.dropLast(2)
                propertyDepth += 1
            }
            let next = index < lines.count ? lines[index] : nil
            if let frame = frame(frameLine, next: next) {
                sawFrame = true
                // By the line, its reduced name (a Rust frame's line starts with its number) or the
                // file line that follows it.
                let library = isLibraryFrame(frameLine) || isLibraryFrame(frame.name[...])
                    || frame.skipsNextLine && next.map { isLibraryFrame($0.trimmingPrefix(\.isWhitespace)) } == true
                blocks[current()].frames.append((frame.name, library))
                if frame.skipsNextLine { index += 1 }
                continue
            }
            if let panic = rustPanic(trimmed) {
                blocks[current()].message.append(panic)
                continue
            }
            // A message line. After frames, a non-Python message starts a new block (`Caused by:`).
            let block = current()
            if !blocks[block].frames.isEmpty && !blocks[block].innermostLast {
                blocks.append(([String(trimmed)], [], false))
            } else {
                blocks[block].message.append(String(trimmed))
            }
        }
        guard sawFrame else { return nil }
        var out: [String] = []
        for block in blocks {
            // Python prints the exception after its frames, innermost frame last.
            let nearestFirst = block.innermostLast ? Array(block.frames.reversed()) : block.frames
            let own = nearestFirst.filter { !$0.isLibrary }
            let frames = (own.isEmpty ? nearestFirst : own).prefix(framesPerException).map(\.name)
            out += block.message
            out += frames.map { "  at " + $0 }
        }
        return out.joined(separator: "\n")
    }

    /// Lines that join or decorate a trace and say nothing of the failure: Python's chaining
    /// sentences and 3.11+ carets, Go's goroutine header, Java's `... 4 more`, .NET's section
    /// ends, PHP's `Stack trace:` (Laravel's `[stacktrace]`) and `thrown in` lines, Rust's
    /// `stack backtrace:` and its notes.
    static func isConnective(_ line: Substring) -> Bool {
        connectivePrefixes.contains { line.hasPrefix($0) }
            || (!line.isEmpty && line.allSatisfy { $0 == "^" || $0 == "~" || $0 == " " })
    }

    static let connectivePrefixes = ["During handling of the above exception", "The above exception was the direct cause",
                                     "goroutine ", "...", "--- End of ", "Stack trace:", "[stacktrace]", "thrown in ",
                                     "stack backtrace:", "note: run with `RUST_BACKTRACE", "note: Some details are omitted"]

    /// True for a frame of the runtime's standard library or of an installed dependency (by its
    /// package prefix or install path): it says how the failure travelled, not where it started.
    static func isLibraryFrame(_ line: Substring) -> Bool {
        var name = line.hasPrefix("at ") ? line.dropFirst(3) : line
        if let slash = name.firstIndex(of: "/"), name[..<slash].allSatisfy({ $0.isLetter || $0 == "." }), name[..<slash].contains(".") {
            name = name[name.index(after: slash)...]  // `java.base/java.util...`
        }
        return libraryPrefixes.contains { name.hasPrefix($0) } || libraryPaths.contains { line.contains($0) } || rubyGemLocation(line) != nil
    }

    /// Namespaces of the JDK, .NET, Kotlin, Scala, Go's and Rust's standard libraries, the server
    /// frameworks and drivers every JVM trace passes through, and the OTP and Elixir applications
    /// (with Phoenix's, Plug's and Ecto's) an Elixir frame names in parentheses.
    static let libraryPrefixes = ["java.", "javax.", "jakarta.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "System.", "Microsoft.",
                                  "org.springframework.", "org.apache.", "org.hibernate.", "org.eclipse.", "org.glassfish.", "org.postgresql.",
                                  "com.mysql.", "com.zaxxer.", "com.fasterxml.", "io.netty.", "io.grpc.", "reactor.", "okhttp3.", "feign.",
                                  "runtime.", "net/http.", "net.", "internal/", "reflect.", "testing.", "node:", "process.", "processTicksAndRejections",
                                  "Array.", "Promise.", "new Promise", "<anonymous>",
                                  "std::", "core::", "alloc::", "<std::", "<core::", "<alloc::", "__rustc::", "rust_begin_unwind", "__rust_",
                                  "(elixir ", "(stdlib ", "(kernel ", "(logger ", "(erts ", "(mix ", "(phoenix ", "(plug ", "(plug_cowboy ",
                                  "(cowboy ", "(ranch ", "(bandit ", "(ecto ", "(ecto_sql ", "(postgrex ", "(db_connection ", "(telemetry "]
    /// Where runtimes and package managers install code: Node's, Python's, Ruby's, Go's, PHP's and
    /// Rust's (and PHP's `{main}`, the script itself).
    static let libraryPaths = ["node_modules/", "node:internal", "(internal/", "site-packages/", "dist-packages/", "/lib/python3", "<frozen ",
                               "/gems/", "/rubygems/", "/ruby/3.", "/ruby/2.", "/usr/local/go/src/", "/usr/lib/go", "/go/pkg/mod/", "/vendor/", "{main}",
                               "/rustc/", "/.cargo/registry/", "/cargo/registry/"]

    /// The frame on `line` reduced to its code location, and whether the next line belongs to it
    /// (Go's and Rust's file line, Python's source line).
    static func frame(_ line: Substring, next: Substring?) -> (name: String, skipsNextLine: Bool)? {
        if let name = rustFrame(line) {
            return (name, next.map { $0.trimmingPrefix(\.isWhitespace).hasPrefix("at ") } ?? false)
        }
        if line.hasPrefix("at ") {
            return (javaLikeFrame(line.dropFirst(3)), false)
        }
        if line.hasPrefix("from "), line.contains(".rb:") {
            return (rubyFrame(line.dropFirst(5)), false)
        }
        if let frame = phpFrame(line) { return (frame, false) }
        if let frame = elixirFrame(line) { return (frame, false) }
        if isRubyLocation(line) { return (rubyFrame(line), false) }
        if let location = rubyGemLocation(line) { return (rubyFrame(location), false) }
        if line.hasPrefix("File \""), let close = line.dropFirst(6).firstIndex(of: "\"") {
            let path = line[line.index(line.startIndex, offsetBy: 6)..<close]
            let function = line.range(of: ", in ").map { String(line[$0.upperBound...]) } ?? "?"
            let sourceFollows = next.map { $0.hasPrefix("    ") && !$0.trimmingPrefix(\.isWhitespace).hasPrefix("File \"") } ?? false
            return ("\(baseName(path)) in \(function)", sourceFollows)
        }
        // Go: `pkg.Func(0xc000010000, 0x1)` then `\t/path/file.go:42 +0x1d`; the stacks zap and
        // pkg/errors print name the function alone (`github.com/acme/store.(*DB).Get`), and a
        // goroutine's stack ends with the function that started it (`created by pkg.F in goroutine 1`).
        if let next, next.hasPrefix("\t"), next.contains(".go:") {
            if line.hasPrefix("created by ") {
                let name = line.dropFirst(11)
                return (String(name.range(of: " in goroutine ").map { name[..<$0.lowerBound] } ?? name), true)
            }
            if line.hasSuffix(")"), let paren = line.lastIndex(of: "(") {
                return (String(line[..<paren]), true)
            }
            if !line.contains(" "), line.contains(".") { return (String(line), true) }
        }
        return nil
    }

    private static func javaLikeFrame(_ text: Substring) -> String {
        var s = String(text)
        if let inFile = s.range(of: " in ") { s = String(s[..<inFile.lowerBound]) }  // .NET: `in /path/File.cs:line 42`
        if let open = s.firstIndex(of: "("), s.hasSuffix(")") {
            let inside = s[s.index(after: open)..<s.index(before: s.endIndex)]
            let head = String(s[..<open]).trimmingSuffix(\.isWhitespace)
            if inside.contains(".java:") || inside.contains(".kt:") || inside.contains(".scala:") || inside == "<generated>"
                || inside == "Native Method" || inside == "Unknown Source" || inside.contains(".js:") || inside.contains(".ts:")
                || inside.hasPrefix("node:") {
                s = String(head)  // Java/Kotlin `(File.java:12)`, Node `(/path/file.js:10:5)`, `(node:net:1555:16)`
            } else if !inside.contains(":") {
                s = head + "(" + inside + ")"  // .NET parameter list
            }
        } else if s.contains(".js:") || s.contains(".ts:") {
            s = baseName(Substring(s.split(separator: ":").first ?? Substring(s)))  // Node `at /path/file.js:10:5`
        }
        if let slash = s.firstIndex(of: "/"), s[..<slash].allSatisfy({ $0.isLetter || $0 == "." }) { s = String(s[s.index(after: slash)...]) }  // java.base/
        return maskGenerated(s)
    }

    private static func rubyFrame(_ text: Substring) -> String {
        let parts = text.split(separator: ":")
        // Ruby 3.4 quotes the method as 'name', earlier versions as `name'.
        guard let method = (text.range(of: "in `") ?? text.range(of: "in '")).map({ String(text[$0.upperBound...].dropLast()) }) else {
            return baseName(parts.first ?? text)  // a Rails view's `app/views/orders/_row.html.erb:7`
        }
        return "\(baseName(parts.first ?? text)) in \(method)"
    }

    /// A Ruby frame printed alone, as Rails logs them: `app/models/user.rb:10:in `save'`.
    private static func isRubyLocation(_ line: Substring) -> Bool {
        guard !line.contains(" ") || line.contains(":in "),
              let extensionEnd = [".rb:", ".erb:", ".rake:", ".haml:", ".slim:"].lazy.compactMap({ line.range(of: $0) }).first
        else { return false }
        return line[extensionEnd.upperBound...].prefix(while: { $0 != ":" }).allSatisfy(\.isNumber)
            && line[..<extensionEnd.lowerBound].allSatisfy { !$0.isWhitespace }
    }

    /// A gem's frame as Rails prints its framework trace, `actionpack (7.1.3) lib/x.rb:6:in `m'`: the location.
    private static func rubyGemLocation(_ line: Substring) -> Substring? {
        guard let open = line.range(of: " ("), !line[..<open.lowerBound].contains(" "),
              let close = line[open.upperBound...].range(of: ") "), line[open.upperBound...].first?.isNumber == true
        else { return nil }
        let location = line[close.upperBound...]
        return isRubyLocation(location) ? location : nil
    }

    /// Rust's `12: myapp::handler::load_user` (`RUST_BACKTRACE=full`: `12: 0x55d1c2a3b4c5 -
    /// myapp::handler::load_user::h1a2b3c4d5e6f7a8b`): the function without its address and hash.
    /// The name must be a path (`::`) or one of the runtime's own, so a numbered list is no trace,
    /// and without spaces but in a `<T as Trait>` path, so anyhow's numbered causes
    /// (`0: hyper::Error(Connect, ...)`) stay messages.
    private static func rustFrame(_ line: Substring) -> String? {
        guard let colon = line.firstIndex(of: ":"), colon > line.startIndex, line.distance(from: line.startIndex, to: colon) <= 4,
              line[..<colon].allSatisfy(\.isNumber), line[colon...].hasPrefix(": ")
        else { return nil }
        var name = line[line.index(colon, offsetBy: 2)...].trimmingPrefix(\.isWhitespace)
        if name.hasPrefix("0x"), let dash = name.range(of: " - ") { name = name[dash.upperBound...] }
        guard name.contains("::") || name == "main" || name == "_start"
                || ["rust_begin_unwind", "__rust_", "__libc_start"].contains(where: { name.hasPrefix($0) }),
              !name.contains(" ") || name.hasPrefix("<")
        else { return nil }
        if let hash = name.range(of: "::h", options: .backwards), name[hash.upperBound...].count == 16,
           name[hash.upperBound...].allSatisfy(\.isHexDigit) {
            name = name[..<hash.lowerBound]
        }
        return String(name)
    }

    /// Elixir's `(shop 0.1.0) lib/shop/cart.ex:12: Shop.Cart.total/1`: the function with its arity.
    /// The line in `isLibraryFrame` is the whole frame, so the application's name decides.
    private static func elixirFrame(_ line: Substring) -> String? {
        guard line.hasPrefix("("), let close = line.range(of: ") "), !line[line.index(after: line.startIndex)..<close.lowerBound].contains("("),
              let location = line[close.upperBound...].range(of: ": "),
              line[close.upperBound..<location.lowerBound].contains(".ex") || line[close.upperBound..<location.lowerBound].contains(".erl")
        else { return nil }
        let function = line[location.upperBound...]
        return function.contains("/") ? String(function) : nil
    }

    /// Rust's panic line without the thread's name and id and the code location, which vary from
    /// one occurrence to the next: `thread 'tokio-runtime-worker' (7) panicked at src/a.rs:4:5:`
    /// gives `panicked:`, and the older `thread 'main' panicked at 'message', src/a.rs:4:5`
    /// gives `panicked: message`.
    static func rustPanic(_ line: Substring) -> String? {
        guard line.hasPrefix("thread '"), let at = line.range(of: " panicked at ") else { return nil }
        let rest = line[at.upperBound...]
        guard rest.hasPrefix("'"), let close = rest.range(of: "', ", options: .backwards) else { return "panicked:" }
        return "panicked: " + rest[rest.index(after: rest.startIndex)..<close.lowerBound]
    }

    /// PHP's `#3 /var/www/src/Repo.php(42): App\Repo->find('7')` or `#4 {main}`: the call without
    /// its arguments (`{main}` for the script itself).
    static func phpFrame(_ line: Substring) -> String? {
        guard line.hasPrefix("#"), let space = line.firstIndex(of: " "),
              line[line.index(after: line.startIndex)..<space].allSatisfy(\.isNumber), space > line.index(after: line.startIndex)
        else { return nil }
        let rest = line[line.index(after: space)...]
        if rest == "{main}" { return "{main}" }
        guard let colon = rest.range(of: "): ") ?? rest.range(of: "]: ") else { return nil }
        let call = rest[colon.upperBound...]
        return String(call[..<(call.firstIndex(of: "(") ?? call.endIndex)])
    }

    private static func baseName(_ path: Substring) -> String {
        String(path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? path)
    }

    /// `$$FastClassBySpringCGLIB$$4f1c2a`, `$Proxy123`, `$$Lambda$123/0x0000…`, `lambda$run$0`: numbered parts masked.
    private static func maskGenerated(_ frame: String) -> String {
        var out = ""
        var token = ""
        func flush() {
            if token.contains(where: \.isNumber), token.count >= 1, !token.allSatisfy(\.isLetter) {
                out += token.allSatisfy({ $0.isNumber }) ? "<num>" : (token.allSatisfy { $0.isHexDigit } || token.hasPrefix("0x") ? "<hex>" : token)
            } else {
                out += token
            }
            token = ""
        }
        for c in frame {
            if c == "$" || c == "/" || c == "." {
                flush()
                out.append(c)
            } else {
                token.append(c)
            }
        }
        flush()
        return out
    }
}

private extension Substring {
    func trimmingPrefix(_ predicate: (Character) -> Bool) -> Substring { drop(while: predicate) }
}

private extension StringProtocol {
    func trimmingSuffix(_ predicate: (Character) -> Bool) -> Substring {
        var s = self[...]
        while let last = s.last, predicate(last) { s = s.dropLast() }
        return Substring(s)
    }
}
