/// The service a log file's events belong to when none is given, read from where the file lies:
/// a Kubernetes container log names its container; a file named for its stream rather than its
/// program (nginx's `error.log`, runit's `current`, PM2's `api-out.log`, `kubectl cluster-info
/// dump`'s `<pod>/logs.txt`) is named for its folder (a replica pod's its workload) or its prefix;
/// rotation's numbers and dates are left out (`app.log.1`, `app-2024-03-14.log`).
public enum LogFileService {
    /// The service of the file at `path`.
    public static func name(ofPath path: String) -> String {
        let parts = path.split(separator: "/").map(String.init)
        // A pipe by another name (`deja ingest <(kubectl logs -f pod)` reads /dev/fd/63) names nothing.
        guard let file = parts.last, !path.hasPrefix("/dev/"), !path.hasPrefix("/proc/") else { return "default" }
        // The kubelet's `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log`.
        if parts.count >= 3, parts[parts.count - 3].split(separator: "_").count == 3, isNumber(stem(file)) {
            return parts[parts.count - 2]
        }
        // Its links `/var/log/containers/<pod>_<namespace>_<container>-<64 hex id>.log`.
        let fields = stem(file).split(separator: "_")
        if fields.count == 3, let dash = fields[2].lastIndex(of: "-"), fields[2][fields[2].index(after: dash)...].count == 64 {
            return String(fields[2][..<dash])
        }
        var name = stem(file)
        for suffix in streamSuffixes where name.count > suffix.count && name.lowercased().hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        guard streamNames.contains(name.lowercased()) || isNumber(name) else { return name.isEmpty ? "default" : name }
        // The nearest folder that names a program: past `log` folders and stream-named ones (runit's
        // `queue/log/main/current`), not up to a system folder (`/var/log/error.log` stays `error`).
        for folder in parts.dropLast().reversed().map(stem) {
            let lower = folder.lowercased()
            if systemFolders.contains(lower) { break }
            if lower == "log" || lower == "logs" || streamNames.contains(lower) { continue }
            return PodName.workload(of: folder) ?? folder
        }
        return name
    }

    /// `file` without its extensions and what rotation appends: `app.log.1`, `app.log.2024-03-14`,
    /// `app-2024-03-14.log`, `app.log.20240314` are all `app`.
    static func stem(_ file: String) -> String {
        var name = Substring(file)
        while let dot = name.lastIndex(of: "."), dot > name.startIndex {
            let extensionText = name[name.index(after: dot)...]
            guard isNumber(extensionText) || isDate(extensionText) || textExtensions.contains(extensionText.lowercased()) else { break }
            name = name[..<dot]
        }
        // A date a rotation policy put after a dash or an underscore.
        if name.count > 11, case let tail = name.suffix(10), isDate(tail), ["-", "_", "."].contains(name.dropLast(10).last) {
            name = name.dropLast(11)
        }
        return String(name)
    }

    /// Extensions of text logs.
    private static let textExtensions: Set<String> = ["log", "txt", "out", "err", "json", "jsonl", "ndjson"]
    /// Names that say which stream of a program a file holds, not which program.
    private static let streamNames: Set<String> = ["error", "errors", "access", "out", "err", "stdout", "stderr", "current", "log", "logs",
                                                   "output", "console", "debug", "info", "warn", "trace", "server", "main"]
    /// Folders that hold programs' folders, and name none.
    private static let systemFolders: Set<String> = ["var", "tmp", "home", "root", "opt", "srv", "etc", "usr", "data", "mnt", "."]
    /// The same as a suffix of the program's name (PM2's `api-out.log`, `nginx_error.log`).
    private static let streamSuffixes = ["-out", "-err", "-error", "-access", "_out", "_err", "_error", "_access", ".error", ".access"]

    private static func isNumber(_ text: some StringProtocol) -> Bool { !text.isEmpty && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) }

    /// `2024-03-14` or `20240314`.
    private static func isDate(_ text: some StringProtocol) -> Bool {
        let digits = String(text.filter { $0 != "-" && $0 != "_" })
        return digits.count == 8 && isNumber(digits) && (text.count == 8 || text.count == 10) && digits.hasPrefix("20")
    }
}
