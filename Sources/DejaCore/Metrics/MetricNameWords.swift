/// The words of a metric name, with what its abbreviations and suffixes mean.
///
/// `node_filesystem_avail_bytes` → node, filesystem, avail (available), bytes;
/// `node_netstat_IpExt_OutOctets` → node, netstat (network statistics), ip, ext, out, octets (bytes).
/// The glossary follows general naming conventions, not any one question: Prometheus' naming best
/// practices (base units and suffixes), the field names of Linux `/proc` files (`meminfo`,
/// `vmstat`, `stat`, `diskstats`, `net/dev`, `net/snmp`, `net/netstat`) as the kernel documents
/// them, Go runtime and process metric families, and abbreviations common in exporters.
public enum MetricNameWords {
    /// The name split at `_`, `:`, `.`, `-` and lower-to-upper case changes, lowercased.
    public static func split(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previous: Character?
        func flush() {
            if !current.isEmpty { words.append(current.lowercased()) }
            current = ""
        }
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            if !(character.isLetter || character.isNumber) {
                flush()
                previous = nil
                continue
            }
            if let previous {
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let caseChange = previous.isLowercase && character.isUppercase
                // `HTTPServer` → http, server: an upper case letter before a lower one starts a word.
                let acronymEnd = previous.isUppercase && character.isUppercase && (next?.isLowercase ?? false)
                // Digits stay with their word: `load15`, `ipv6`, `rate5m`.
                if caseChange || acronymEnd { flush() }
            }
            current.append(character)
            previous = character
        }
        flush()
        return words
    }

    /// The name's words, each followed by what it stands for when the glossary knows it.
    public static func expanded(_ name: String) -> [String] {
        var out: [String] = []
        for word in split(name) {
            out.append(word)
            if let meaning = glossary[word] { out += meaning.split(separator: " ").map(String.init) }
        }
        return out
    }

    /// What a name's last word says about the metric (Prometheus suffix conventions).
    public static func suffixMeaning(_ name: String, type: String) -> String? {
        let words = split(name)
        guard let last = words.last else { return nil }
        switch last {
        case "total": return "counter: a running total, read as a rate per second"
        case "bucket": return "histogram buckets: a distribution, read as quantiles"
        case "count" where type == "histogram" || type == "summary": return "number of observations"
        case "sum" where type == "histogram" || type == "summary": return "sum of observations"
        case "info": return "information about the target, its value is always 1"
        case "created": return "time the series was created"
        default: return nil
        }
    }

    /// Abbreviations and terse field names → plain words.
    static let glossary: [String: String] = [
        // Units and suffixes (Prometheus naming best practices).
        "bytes": "size memory data amount", "seconds": "time duration", "ratio": "fraction percentage",
        "celsius": "temperature degrees", "hertz": "frequency", "volts": "voltage", "amperes": "current electricity",
        "joules": "energy", "watts": "power", "meters": "distance", "octets": "bytes", "total": "count number",
        "info": "information", "timestamp": "time", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds",
        "pct": "percent", "percent": "percentage",
        // Common exporter abbreviations.
        "avail": "available free", "fd": "file descriptor", "fds": "file descriptors open files", "cpu": "processor",
        "cpus": "processors", "mem": "memory", "memstats": "memory statistics", "rx": "receive received incoming",
        "tx": "transmit transmitted outgoing sent", "err": "error", "errs": "errors", "conn": "connection",
        "conns": "connections", "req": "request", "reqs": "requests", "resp": "response", "msg": "message",
        "msgs": "messages", "num": "number", "cnt": "count", "ops": "operations", "io": "input output disk",
        "net": "network", "dev": "device", "sd": "service discovery", "gc": "garbage collection", "tsdb": "time series database storage",
        "wal": "write ahead log", "nf": "netfilter", "conntrack": "connection tracking", "sched": "scheduler",
        "schedstat": "scheduler statistics", "irq": "interrupt", "intr": "interrupts", "softirq": "software interrupt",
        "softirqs": "software interrupts", "ctxt": "context switches", "ctx": "context", "vm": "virtual memory",
        "vmstat": "virtual memory statistics", "netstat": "network statistics", "sockstat": "socket statistics",
        "filefd": "file descriptors", "loadavg": "load average", "load1": "load average 1 minute",
        "load5": "load average 5 minutes", "load15": "load average 15 minutes", "uname": "system name kernel version",
        "hwmon": "hardware monitor sensors", "temp": "temperature", "freq": "frequency", "cpufreq": "processor frequency",
        "util": "utilization", "hugepages": "huge pages memory", "procs": "processes", "proc": "process",
        "pids": "processes", "pid": "process", "boot": "startup", "btime": "boot time", "uptime": "time running",
        "md": "software raid", "raid": "disk array", "edac": "memory error correction", "rapl": "power energy",
        "nvme": "solid state disk", "fs": "filesystem", "filesystem": "disk space mount", "files": "inodes file nodes", "diskstats": "disk statistics",
        "ipvs": "load balancer", "arp": "address resolution", "udp": "datagram", "tcp": "transmission connection",
        "icmp": "ping control messages", "ip": "internet protocol", "ip6": "ipv6", "ipext": "ip extended",
        "goroutines": "concurrent threads", "mspan": "memory spans", "mcache": "memory cache", "heap": "memory",
        "alloc": "allocated", "allocs": "allocations", "mallocs": "memory allocations", "frees": "memory frees",
        "inuse": "in use used", "sys": "system obtained from the operating system", "gomaxprocs": "processor threads limit",
        "http": "web", "api": "interface", "cfg": "configuration", "config": "configuration", "eval": "evaluation",
        "notif": "notification", "nflog": "notification log", "oom": "out of memory killed", "kill": "killed",
        "max": "maximum limit", "min": "minimum", "avg": "average", "lat": "latency", "dur": "duration",
        "retrans": "retransmitted", "segs": "segments", "estab": "established", "curr": "current",
        "drop": "dropped", "drops": "dropped", "colls": "collisions", "carrier": "link", "mtu": "maximum packet size",
        "rcvbuf": "receive buffer", "sndbuf": "send buffer", "noports": "no listener port",
        // /proc/meminfo fields.
        "memtotal": "total memory", "memfree": "free memory", "memavailable": "available memory",
        "buffers": "buffer cache", "cached": "page cache file cache", "swapcached": "swap cache",
        "swaptotal": "total swap", "swapfree": "free swap", "swap": "paging space", "dirty": "unwritten pages",
        "writeback": "pages being written", "anonpages": "anonymous memory", "anon": "anonymous", "mapped": "mapped files memory",
        "shmem": "shared memory", "slab": "kernel cache", "sreclaimable": "reclaimable kernel cache",
        "sunreclaim": "unreclaimable kernel cache", "kernelstack": "kernel stack", "pagetables": "page tables",
        "committed": "committed memory", "commitlimit": "commit limit", "vmalloc": "kernel virtual memory",
        "mlocked": "locked memory", "unevictable": "unevictable memory",
        // /proc/vmstat fields.
        "pgfault": "page faults", "pgmajfault": "major page faults", "pgpgin": "pages paged in read from disk",
        "pgpgout": "pages paged out written to disk", "pswpin": "pages swapped in", "pswpout": "pages swapped out",
        // /proc/diskstats and /proc/net/dev fields.
        "reads": "read operations", "writes": "write operations", "discards": "discard trim operations",
        "sectors": "disk blocks", "merged": "combined", "flush": "cache flush",
    ]
}
