#!/usr/bin/env python3
"""Generates Deja's failure taxonomy (Sources/DejaCore/Concepts/FailureTaxonomy+Table.swift) from
sources that enumerate a field completely, each entry naming its source:

  errno names and strerror texts (glibc, through CPython; musl's, the BSDs' and macOS's for the
  same errno), CPython's OSError subclasses by errno, libcurl's error codes and texts, HAProxy's
  health-check statuses, nginx's errors by the HTTP status it answers each with, the MySQL
  protocol's client errors (MariaDB Connector/C's texts, PyMySQL's and PHP mysqlnd's wording),
  signal names and texts, HTTP status codes (CPython's http.HTTPStatus), gRPC status codes
  (google/rpc/code.proto, with their HTTP mapping), PostgreSQL SQLSTATE conditions (errcodes.txt of
  Debian's postgresql package) and the server messages raised with each (its source package),
  database servers' slow-query logs (PostgreSQL's statement durations, MariaDB's slow log),
  MariaDB/MySQL server errors (mysqld_error.h and `perror`, with the SQLSTATE each is raised with
  from errmsg-utf8.txt of Debian's mariadb source package), OpenSSL's TLS reasons and
  certificate verification errors, TLS alerts (IANA's names as Python's ssl module has them,
  Go's texts from crypto/tls), Kafka's protocol error codes, AMQP 0-9-1's reply codes, mail
  delivery's enhanced status codes (RFC 3463, as Sisimai classifies them), DNS response codes,
  AWS's error codes (botocore's service models), Redis's error replies (its source, as redis-py
  names them), systemd's exit codes and service results (its systemd.exec(5) manual), token
  authentication's failures (the JWT libraries golang-jwt, PyJWT and ruby-jwt; OAuth 2.0's error
  codes as oauthlib has them),
  Kubernetes event and container-state reasons (sources/kubernetes-reasons.tsv), the exception
  hierarchies of the JDK, .NET (Mono's class library), Python, Ruby, Node.js (its ERR_* codes and
  its resolver's codes with c-ares's texts) and Go (the standard library's error values),
  garbage collection as the JVM (each collector), V8, Go, Mono and CPython log it,
  and, for the runtime faults every language has (null reference, index out of range, division by
  zero, permission denied, out of memory, an untrusted certificate, a peer that hangs up, ...),
  what each runtime actually raises: probes/ runs the same faults in CPython, Node.js, the JVM,
  Mono, Ruby, PHP, Go, Rust, C++ (libstdc++), Swift, Perl, Lua and Elixir (as `nobody` when run as
  root, against local servers this script starts) and records the type and message.

An entry is a pattern (lower-case words; ` * ` is a gap of up to 24 words) and the plain-English
labels it stands for. Labels are what the embedding sees in front of a message: the same condition
worded by different ecosystems gets the same words.

Needs (Debian): python3, openjdk-17-jdk-headless, nodejs, ruby, php-cli, golang-go, mono-mcs,
mono-runtime, rustc, g++, perl, lua5.4, elixir, postgresql-15, libmariadb-dev, mariadb-server,
openssl, libhikaricp-java, libxerial-sqlite-jdbc-java, ruby-activerecord, ruby-sqlite3,
python3-sqlalchemy, libsisimai-perl, systemd (its manual), golang-github-golang-jwt-jwt-dev,
python3-jwt, ruby-jwt, python3-oauthlib, librdkafka1, musl-tools, libcurl4-openssl-dev, a deb-src
line (for `apt-get source` of postgresql-15, mariadb, redis, haproxy, nginx and php8.2); the Swift
toolchain that builds Deja; (PyPI) googleapis-common-protos, kafka-python, pika, dnspython,
botocore, redis, PyMySQL.

    python3 scripts/taxonomy/generate.py [--check]
"""
import argparse, collections, contextlib, errno, functools, glob, gzip, http, inspect, json, os, re, signal, socket, ssl, struct, subprocess, sys, tempfile, threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUTPUT = os.path.join(ROOT, "Sources", "DejaCore", "Concepts", "FailureTaxonomy+Table.swift")

# The runtime faults the probes trigger, with the words that name each one plainly.
FAULTS = {
    "null_reference": "null reference",
    "index_out_of_range": "index out of range",
    "missing_key": "missing key",
    "division_by_zero": "division by zero",
    "number_parse": "invalid number format",
    "date_parse": "invalid date format",
    "type_cast": "type mismatch",
    "stack_overflow": "stack overflow",
    "file_not_found": "no such file or directory",
    "connection_refused": "connection refused",
    "dns_failure": "host name not resolved",
    "json_parse": "malformed json",
    "module_missing": "module not found",
    "permission_denied": "permission denied",
    "out_of_memory": "out of memory",
    "certificate_untrusted": "certificate verification failed",
    "encoding_invalid": "invalid character encoding",
    "concurrent_modification": "concurrent modification",
    "numeric_overflow": "numeric value out of range",
    "xml_parse": "malformed xml",
    "operation_canceled": "operation canceled",
    "connection_reset": "connection reset by peer",
    "connection_closed": "connection closed by peer",
    "connection_pool_exhausted": "connection pool exhausted",
    "request_timeout": "request timed out",
}


# Words a type's name and a fault's may share without the type naming the fault: `connection`
# is in every network fault's name and in JDBC's SQLTransientConnectionException, which is no pool's.
STOP_WORDS = {"a", "an", "by", "no", "not", "of", "or", "such", "the", "to", "invalid", "connection"}


def words(text):
    """Lower-case runs of ASCII letters, digits and `_` (and any non-ASCII), as the Swift side
    splits: `DEADLINE_EXCEEDED` is one word, an identifier, not the prose `deadline exceeded`."""
    return re.findall(r"[a-z0-9_\u0080-\U0010ffff]+", text.lower())


def prose(text):
    """Plain lower-case words: what a label is made of."""
    return " ".join(re.findall(r"[a-z0-9\u0080-\U0010ffff]+", text.lower()))


def split_identifier(name):
    """`NullPointerException` → `null pointer exception`; `ER_DUP_ENTRY` → `er dup entry`."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return prose(spaced)


def humps(name):
    return len(split_identifier(name).split())


class Taxonomy:
    def __init__(self):
        self.entries = {}  # pattern -> (labels list, source)
        self.step = ""  # the source being read: add_errno, add_jdk, ...
        self.label_origins = {}  # label -> the steps whose entries carry it

    def add(self, pattern, labels, source, joins=True):
        """`pattern`: words, or segments joined by ' * '. Patterns of one ordinary word are left out:
        a single English word says too little; identifiers (`enoent`, `sigsegv`) pass as `identifier`.
        Without `joins`, a pattern another source already has is left as it is."""
        segments = [" ".join(words(s)) for s in pattern.split(" * ")]
        segments = [s for s in segments if s]
        if not segments:
            return
        pattern = " * ".join(segments)
        labels = [prose(l) for l in labels]
        labels = [l for i, l in enumerate(labels) if l and l not in labels[:i]]
        if not labels:
            return
        known = self.entries.get(pattern)
        if known and not joins:
            return
        for label in labels[:1] if known else labels:
            self.label_origins.setdefault(label, set()).add(self.step)
        if known:
            # Another source words the same thing: its own condition joins, not its class labels
            # (the X.509 error "out of memory" is no certificate failure).
            if labels[0] not in known[0]:
                known[0].append(labels[0])
            return
        self.entries[pattern] = (labels, source)

    def identifier(self, name, labels, source, opaque=False, joins=True):
        """An identifier from a source (`ENOENT`, `NullPointerException`, `DEADLINE_EXCEEDED`): its
        lower-case form, and for a CamelCase name of three or more words its spaced form, which is
        how people write it in prose. A name that is one English word (`Evicted`, `INTERNAL`) says
        too little alone and is left out, unless `opaque` (errno and signal names are codes)."""
        joined = "".join(words(name))
        if not joined:
            return
        one_word = humps(name) < 2 and not re.search(r"[0-9_]", name)
        if opaque or not one_word:
            self.add(joined, labels, source, joins)
        spaced = split_identifier(name)
        if "_" not in name and len(spaced.split()) >= 3:
            self.add(spaced, labels, source, joins)

    def phrase(self, text, labels, source, minimum_words=2, joins=True):
        if len(words(text.replace("*", " "))) >= minimum_words:
            self.add(text, labels, source, joins)


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]


# ---------------------------------------------------------------------------------------------
# Systems: errno, signals, HTTP, gRPC, SQLSTATE, MariaDB, OpenSSL, Kubernetes

def add_errno(t):
    for number, name in sorted(errno.errorcode.items()):
        text = os.strerror(number)
        if text.startswith("Unknown error"):
            continue
        label = text.lower()
        t.identifier(name, [label], f"glibc errno {name}", opaque=True)
        t.phrase(text, [label], f"glibc strerror({name})")
        t.add(f"errno {number}", [label], f"glibc errno {name}")
        # CPython raises a subclass of OSError for some errnos (FileNotFoundError for ENOENT).
        subclass = type(OSError(number, text)).__name__
        if subclass != "OSError":
            t.identifier(subclass, [label, split_identifier(subclass)], f"CPython OSError subclass for {name}")
    # getaddrinfo's errors (EAI_*), which Python, Ruby and Go report for DNS failures.
    import ctypes
    for name in dir(socket):
        if name.startswith("EAI_"):
            t.identifier(name, ["host name not resolved"], f"getaddrinfo {name}", opaque=True)
    # Their texts (gai_strerror), for the codes that mean a name did not resolve: what a resolver
    # error prints (`Temporary failure in name resolution` when the DNS server does not answer).
    gai_strerror = ctypes.CDLL(None).gai_strerror
    gai_strerror.restype = ctypes.c_char_p
    for name in ("EAI_NONAME", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_ADDRFAMILY"):
        if hasattr(socket, name):
            text = gai_strerror(getattr(socket, name)).decode()
            t.phrase(text, [text.lower(), "host name not resolved"], f"glibc gai_strerror({name})")


def add_other_libcs(t):
    """The same errno worded by the C libraries other than glibc, labelled by glibc's text for
    that errno: musl's (Alpine, the base of many container images: `[Errno 110] Operation timed
    out` from Python there is glibc's `Connection timed out`), asked of a program built with
    Debian's musl-gcc, and the BSDs' and macOS's, as Go's syscall tables copy them from each
    system's headers (`Can't assign requested address`). A text of fewer than three words is any
    text's (musl's `Quota exceeded` is also an API's, `Connection aborted` Python requests'), one
    that is a predicate without its subject (`Not a tty`) says too little, and one that glibc gives
    another errno would mislead (the libcs number alike only on Linux; the BSDs by name): all left out."""
    glibc = {os.strerror(number).lower(): name for number, name in errno.errorcode.items()}
    def add(text, name, source):
        label = os.strerror(getattr(errno, name)).lower()
        if (len(words(text)) < 3 or text.lower() == label or text.lower() in glibc or words(text)[0] in ("not", name.lower())
                or text.startswith(("No error", "Unknown"))):
            return
        t.add(text, [label], f"{source} strerror({name})", joins=False)
    with tempfile.TemporaryDirectory() as work:
        program = os.path.join(work, "strerror")
        with open(program + ".c", "w") as c:
            c.write('#include <stdio.h>\n#include <string.h>\nint main(void) { for (int i = 1; i < 134; i++) printf("%d\\t%s\\n", i, strerror(i)); }\n')
        run(["musl-gcc", "-static", "-o", program, program + ".c"])
        for line in run([program]).splitlines():
            number, text = line.split("\t")
            if int(number) in errno.errorcode:
                add(text, errno.errorcode[int(number)], "musl")
    goroot = run(["go", "env", "GOROOT"]).strip()
    for system in ("darwin", "freebsd", "openbsd"):
        go = open(os.path.join(goroot, "src", "syscall", f"zerrors_{system}_amd64.go")).read()
        names = collections.defaultdict(list)
        for name, number in re.findall(r"\b(E[A-Z0-9]+)\s+= Errno\(0x([0-9a-f]+)\)", go):
            names[int(number, 16)].append(name)
        table = go.split("var errors = [...]string{", 1)[1].split("}", 1)[0]
        for number, text in re.findall(r"(\d+):\s+\"([^\"]+)\"", table):
            for name in names[int(number)]:
                if hasattr(errno, name):
                    add(text, name, {"darwin": "macOS", "freebsd": "FreeBSD", "openbsd": "OpenBSD"}[system])


def add_curl(t):
    """libcurl's error codes (`CURLcode` in Debian's curl/curl.h, each code's text from
    `curl_easy_strerror` of Debian's libcurl4) as curl and its bindings print them: the curl
    tool's `curl: (28) Operation timed out after ...` (that form from code 10 on), git's `RPC
    failed; curl 56 ...`, PHP's and Guzzle's `cURL error 7: ...`, the names
    (`CURLE_OPERATION_TIMEDOUT`) and the texts (`Timeout was reached`, pycurl's and R's), labelled
    by the text up to a parenthesis (`FTP: ` kept: an FTP transfer's `search failed` is no
    database's); the codes for a name that did not resolve also by getaddrinfo's failure."""
    import ctypes
    header = open("/usr/include/x86_64-linux-gnu/curl/curl.h").read()
    codes = re.findall(r"\n\s+(CURLE_[A-Z0-9_]+),\s+/\*\s*(\d+)", header.split("} CURLcode;", 1)[0])
    strerror = ctypes.CDLL("libcurl.so.4").curl_easy_strerror
    strerror.restype = ctypes.c_char_p
    for name, code in codes:
        text = strerror(int(code)).decode()
        if "OBSOLETE" in name or text == "Unknown error":
            continue
        label = prose(re.split(r"\s*\(|\.$", text)[0])
        labels = [label] + (["host name not resolved"] if name.startswith("CURLE_COULDNT_RESOLVE") else [])
        source = f"libcurl {name} ({code}: {text})"
        t.identifier(name, labels, source, opaque=True, joins=False)
        # `curl 7` is also the start of a User-Agent (`curl/7.88.1`): the tool's form only for the
        # codes no major version of curl has had.
        for form in ("curl error {code}", "curl errno {code}") + (("curl {code}",) if int(code) > 9 else ()):
            t.add(form.format(code=code), labels, source, joins=False)
        t.phrase(text, labels, source, minimum_words=3, joins=False)


def add_haproxy(t):
    """HAProxy's health checks (the `check_statuses` table of its source, Debian's haproxy source
    package) as its logs report a server going down: `Server be/app1 is DOWN, reason: Layer4
    timeout`, `Health check for server be/app1 failed, reason: Layer7 wrong status`; each failed
    status by its description after `reason`, the description alone where it names a layer (its
    own wording), and its code (`L4TOUT`), labelled by the description and "health check failed".
    And a backend left with no server (`backend.c`), which HAProxy answers with a 503."""
    source = debian_source("haproxy", "*/src/check.c")[0]
    for code, description in re.findall(r'\{\s*CHK_RES_FAILED,\s*"(\w+)",\s*"([^"]+)"\s*\}', open(source).read()):
        labels = [description.lower(), "health check failed"]
        origin = f"HAProxy check status {code} ({os.path.basename(source)})"
        t.add(f"reason {description}", labels, origin, joins=False)
        if re.search(r"\bLayer\d", description):
            t.add(description, labels, origin, joins=False)
        t.identifier(code, labels, origin, opaque=True, joins=False)
    backend = open(debian_source("haproxy", "*/src/backend.c")[0]).read()
    if "has no server available!" in backend:
        t.add("has no server available", ["no server available", "service unavailable"], "HAProxy backend.c (answered with 503)", joins=False)


def add_nginx(t):
    """nginx's errors (Debian's nginx source package: the HTTP core, its request handling and the
    upstream, proxy, FastCGI, uwsgi, SCGI and gRPC modules; those at `error`, the error log's
    default level, as a client's own mistakes are `info`), each labelled by the status nginx
    answers it with: the status constant the code after the `ngx_log_error` returns or finalizes
    with (`client intended to send too large body` → 413), and for an upstream that failed, what
    `ngx_http_upstream_next` makes of its failure type (a timeout 504, any other failure 502:
    `upstream prematurely closed connection`, `no live upstreams`; an invalid header, which the
    caller passes on as one, 502). A message with no status after it is left out, and so is 500,
    nginx's answer to its own failures (an allocation on the way), not to what a message says;
    values (`%V`, `%O`, quoted names) are gaps, as in PostgreSQL's messages."""
    statuses = {name: int(code) for name, code in re.findall(r"#define NGX_HTTP_(\w+)\s+(\d{3})\n",
                                                               open(debian_source("nginx", "*/src/http/ngx_http_request.h")[0]).read())}
    phrases = {s.value: s.phrase.lower() for s in http.HTTPStatus} | {499: "client closed request", 494: "request header fields too large"}
    files = debian_source("nginx", "*/src/http/ngx_http_*.c") + [path for module in ("proxy", "fastcgi", "uwsgi", "scgi", "grpc")
                                                                 for path in debian_source("nginx", f"*/src/http/modules/ngx_http_{module}_module.c")]
    raised = collections.defaultdict(list)
    for path in sorted(files):
        text = open(path, errors="replace").read()
        for offset, call in calls(text, "ngx_log_error("):
            # What its error log holds at its default level: the client's own mistakes are `info`.
            if not re.match(r"ngx_log_error\(NGX_LOG_ERR\b", call):
                continue
            message = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', call))
            # What the code does next, up to its first `return`, in the message's block or one
            # condition below it (FastCGI's stderr is a 502 only three conditions down).
            before = text[max(0, offset - 200):offset]
            after = re.match(r"(?s).*?\breturn\b[^;]*;", text[offset + len(call):offset + len(call) + 600])
            after = after.group(0) if after else ""
            def near(pattern):
                return next((m for m in re.finditer(pattern, after) if after[:m.start()].count("{") - after[:m.start()].count("}") <= 1), None)
            failure = re.search(r"ft_type == NGX_HTTP_UPSTREAM_FT_(\w+)\)\s*\{\s*$", before) or near(r"ngx_http_upstream_next\(r, u,\s*NGX_HTTP_UPSTREAM_FT_(\w+)\)")
            if failure:
                status = 504 if failure.group(1) == "TIMEOUT" else 502
            else:
                returned = near(r"(?:\breturn|finalize_request\([^;]*?)\s*\(?NGX_HTTP_(\w+)")
                # An upstream's invalid header goes to `ngx_http_upstream_next` by its caller.
                status = 502 if returned and returned.group(1) == "UPSTREAM_INVALID_HEADER" else statuses.get(returned.group(1)) if returned else None
            # 500 is nginx's answer to its own failures (an allocation), not to what a message says.
            if not status or status < 400 or status == 500 or status not in phrases:
                continue
            parts = re.sub(r'%[-*0-9.]*[a-zA-Z]+|\\"[^"\\]*\\"|\\"', " * ", message).split(" * ")
            pattern = message_pattern(parts, [part for part in parts if words(part)])
            if pattern:
                raised[pattern].append((status, [phrases[status]], f"nginx {os.path.basename(path)} (answered with {status})"))
    add_by_majority(t, raised)


def add_mysql_client(t):
    """The MySQL protocol's client errors (2000 on: the connection, not the server, failed), which
    the server's table above does not hold: their names and numbers from Debian's libmariadb-dev
    (`errmsg.h`), each labelled by MariaDB Connector/C's text (`ma_errmsg.c` of Debian's mariadb
    source package: `Server has gone away`, `Lost connection to server during query`), matched in
    that wording and in MySQL's as the clients that print it word it (PyMySQL's raises, PHP
    mysqlnd's `MySQL server has gone away`): `SQLSTATE[HY000] [2006] MySQL server has gone away`,
    `OperationalError: (2013, 'Lost connection to MySQL server during query')`, `ERROR 2003`."""
    names = {int(code): name for name, code in re.findall(r"#define (CR_\w+)\s+(\d+)", open("/usr/include/mariadb/errmsg.h").read())}
    table = open(debian_source("mariadb", "*/libmariadb/libmariadb/ma_errmsg.c")[0], errors="replace").read()
    table = table.split("const char *client_errors[]", 1)[1].split("};", 1)[0]
    texts = {int(code): text for code, text in re.findall(r'/\* (\d+) \*/\s*"((?:[^"\\]|\\.)*)"', table)}
    def masked(text):  # values: directives, quoted names (not the apostrophe of `Can't`), parentheses
        return re.sub(r"%[-.0-9]*l?[a-zA-Z]|(?<![A-Za-z])'[^']*'|\([^)]*\)", " * ", text)
    labels = {}
    for code, text in sorted(texts.items()):
        # 2000 is "Unknown error"; the table also holds the client's descriptions of a working
        # connection (`Localhost via UNIX socket`, `%s via TCP/IP`), which no failure prints.
        if code not in names or not text or code == 2000 or " via " in text:
            continue
        label = " ".join(words(masked(text).replace(" * ", " ")))
        if len(label.split()) < 2:
            continue
        labels[code] = [label]
        source = f"MySQL client error {code} {names[code]} (MariaDB Connector/C: {text})"
        t.identifier(names[code], labels[code], source, opaque=True, joins=False)
        t.add(f"error {code}", labels[code], source, joins=False)
        parts = masked(text).split(" * ")
        pattern = message_pattern(parts, [part for part in parts if words(part)])
        if pattern:
            t.add(pattern, labels[code], source, joins=False)
    # MySQL's wording of the same errors, as the clients that print it raise them.
    import pymysql.connections
    from pymysql.constants import CR
    raised = re.findall(r'OperationalError\(\s*CR\.(CR_\w+),\s*f?"((?:[^"\\]|\\.)*)"', inspect.getsource(pymysql.connections))
    php = open(debian_source("php8.2", "*/ext/mysqlnd/mysqlnd_connection.c")[0]).read()
    raised += [("CR_SERVER_GONE_ERROR", text) for text in re.findall(r'mysqlnd_server_gone = "([^"]+)"', php)]
    for name, text in raised:
        code = getattr(CR, name, None)
        if code in labels:
            parts = re.sub(r"\{[^}]*\}", " * ", masked(text)).split(" * ")
            pattern = message_pattern(parts, [part for part in parts if words(part)])
            if pattern:
                t.add(pattern, labels[code], f"MySQL client error {code} {name} (PyMySQL, PHP mysqlnd: {text})", joins=False)


def named_signals():
    """Each signal with a name and a text of its own (strsignal), the real-time ones left out."""
    for sig in signal.Signals:
        text = signal.strsignal(sig) or ""
        if text and not text.startswith("Unknown") and not sig.name.startswith("SIGRT"):
            yield sig, text


def add_signals(t):
    for sig, text in named_signals():
        label = text.lower()
        t.identifier(sig.name, [label], f"signal {sig.name}", opaque=True)
        t.phrase(text, [label], f"strsignal({sig.name})")
        for form in ("killed by signal {}", "terminated by signal {}", "signal {}"):
            t.add(form.format(sig.value), [label], f"signal {sig.name}")
        # A process killed by a signal exits with 128 + its number.
        for form in ("exit code {}", "exit status {}", "exitcode {}", "exited with code {}", "returned non zero exit status {}"):
            t.add(form.format(128 + sig.value), [label, "process killed by a signal"], f"signal {sig.name} as exit code")


def add_systemd(t):
    """How systemd reports a unit that failed (its systemd.exec(5) manual): the exit codes of the C
    library, the LSB and systemd itself (`status=203/EXEC`), a signal as it names one
    (`code=killed, status=9/KILL`), and a service's result (`Failed with result 'timeout'.`), each
    labelled by the manual's description up to its first clause."""
    manual = gzip.open("/usr/share/man/man5/systemd.exec.5.gz", "rt").read()
    def described(text):
        text = re.sub(r"\\f[BIR]|\\&|\\\(Aq|\\\*\(Aq", "", text).replace("\\-", "-")
        return prose(re.split(r"\s*[(;:]|\.(?:\s|$)|, see ", text)[0])
    source = "systemd.exec(5), Debian's systemd"
    for code, name, description in re.findall(r"T\{\n(\d+)\nT\}:T\{\n\\fBEXIT_(\w+)\\fR\nT\}:T\{\n(.*?)\nT\}", manual):
        if int(code) != 0:
            t.add(f"status {code} {name}", [described(description)], f"exit code {code} EXIT_{name} ({source})")
    results = manual.split(r"Defined \fI$SERVICE_RESULT\fR values", 1)[1].split(".TE", 1)[0]
    for result, description in re.findall(r'T\{\n"([a-z\\-]+)"\nT\}:T\{\n(.*?)\nT\}', results):
        result = result.replace("\\-", "-")
        if result != "success":
            t.add(f"failed with result {result}", [described(description)], f"service result {result} ({source})")
    for sig, text in named_signals():
        t.add(f"status {sig.value} {sig.name[3:]}", [text.lower(), "process killed by a signal"], f"signal {sig.name} as systemd reports it ({source})")


def add_http(t):
    for status in http.HTTPStatus:
        if status.value < 400:
            continue
        label = status.phrase.lower()
        source = f"HTTP {status.value} (RFC 9110, CPython http.HTTPStatus)"
        for form in ("{code} {phrase}", "http {code}", "status {code}", "status code {code}", "http status {code}", "response code {code}",
                     "returned {code}", "code {code}", "error {code}", "http error {code}"):
            t.add(form.format(code=status.value, phrase=status.phrase), [label], source)
        t.phrase(status.phrase, [label], source)
        t.identifier(status.name, [label], source)


def add_grpc(t):
    import google.rpc
    proto = open(os.path.join(google.rpc.__path__[0], "code.proto")).read()
    http_phrases = {s.value: s.phrase.lower() for s in http.HTTPStatus} | {499: "client closed request"}  # 499 is nginx's, named in code.proto
    for comment, name in re.findall(r"((?:\s*//[^\n]*\n)+)\s*([A-Z_]+) = \d+;", proto):
        if name == "OK":
            continue
        text = " ".join(line.strip().lstrip("/").strip() for line in comment.strip().splitlines())
        first_sentence = re.split(r"(?<=[a-z)])\.\s", text)[0].rstrip(".")
        mapping = re.search(r"HTTP Mapping: (\d+)", text)
        labels = [split_identifier(name), first_sentence.lower()] + ([http_phrases[int(mapping.group(1))]] if mapping else [])
        source = f"gRPC status {name} (google/rpc/code.proto)"
        camel = "".join(part.capitalize() for part in name.split("_"))
        t.identifier(name, labels, source)
        if humps(camel) >= 2:
            t.add(camel.lower(), labels, source)  # Go's and C#'s DeadlineExceeded
        # How the clients print it: Go `code = Unavailable`, Python `StatusCode.UNAVAILABLE`, Java `StatusRuntimeException: UNAVAILABLE`.
        for form in (f"code {camel}", f"statuscode {name}", f"statusruntimeexception {name}", f"statusexception {name}", f"grpc status {name}"):
            t.add(form, labels, source)


def add_kafka(t):
    """Kafka's protocol error codes (kafka-python's `kafka.errors`, after the protocol guide): the
    code's name, which every client prints (`UNKNOWN_TOPIC_OR_PARTITION`), the Java client's
    exception by its naming convention (`UnknownTopicOrPartitionException`; a derived name no client uses
    matches nothing), and the description's first sentence, as the protocol guide words it.
    kafka-python keeps a few names from before their renaming (NOT_LEADER_FOR_PARTITION, since
    Kafka 2.7 NOT_LEADER_OR_FOLLOWER)."""
    import kafka.errors as errors
    classes = {c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, errors.BrokerResponseError) and c.errno not in (None, -1, 0)}
    label_of = {}
    for error in sorted(classes, key=lambda c: (c.errno, c.message)):
        label = label_of.setdefault(error.errno, prose(error.message))
        source = f"Kafka error {error.errno} {error.message} (kafka-python kafka.errors)"
        t.identifier(error.message, [label], source)
        t.identifier("".join(part.capitalize() for part in error.message.split("_")) + "Exception", [label], source)
        sentence = re.split(r"(?<=[a-z)])\.\s", (error.description or "").strip())[0].rstrip(".")
        t.phrase(sentence, [label], source, minimum_words=5)
    # librdkafka (the C client under confluent-kafka's Python, Go and .NET clients, node-rdkafka and
    # rdkafka-ruby) words the same codes its own way: `Broker: Group rebalance in progress`,
    # `RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS`. Its table of every code, by number.
    for code, name, description in librdkafka_errors():
        if code in label_of:
            source = f"Kafka error {code} {name} (librdkafka rd_kafka_get_err_descs)"
            t.identifier(f"RD_KAFKA_RESP_ERR_{name}", [label_of[code]], source)
            t.phrase(description.removeprefix("Broker: "), [label_of[code]], source, minimum_words=3)


def librdkafka_errors():
    """(code, name, description) of each error librdkafka knows (Debian librdkafka1)."""
    import ctypes
    library = ctypes.CDLL("librdkafka.so.1")

    class Description(ctypes.Structure):
        _fields_ = [("code", ctypes.c_int), ("name", ctypes.c_char_p), ("desc", ctypes.c_char_p)]

    table, count = ctypes.POINTER(Description)(), ctypes.c_size_t()
    library.rd_kafka_get_err_descs(ctypes.byref(table), ctypes.byref(count))
    return [(table[i].code, table[i].name.decode(), (table[i].desc or b"").decode()) for i in range(count.value) if table[i].name]


def add_amqp(t):
    """AMQP 0-9-1's reply codes (pika's `spec`, generated from the protocol's definition), as
    RabbitMQ and its clients print them: `NOT_FOUND`, `ACCESS_REFUSED`, `(406) PRECONDITION_FAILED`."""
    import pika.spec as spec
    for name, code in sorted(vars(spec).items()):
        if not (name.isupper() and isinstance(code, int) and 300 <= code < 600):
            continue
        label = prose(name)
        source = f"AMQP 0-9-1 reply code {code} {name} (pika.spec)"
        t.identifier(name, [label], source)
        t.add(f"{code} {name.lower()}", [label], source)


def add_smtp(t):
    """Mail delivery's enhanced status codes (RFC 3463 and its successors) as Sisimai, a bounce
    classifier (Debian libsisimai-perl), lists them: each code's description, and the reason Sisimai
    classifies it as. A code alone (`5.1.1`) is also a version number, so it is matched where a mail
    server writes it: after its SMTP reply code (`550 5.1.1`, the replies RFC 3463 lists for it), as
    Postfix logs it (`dsn=5.1.1`) and in a delivery status notification (`Status: 5.1.1`)."""
    status = open("/usr/share/perl5/Sisimai/SMTP/Status.pm").read()
    replies = {}  # 'X.1.1' -> the reply codes listed for it
    subject = None
    for line in status.splitlines():
        listed = re.match(r"# (X\.\d+\.\d+)\s+(\d{3}|---|Any)\b", line)
        if listed:
            subject = listed.group(1)
            replies[subject] = [listed.group(2)] if listed.group(2).isdigit() else []
        elif subject and re.match(r"#\s{8}(\d{3})\s", line):
            replies[subject].append(line.split()[1])
        elif not line.startswith("#   "):
            subject = None
    for code, reason, description in re.findall(r"^\s+'([45]\.\d+\.\d+)'\s*=>\s*'(\w+)',\s*#\s*(.+)$", status, re.M):
        module = next(name[:-3] for name in os.listdir("/usr/share/perl5/Sisimai/Reason") if name[:-3].lower() == reason)
        reason_words = split_identifier(module)  # `UserUnknown`; one word (`Rejected`, `Blocked`) says too little
        labels = [prose(description)] + ([reason_words] if len(reason_words.split()) >= 2 else [])
        source = f"SMTP enhanced status {code} (RFC 3463; Sisimai::SMTP::Status, reason {reason})"
        general = "X" + code[1:]
        for reply in replies.get(general, []):
            if reply[0] == code[0]:
                t.add(f"{reply} {code}", labels, source)
        for form in ("dsn {code}", "status {code}"):
            t.add(form.format(code=code), labels, source)


def add_redis(t):
    """Redis's error replies (every `-CODE message` of the server's source, Debian's redis source
    package) that redis-py raises a class of its own for, labelled by that class's words (the
    message's pattern as PostgreSQL's, `message_pattern`):
    `command not allowed when used memory > 'maxmemory'` (OOM, OutOfMemoryError) is "out of memory",
    `You can't write against a read only replica` (READONLY) "read only"."""
    from redis._parsers.base import BaseParser
    classes = BaseParser.EXCEPTION_CLASSES
    for path in sorted(debian_source("redis", "*/src/*.c")):
        text = open(path, errors="replace").read()
        for code, message in sorted(set(re.findall(r'"-([A-Z]{3,}) ((?:[^"\\]|\\.)+)"', text))):
            message = message.replace("\\r\\n", "").strip()
            known = classes.get(code)
            known = known.get(message) if isinstance(known, dict) else known
            if not known:
                continue
            label = split_identifier(re.sub(r"Error$", "", known.__name__))
            sentence = re.split(r"(?<=[a-z)])\.\s", message)[0]
            parts = re.sub(r"%[-.0-9]*[a-zA-Z]+|'[^']*'", " * ", sentence).split(" * ")
            pattern = message_pattern(parts, [s for s in parts if words(s)])
            if pattern:
                t.add(pattern, [label], f"Redis {code} reply ({os.path.basename(path)}; redis-py {known.__name__})", joins=False)


def add_dns(t):
    """DNS response codes (dnspython's `dns.rcode`, after RFC 1035 and the IANA registry) as
    resolvers and DNS servers print them (`NXDOMAIN`, `SERVFAIL`, `rcode: REFUSED`), labelled by
    their description."""
    import dns.rcode
    comments = dict((name, text) for text, name in re.findall(r"#: ([^\n]+)\n\s+([A-Z]+) = \d+", inspect.getsource(dns.rcode)))
    for rcode in dns.rcode.Rcode:
        if rcode == dns.rcode.NOERROR or rcode.name not in comments:
            continue
        label = "dns " + prose(re.sub(r"\s*\(.*?\)", "", comments[rcode.name]))
        source = f"DNS RCODE {rcode.value} {rcode.name} (dnspython dns.rcode)"
        if rcode != dns.rcode.REFUSED:  # the one that is an English word alone: matched only in its forms below
            t.identifier(rcode.name, [label], source, opaque=True)
        for form in ("rcode {name}", "status {name}", "{name} response"):
            t.add(form.format(name=rcode.name), [label], source)
    # Node.js's resolver errors (`getaddrinfo ENOTFOUND db`, `querySrv ESERVFAIL ...`): the `dns`
    # module's codes, which are c-ares's in its order, with c-ares's texts. A lookup that produced
    # no address also names the condition; codes that are errno names keep errno's meaning.
    script = ("const {internalBinding} = require('internal/test/binding'); const c = internalBinding('cares_wrap');"
              "Object.values(require('dns')).filter(v => typeof v === 'string' && v.startsWith('E'))"
              ".forEach((code, i) => console.log(code + '\\t' + c.strerror(i + 1)));")
    unresolved = {"ENODATA", "ESERVFAIL", "ENOTFOUND", "EREFUSED", "ECONNREFUSED", "ETIMEOUT"}
    for line in run(["node", "--expose-internals", "--no-warnings", "-e", script]).splitlines():
        code, text = line.split("\t")
        if code in errno.errorcode.values() or code == "EOF":
            continue
        labels = [text.lower()] + (["host name not resolved"] if code in unresolved else [])
        t.identifier(code, labels, f"Node.js dns {code} (c-ares: {text})", opaque=True)


def add_aws(t):
    """The errors of every AWS service API (botocore's service models, the data every AWS SDK is
    generated from), and the codes botocore retries: each code as the SDKs print it
    (`ProvisionedThroughputExceededException`, and in boto3's `An error occurred (Throttling) when
    calling ...`), labelled by its own words, the HTTP status the APIs answer it with most (400,
    AWS's answer to any client error, says nothing), and for the codes botocore retries as
    throttling, HTTP 429's words. A code of one word with nothing more to say (`Validation`) is left
    out, and a code another source already names (`IllegalArgumentException`, the JDK's) is left to it."""
    import botocore, botocore.exceptions, botocore.retries.standard
    statuses = collections.defaultdict(collections.Counter)
    for path in glob.glob(os.path.join(os.path.dirname(botocore.__file__), "data", "*", "*", "service-2.json*")):
        with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as model:
            shapes = json.load(model)["shapes"]
        for name, shape in shapes.items():
            if shape.get("exception"):
                error = shape.get("error") or {}
                statuses[error.get("code", name)][error.get("httpStatusCode")] += 1
    throttled = set(botocore.retries.standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES)
    for code in throttled | set(botocore.retries.standard.TransientRetryableChecker._TRANSIENT_ERROR_CODES):
        statuses[code].update([])  # codes the SDK retries, some in no service model (`Throttling`, `SlowDown`)
    phrases = {s.value: s.phrase.lower() for s in http.HTTPStatus}
    # boto3's `An error occurred ({error_code}) when calling ...`, matched from the code on: entries
    # are found by their first word, and one shared first word would try them all at every `an`.
    after = " ".join(words(botocore.exceptions.ClientError.MSG_TEMPLATE.split("({error_code})")[1])[:2])
    for code in sorted(statuses):
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]+", code):
            continue
        status = max((s for s in statuses[code] if s), key=lambda s: (statuses[code][s], -s), default=None)
        labels = [split_identifier(re.sub(r"(Exception|Error|Fault)$", "", code) or code)]
        labels += [phrases[status]] if status in phrases and status >= 401 else []
        labels += [phrases[429]] if code in throttled else []
        if len(labels) == 1 and len(labels[0].split()) == 1:
            continue
        source = f"AWS error {code}" + (f" (HTTP {status})" if status else "") + " (botocore service models)"
        t.identifier(code, labels, source, joins=False)
        t.add(f"{code} {after}", labels, source, joins=False)


def sqlstates():
    """PostgreSQL's errcodes.txt: (code, its ERRCODE_ macro, condition, class in words) for every
    SQLSTATE but the success, warning and no-data classes."""
    section = ""
    for line in open(sorted(glob.glob("/usr/share/postgresql/*/errcodes.txt"))[-1]):
        if line.startswith("Section:"):
            section = re.sub(r"^Section: Class \w\w - ", "", line.strip()).lower()
            continue
        fields = line.split()
        if len(fields) >= 4 and re.fullmatch(r"[0-9A-Z]{5}", fields[0]) and fields[0][:2] not in ("00", "01", "02"):
            yield fields[0], fields[2], fields[3], section


def sqlstate_labels():
    """The words for each SQLSTATE (its condition, then its class) and for each class alone."""
    labels = {}
    for code, _, condition, section in sqlstates():
        labels[code] = list(dict.fromkeys([condition.replace("_", " "), section]))
        labels.setdefault(code[:2], [section])
    return labels


def add_sqlstate(t):
    for code, _, condition, section in sqlstates():
        labels = [condition.replace("_", " "), section]
        source = f"PostgreSQL SQLSTATE {code}"
        # In prose (`unique violation`, `deadlock detected`) the condition alone; its class only
        # where the text names SQLSTATE itself.
        if len(condition.split("_")) >= 2:
            t.add(condition.replace("_", " "), labels[:1], source)
            t.add(condition, labels, source)
        t.add(condition.replace("_", ""), labels, source)  # psycopg's class: UniqueViolation
        t.add(f"sqlstate {code}", labels, source)


def debian_source(package, member):
    """The files of Debian's source package `package` matching `member` (a tar wildcard), unpacked
    once under the temporary directory (needs a deb-src line). Its newest version apt can fetch:
    the security pocket's sources are often missing from the mirror."""
    work = os.path.join(tempfile.gettempdir(), f"deja-taxonomy-{package}")
    found = glob.glob(os.path.join(work, member))
    if found:
        return found
    os.makedirs(work, exist_ok=True)
    newest_first = functools.cmp_to_key(lambda a, b: -1 if subprocess.run(["dpkg", "--compare-versions", a, "gt", b]).returncode == 0 else 1)
    for version in sorted(set(re.findall(r"^Version: (\S+)", run(["apt-cache", "showsrc", package]), re.M)), key=newest_first):
        if subprocess.run(["apt-get", "source", "--download-only", f"{package}={version}"], cwd=work, capture_output=True).returncode == 0:
            break
    else:
        sys.exit(f"apt-get source {package} fetched nothing: add a deb-src line to /etc/apt/sources.list.d and run apt-get update")
    run(["tar", "xf", glob.glob(os.path.join(work, "*.orig.tar.*[!c]"))[0], "-C", work, "--wildcards", member])
    return glob.glob(os.path.join(work, member))


def postgresql_source():
    """PostgreSQL's server source, from Debian's source package of the server installed."""
    version = os.path.basename(os.path.dirname(sorted(glob.glob("/usr/share/postgresql/*/errcodes.txt"))[-1]))
    return debian_source(f"postgresql-{version}", "postgresql-*/src/backend")[0]


def calls(text, opening):
    """Each call `opening...)` in C source (its offset and text), parentheses balanced outside string literals."""
    for start in (m.start() for m in re.finditer(re.escape(opening), text)):
        depth, index, quoted = 0, start + len(opening) - 1, False
        while index < len(text):
            char = text[index]
            if quoted:
                if char == "\\":
                    index += 1
                elif char == '"':
                    quoted = False
            elif char == '"':
                quoted = True
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    yield start, text[start:index + 1]
                    break
            index += 1


def chosen_messages(call, before):
    """The messages and codes of an `ereport` whose message a variable holds, chosen earlier in its
    function (`before`: the source from the function's start): each `msg = gettext_noop("...")`,
    with the code the call's `errcode(variable)` is given in the same case (before its `break;`)
    or at its declaration. auth.c words `password authentication failed for user` so (28P01),
    aclchk.c `permission denied for table` (42501)."""
    message = re.search(r"errmsg\((\w+)\s*[,)]", call)
    code = re.search(r"errcode\((\w+)\)", call)
    if not message or not code:
        return
    assigned = rf"\b{code.group(1)}\s*=\s*(ERRCODE_\w+)"  # the code a variable is given
    fixed = code.group(1).startswith("ERRCODE_")
    declared = None if fixed else re.search(assigned, before)
    default = code.group(1) if fixed else declared and declared.group(1)
    for chosen in re.finditer(rf"\b{message.group(1)}\s*=\s*gettext_noop\(\"((?:[^\"\\]|\\.)*)\"\)", before):
        override = None if fixed else re.search(assigned, before[chosen.end():].split("break;", 1)[0])
        yield chosen.group(1), override.group(1) if override else default


def message_pattern(parts, segments):
    """The pattern of a message split at its values (`parts`) from the parts kept (`segments`): its
    first three, or None when too few words say it. Three words, or four when the pattern does not
    begin with the message's first words: `%s %s does not exist` and `function %s does not exist`
    reduce to `does not exist`, which any system may say of anything."""
    needed = 3 if segments and words(parts[0]) and segments[0] == parts[0] else 4
    if sum(len(words(s)) for s in segments) < needed:
        return None
    return " * ".join(" ".join(words(s)) for s in segments[:3])


def add_by_majority(t, raised):
    """`raised`: a message's pattern (its values left out) -> (code, labels, source) for each place
    that raises it. A pattern is labelled by the code most of those places raise it with, and left
    out when no code has most: words several codes share name none of them."""
    for pattern, sites in raised.items():
        code, count = collections.Counter(site[0] for site in sites).most_common(1)[0]
        if 2 * count > len(sites):
            _, labels, source = next(site for site in sites if site[0] == code)
            t.add(pattern, labels, source)


def add_postgresql_messages(t):
    """The server's messages with the SQLSTATE each is raised with: every `ereport(...,
    errcode(ERRCODE_X), errmsg("..."))` of its source, and the messages a variable holds
    (`chosen_messages`). `sorry, too many clients already` and `remaining connection slots are
    reserved` are both too_many_connections. A message raised with several codes is labelled by the
    code most of its calls raise it with, and left out when none has most: `%s "%s" does not exist`
    is raised as eight conditions (undefined object, function, column, table, ...), so its words
    name none of them. Of the internal-error class, `internal_error` (XX000, what `elog` raises
    for any "cannot happen") names nothing; `data_corrupted` and `index_corrupted` do."""
    conditions = {macro: (code, [condition.replace("_", " "), section]) for code, macro, condition, section in sqlstates() if code != "XX000"}
    backend = postgresql_source()
    root = os.path.dirname(os.path.dirname(backend))
    raised = {}  # pattern -> [(sqlstate, labels, source)] for each call that raises it
    for source in sorted(glob.glob(os.path.join(backend, "**", "*.c"), recursive=True)):
        text = open(source, errors="replace").read()
        for start, call in calls(text, "ereport("):
            code = re.search(r"errcode\((ERRCODE_\w+)\)", call)
            message = re.search(r"errmsg\(((?:\s*\"(?:[^\"\\]|\\.)*\")+)", call)
            if message:
                found = [("".join(re.findall(r"\"((?:[^\"\\]|\\.)*)\"", message.group(1))), code and code.group(1))]
            else:
                found = chosen_messages(call, text[text.rfind("\n}", 0, start):start])
            for literal, macro in found:
                if macro not in conditions:
                    continue
                sqlstate, labels = conditions[macro]
                template = re.sub(r"\"%[^\"]*\"|%[-.0-9]*[a-zA-Z]+", " * ", literal.replace('\\"', '"'))
                parts = template.split(" * ")
                # A value's one-word neighbour (`for`, `in`) says little, but a message's first word is its subject (`relation`).
                segments = [s for i, s in enumerate(parts) if len(words(s)) >= 2 or (i == 0 and words(s))] or [s for s in parts if words(s)]
                pattern = message_pattern(parts, segments)
                if pattern:
                    site = (sqlstate, labels, f"PostgreSQL SQLSTATE {sqlstate} message ({os.path.relpath(source, root)})")
                    raised.setdefault(pattern, []).append(site)
    add_by_majority(t, raised)


def add_slow_queries(t):
    """Database servers' slow-query logs: PostgreSQL's statement durations
    (`log_min_duration_statement`, its source's `duration: %s ms  statement: %s` and the extended
    protocol's parse and bind) and MariaDB's slow query log header (`# Query_time: ...
    Lock_time: ...`). Logged at the routine level, they are how a slow query shows."""
    def pattern_of(literal):
        parts = re.sub(r"%[-.0-9]*[a-zA-Z]+", " * ", literal).split(" * ")
        return message_pattern(parts, [part for part in parts if words(part)])

    postgres = open(os.path.join(postgresql_source(), "tcop", "postgres.c")).read()
    for pattern in sorted({pattern_of(literal) for literal in re.findall(r'errmsg\("(duration: [^"]*)"', postgres)} - {None}):
        t.add(pattern, ["slow query"], "PostgreSQL log_min_duration_statement (src/backend/tcop/postgres.c)")
    log = open(debian_source("mariadb", "*/sql/log.cc")[0], encoding="utf-8", errors="replace").read()
    t.add(pattern_of(re.search(r'"(# Query_time: [^"]*)', log).group(1)), ["slow query"], "MariaDB slow query log (sql/log.cc)")


def add_mariadb(t):
    header = "/usr/include/mariadb/mysqld_error.h"
    if not os.path.exists(header):
        sys.exit(f"missing {header}: apt-get install libmariadb-dev")
    codes = [(int(n), name) for name, n in re.findall(r"#define (ER_\w+) (\d+)", open(header).read())]
    messages = {}
    numbers = [str(n) for n, _ in codes]
    for start in range(0, len(numbers), 200):
        out = subprocess.run(["perror", *numbers[start:start + 200]], capture_output=True, text=True).stdout
        for number, message in re.findall(r"MariaDB error code (\d+) \(\w+\): (.*)", out):
            messages[int(number)] = message
    if not messages:
        sys.exit("perror printed nothing: apt-get install mariadb-server")
    # The SQLSTATE each error is raised with (the server's errmsg-utf8.txt) names it as the SQL
    # standard does, as PostgreSQL's errcodes.txt names the same code or its class: MariaDB's
    # `Access denied for user` (28000) and PostgreSQL's `password authentication failed` (28P01)
    # are both an "invalid authorization specification".
    errmsg = open(debian_source("mariadb", "*/sql/share/errmsg-utf8.txt")[0], encoding="utf-8").read()
    sqlstates = dict(re.findall(r"^(ER_\w+) ([0-9A-Z]{5})\b", errmsg, re.M))
    standard = sqlstate_labels()
    raised = {}  # a message's pattern -> the errors whose message it is, by SQLSTATE
    for number, name in codes:
        message = messages.get(number, "")
        # A value is a format directive (MariaDB's own %`s quotes an identifier) or a quoted string.
        literal = re.sub(r"%`?[-.0-9]*[a-zA-Z]+|'[^']*'|\"[^\"]*\"", " * ", message)
        label = " ".join(words(re.sub(r"\s\*\s", " ", literal)))
        if not label:
            continue
        sqlstate = sqlstates.get(name, "")
        labels = [label, *standard.get(sqlstate, standard.get(sqlstate[:2], []))]
        source = f"MariaDB {number} {name}" + (f" (SQLSTATE {sqlstate})" if sqlstate else "")
        t.add(name.lower(), labels, source)
        t.add(f"error {number}", labels, source)
        parts = literal.split(" * ")
        pattern = message_pattern(parts, [s for s in parts if words(s)])
        if pattern:
            raised.setdefault(pattern, []).append((sqlstate or name, labels, source))
    add_by_majority(t, raised)


def add_openssl(t):
    import ctypes
    crypto = ctypes.CDLL("libcrypto.so.3")
    crypto.X509_verify_cert_error_string.restype = ctypes.c_char_p
    for number in range(1, 100):
        text = crypto.X509_verify_cert_error_string(number).decode()
        if text.startswith("unknown certificate verification error") or text.startswith("Unknown"):
            continue
        t.phrase(text, [text.lower(), "certificate verification failed"], f"OpenSSL X509_V_ERR {number}")
    codes = [f"{(20 << 23) | reason:08X}" for reason in range(1, 1500)]  # ERR_LIB_SSL
    out = run(["openssl", "errstr", *codes])
    for reason in re.findall(r"SSL routines::(.+)", out):
        if reason.startswith("reason("):
            continue
        # Two words (`http request`, `bad value`) are any text's: only after OpenSSL's own `SSL
        # routines` or Python's `[SSL: NAME]`, as every runtime built on it prints them.
        pattern = reason if len(words(reason)) >= 3 else f"ssl * {reason}"
        t.add(pattern, [reason.lower(), "tls handshake failed"], "OpenSSL SSL library reason")


def add_tls_alerts(t):
    """TLS alerts (the IANA registry's names, as Python's `ssl.AlertDescription` has them from
    OpenSSL) in the forms runtimes print: the JDK's `Received fatal alert: bad_certificate`, Go's
    `remote error: tls: bad certificate` (its own texts, crypto/tls/alert.go), and OpenSSL's
    `sslv3 alert bad certificate` reasons, which gain the alert's name as their condition."""
    goroot = run(["go", "env", "GOROOT"]).strip()
    source = open(os.path.join(goroot, "src", "crypto", "tls", "alert.go")).read()
    numbers = {name: int(number) for name, number in re.findall(r"\b(alert\w+)\s+alert\s*=\s*(\d+)", source)}
    go_texts = {numbers[name]: text for name, text in re.findall(r"(alert\w+):\s*\"([^\"]+)\"", source) if name in numbers}
    for alert in ssl.AlertDescription:
        name = alert.name.removeprefix("ALERT_DESCRIPTION_").lower()
        if name in ("close_notify", "user_cancelled", "no_renegotiation"):  # not failures
            continue
        labels = [f"tls alert {prose(name)}", "tls handshake failed"]
        origin = f"TLS alert {alert.value} {name} (IANA; Python ssl.AlertDescription)"
        t.add(f"received fatal alert {name}", labels, origin)
        if alert.value in go_texts:
            for side in ("remote", "local"):
                t.add(f"{side} error tls {go_texts[alert.value]}", labels, f"{origin}, Go crypto/tls")
        for version in ("sslv3", "tlsv1", "tlsv13"):
            if f"{version} alert {prose(name)}" in t.entries:
                t.add(f"{version} alert {prose(name)}", labels, origin)


# What a token's validation checks (RFC 7519's registered claims, the signature, its form), as
# golang-jwt's `ValidationError` flags name them, and the words a library's error names each by.
TOKEN_CHECKS = [  # (flag, label, words any of which names it), in the order they are tried
    ("ValidationErrorExpired", "token expired", {"expired", "expiration", "exp"}),
    ("ValidationErrorNotValidYet", "token not valid yet", {"immature", "nbf", "yet"}),
    ("ValidationErrorIssuedAt", "token used before issued", {"iat", "issued"}),
    ("ValidationErrorAudience", "invalid token audience", {"audience", "aud"}),
    ("ValidationErrorIssuer", "invalid token issuer", {"issuer", "iss"}),
    ("ValidationErrorSignatureInvalid", "invalid token signature", {"signature", "verification"}),
    ("ValidationErrorMalformed", "malformed token", {"malformed", "segments", "padding", "decode"}),
    ("ValidationErrorId", "invalid token id", {"jti"}),
    ("ValidationErrorUnverifiable", "unverifiable token", {"unverifiable"}),
    ("ValidationErrorClaimsInvalid", "invalid token claims", {"claim", "claims"}),
]


def token_check(*texts):
    """The label of the check the first of `texts` (an error's name, then its message) that names
    one names, or None."""
    for text in texts:
        found = set(split_identifier(text).split())
        label = next((label for _, label, names in TOKEN_CHECKS if found & names), None)
        if label:
            return label
    return None


def names_a_token_check(name):
    """Whether a class's name alone says it is a token's (`ExpiredSignatureError`), not only that
    something failed to decode or verify (`DecodeError`, `VerificationError`: protobuf and others
    have theirs): only those enter unqualified."""
    generic = {"decode", "verification", "malformed", "segments", "padding"}
    return bool(set(split_identifier(name).split()) & (set().union(*(names for _, _, names in TOKEN_CHECKS)) - generic))


def add_jwt(t):
    """JSON Web Tokens rejected, by the check that failed (the labels of TOKEN_CHECKS, after
    golang-jwt's flags, each with OAuth 2.0's "invalid token"), as the JWT libraries Debian packages
    raise them: golang-jwt's `Err*` texts; PyJWT's classes under `InvalidTokenError` and the
    messages it raises them with; ruby-jwt's classes and messages."""
    checks = {flag for flag, _, _ in TOKEN_CHECKS}
    golang = open("/usr/share/gocode/src/github.com/golang-jwt/jwt/errors.go").read()
    assert checks <= set(re.findall(r"\b(ValidationError\w+)\b", golang)), "golang-jwt's flags changed"
    for name, message in re.findall(r"\b(Err\w+)\s*=\s*errors\.New\(\"([^\"]+)\"\)", golang):
        label = token_check(name)
        if label:
            t.phrase(message, [label, "invalid token"], f"golang-jwt {name} (errors.go, Debian golang-github-golang-jwt-jwt-dev)")
    pyjwt = "/usr/lib/python3/dist-packages/jwt"
    hierarchy = dict(re.findall(r"^class (\w+)\((\w+)\)", open(os.path.join(pyjwt, "exceptions.py")).read(), re.M))
    def is_token_error(name):
        return name == "InvalidTokenError" or (name in hierarchy and is_token_error(hierarchy[name]))
    for name in hierarchy:
        label = token_check(name)
        if label and is_token_error(name):
            source = f"PyJWT {name} (jwt/exceptions.py, Debian python3-jwt)"
            t.add(f"jwt exceptions {name}", [label, "invalid token"], source)
            if names_a_token_check(name):
                t.identifier(name, [label, "invalid token"], source)
    for module in ("api_jwt.py", "api_jws.py"):
        for name, message in re.findall(r'raise (\w+)\(\s*f?"([^"]+)"', open(os.path.join(pyjwt, module)).read()):
            label = token_check(name, message)
            if label and is_token_error(name):
                t.phrase(re.sub(r"\{[^}]*\}", " * ", message), [label, "invalid token"], f"PyJWT {name} (jwt/{module}, Debian python3-jwt)")
    ruby = glob.glob("/usr/share/rubygems-integration/all/gems/jwt-*/lib/jwt")[0]
    ruby_hierarchy = dict(re.findall(r"class (\w+) < (\w+)", open(os.path.join(ruby, "error.rb")).read()))
    for name, parent in ruby_hierarchy.items():
        label = token_check(name)
        if label and parent in ("DecodeError", "IncorrectAlgorithm"):
            source = f"ruby-jwt JWT::{name} (jwt/error.rb, Debian ruby-jwt)"
            t.add(f"jwt {name}", [label, "invalid token"], source)
            if names_a_token_check(name):
                t.identifier(name, [label, "invalid token"], source)
    for name, message in re.findall(r"raise\(JWT::(\w+), ['\"]([^'\"]+)['\"]", open(os.path.join(ruby, "verify.rb")).read()):
        label = token_check(name, message)
        if label:
            t.phrase(re.sub(r"#\{[^}]*\}", " * ", message), [label, "invalid token"], f"ruby-jwt JWT::{name} (jwt/verify.rb, Debian ruby-jwt)")


def add_oauth(t):
    """OAuth 2.0's error codes (RFC 6749, 6750 and 8628) as python3-oauthlib's classes carry them,
    with the HTTP status a class sets itself; a token's own (`token_expired`) as a JWT's check."""
    sys.path.append("/usr/lib/python3/dist-packages")  # Debian's python3-oauthlib, beside this interpreter's packages
    from oauthlib.oauth2.rfc6749 import errors as oauth
    for name, cls in sorted(inspect.getmembers(oauth, inspect.isclass)):
        if not issubclass(cls, oauth.OAuth2Error) or not cls.error:
            continue
        check = token_check(cls.error) if "token" in cls.error else None
        # The HTTP status a class answers with where it sets its own (401 invalid_client, 403
        # insufficient_scope); others are sent back in a redirect, as OAuth2Error's 400 by default.
        status = [http.HTTPStatus(cls.status_code).phrase.lower()] if "status_code" in vars(cls) else []
        labels = [check, "invalid token"] if check else [prose(cls.error), *status]
        source = f"OAuth 2.0 error {cls.error} (oauthlib {name}, Debian python3-oauthlib)"
        t.identifier(cls.error, labels, source)
        t.identifier(name, labels, source)


def add_sqlite(t):
    """SQLite's result codes (CPython's sqlite3 constants) with their texts (sqlite3_errstr)."""
    import ctypes, sqlite3
    library = ctypes.CDLL("libsqlite3.so.0")
    library.sqlite3_errstr.restype = ctypes.c_char_p
    for name, code in vars(sqlite3).items():
        if not name.startswith("SQLITE_") or not isinstance(code, int) or name in ("SQLITE_OK", "SQLITE_ROW", "SQLITE_DONE"):
            continue
        if name.startswith(("SQLITE_CREATE", "SQLITE_DROP", "SQLITE_ALTER", "SQLITE_READ", "SQLITE_SELECT", "SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE", "SQLITE_PRAGMA", "SQLITE_TRANSACTION", "SQLITE_ATTACH", "SQLITE_DETACH", "SQLITE_REINDEX", "SQLITE_ANALYZE", "SQLITE_FUNCTION", "SQLITE_SAVEPOINT", "SQLITE_RECURSIVE", "SQLITE_DENY", "SQLITE_IGNORE", "SQLITE_LIMIT")):
            continue  # authorizer actions and limits share the prefix; result codes are what errors carry
        text = library.sqlite3_errstr(code).decode()
        parts = name.split("_")[1:]
        # An extended code prints its kind before the text: "UNIQUE constraint failed".
        label = prose(f"{parts[1]} {text}") if len(parts) == 2 else prose(text)
        t.add(name.lower(), [label, prose(text)], f"SQLite {name}")
        if len(parts) == 2:
            t.add(label, [label, prose(text)], f"SQLite {name}")


def add_kubernetes(t):
    for line in open(os.path.join(HERE, "sources", "kubernetes-reasons.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        reason, meaning, path, *message = line.rstrip("\n").split("\t")
        t.identifier(reason, [split_identifier(reason), meaning], f"Kubernetes reason {reason} ({path})")
        if message:  # the event message the reason comes with, its values left out
            t.add(message[0], [meaning, split_identifier(reason)], f"Kubernetes reason {reason} message ({path})")


# ---------------------------------------------------------------------------------------------
# Exception hierarchies

def add_exception_name(t, name, source, extra=()):
    simple = re.split(r"[.:+]+", name)[-1]
    if len(simple) < 4:
        return
    t.identifier(simple, [split_identifier(simple), *extra], source)


def add_jdk(t):
    listing = run(["jimage", "list", glob.glob("/usr/lib/jvm/java-17-openjdk-*/lib/modules")[0]])
    names = sorted({line.strip()[:-6].replace("/", ".") for line in listing.splitlines()
                    if re.match(r"\s*(java|javax)/.*(Exception|Error)\.class$", line) and "$" not in line})
    with tempfile.TemporaryDirectory() as work:
        listed = os.path.join(work, "names.txt")
        open(listed, "w").write("\n".join(names))
        program = os.path.join(work, "Throwables.java")
        open(program, "w").write("""
            import java.nio.file.*; import java.lang.reflect.Modifier;
            public class Throwables { public static void main(String[] a) throws Exception {
              for (String n : Files.readAllLines(Path.of(a[0]))) { try {
                Class<?> c = Class.forName(n, false, ClassLoader.getSystemClassLoader());
                if (Throwable.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())) System.out.println(n + " " + c.getSuperclass().getName());
              } catch (Throwable e) { } } } }""")
        out = run(["java", program, listed])
    for line in out.splitlines():
        name, parent = line.split()
        add_exception_name(t, name, f"JDK 17 {name}")


def add_dotnet(t):
    with tempfile.TemporaryDirectory() as work:
        exe = os.path.join(work, "Probe.exe")
        run(["mcs", "-out:" + exe, os.path.join(HERE, "probes", "Probe.cs")])
        hierarchy = json_lines(run(["mono", exe, "hierarchy"]))
    for entry in hierarchy:
        label = split_identifier(entry["type"].split(".")[-1])
        add_exception_name(t, entry["type"], f".NET {entry['type']} (Mono class library)")
        message = entry.get("message") or ""
        if message and not message.startswith("Exception of type") and message != "System error.":
            t.phrase(mask(message), [label], f".NET {entry['type']} default message", minimum_words=3)


def add_python(t):
    import asyncio, concurrent.futures, http.client, json as jsonmodule, socket, sqlite3, ssl as sslmodule, subprocess as sp, urllib.error, zipfile
    modules = [__import__("builtins"), asyncio, concurrent.futures, http.client, jsonmodule, socket, sqlite3, sslmodule, sp, urllib.error, zipfile]
    for module in modules:
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and not name.startswith("_"):
                doc = (value.__doc__ or "").strip().split("\n")[0].rstrip(".")
                # A docstring that describes the condition ("Mapping key not found"), not the class.
                extra = [doc] if 2 <= len(doc.split()) <= 8 and "class" not in doc.lower() else []
                add_exception_name(t, name, f"Python {module.__name__}.{name}", extra)


def add_ruby(t):
    script = ("require 'json'; require 'socket'; require 'net/http'; require 'openssl'; require 'date'; require 'timeout';"
              "ObjectSpace.each_object(Class).select { |c| c < Exception && c.name && !c.name.start_with?('Errno::') }"
              ".map(&:name).sort.each { |n| puts n }")
    for name in run(["ruby", "-e", script]).split():
        add_exception_name(t, name, f"Ruby {name}")


def add_node(t):
    script = ("const e = require('internal/errors'); for (const code of Object.keys(e.codes)) console.log(code);")
    for code in run(["node", "--expose-internals", "-e", script]).split():
        label = split_identifier(code[4:] if code.startswith("ERR_") else code)
        t.add(code.lower(), [label], f"Node.js {code}")
    for name in ("TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError"):
        add_exception_name(t, name, f"ECMAScript {name}")


def add_go(t):
    goroot = run(["go", "env", "GOROOT"]).strip()
    with tempfile.TemporaryDirectory() as work:
        out = run(["go", "run", os.path.join(HERE, "probes", "go_errors.go"), goroot], cwd=work)
    for entry in json_lines(out):
        message = entry["message"]
        label = split_identifier(entry["name"][3:] if entry["name"].startswith("Err") else entry["name"])
        t.phrase(message, [message.split(": ", 1)[-1].lower(), label], f"Go {entry['package']}.{entry['name']}", minimum_words=3)


GC_PAUSE, GC = "garbage collection pause", "garbage collection"


def add_gc(t):
    """Garbage collection as each runtime logs it when asked to (what services print with GC logs
    on): the JVM's pause events (every `Pause ...` name its libjvm.so holds: `Pause Young`, `Pause
    Full`, `Pause Remark`, ZGC's and Shenandoah's) and its collectors' names under each collector
    JDK 17 has (`G1 Old Generation`, `PS MarkSweep`), V8's `--trace-gc`, Go's `gctrace`, Mono's GC
    log and CPython's `gc.DEBUG_STATS`. A stop-the-world event is a pause; the rest is collection.
    The JVM's pause names are common words, so they match after the `gc` its lines carry. Names,
    not a run's events: which events a run prints depends on its timing."""
    probes = os.path.join(HERE, "probes")
    libjvm = glob.glob("/usr/lib/jvm/java-17-openjdk-*/lib/server/libjvm.so")[0]
    for pause in sorted(set(re.findall(r"^Pause [A-Z][A-Za-z ]*$", run(["strings", libjvm]), re.M))):
        t.add(f"gc * {pause}", [GC_PAUSE], "JDK 17 HotSpot GC pause names (libjvm.so)")
    for collector in ("Serial", "Parallel", "G1", "Z", "Shenandoah"):
        result = subprocess.run(["java", f"-XX:+Use{collector}GC", os.path.join(probes, "GcProbe.java")], capture_output=True, text=True)
        for name in result.stdout.split("\n") if result.returncode == 0 else []:  # else a collector this JDK build lacks
            source = f"JDK 17 GarbageCollectorMXBean ({collector})"
            if " " in name:
                t.phrase(name, [GC], source)  # `G1 Old Generation`
            elif name:
                t.identifier(name, [GC], source)  # `MarkSweepCompact`
    node = run(["node", "--version"]).strip()
    script = "let kept = []; for (let i = 0; i < 200000; i++) { kept.push({i, s: 'x'.repeat(50)}); if (kept.length > 50000) kept = []; } global.gc();"
    for name in sorted(set(re.findall(r"\d ms: ([A-Za-z][A-Za-z -]*?) [\d.]+ \(", run(["node", "--trace-gc", "--expose-gc", "-e", script])))):
        t.add(f"ms {name}", [GC_PAUSE], f"V8 --trace-gc (Node.js {node})")
    t.add("average mu * current mu", [GC_PAUSE], f"V8 --trace-gc (Node.js {node})")
    with tempfile.TemporaryDirectory() as work:
        trace = subprocess.run(["go", "run", os.path.join(probes, "gc_probe.go")], cwd=work, capture_output=True, text=True,
                               env=dict(os.environ, GODEBUG="gctrace=1")).stderr
        if "ms clock" in trace and "MB goal" in trace:
            t.add("ms clock * ms cpu * mb goal", [GC], "Go runtime GODEBUG=gctrace=1")
        run(["mcs", "-out:" + os.path.join(work, "gc.exe"), os.path.join(probes, "GcProbe.cs")])
        log = subprocess.run(["mono", os.path.join(work, "gc.exe")], capture_output=True, text=True,
                             env=dict(os.environ, MONO_LOG_LEVEL="debug", MONO_LOG_MASK="gc")).stdout
    stops_the_world = {}  # each event's name: whether its lines report a stop-the-world time
    for name, rest in re.findall(r"Mono: (GC_[A-Z_]+): (.*)", log):
        stops_the_world[name] = stops_the_world.get(name, False) or "stw" in rest
    for name, stops in sorted(stops_the_world.items()):
        t.identifier(name, [GC_PAUSE if stops else GC], "Mono MONO_LOG_MASK=gc")
    script = "import gc\ngc.set_debug(gc.DEBUG_STATS)\nkept = [[i] for i in range(100000)]\ngc.collect()"
    for phrase in sorted(set(re.findall(r"gc: ([a-z ]+?)(?: \d|,|\.\.\.|:)", subprocess.run([sys.executable, "-c", script], capture_output=True, text=True).stderr))):
        if len(phrase.split()) >= 2:
            t.add(f"gc * {phrase}", [GC], "CPython gc.DEBUG_STATS")


# ---------------------------------------------------------------------------------------------
# Runtime faults, as each runtime reports them

# Go's predeclared types (the universe scope of the language specification) but those that are
# also words of its messages (`runtime error`, `8192-byte block`, `any`).
GO_PREDECLARED_TYPES = ["bool", "complex64", "complex128", "float32", "float64", "int", "int8", "int16", "int32", "int64", "rune",
                        "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr"]


def mask(message, runtime=None):
    """A message with the probe's own values replaced by gaps: quoted text, numbers, paths, names
    (in Go's, its predeclared types: `interface {} is string, not int`)."""
    first = message.split("\n")[0]
    # Quoted text is the probe's value when it holds the probe's marker, a digit or code
    # punctuation; a quoted type name ('NoneType') is the runtime's own wording and stays.
    first = re.sub(r"`[^'`]*'|'[^']*'|\"[^\"]*\"", lambda m: " * " if re.search(r"zqx|[0-9%/.(<]", m.group(0)) else m.group(0), first)
    first = re.sub(r"<[^>]*>|\([^)]*zqx[^)]*\)", " * ", first)
    # A fully qualified name (`java.lang.String`) is the probe's type, not the runtime's words
    # (`strconv.Atoi` and `java.base` are).
    first = re.sub(r"\b[a-z]\w*(?:\.\w+){2,}\b", " * ", first)
    if runtime == "Go":
        first = re.sub(rf"\b({'|'.join(GO_PREDECLARED_TYPES)})\b", " * ", first)
    # A path is the probe's; `i/o` and `n/a` are words.
    first = re.sub(r"\S*[Zz]qx\S*|\S*/\S*|\b0x[0-9a-fA-F]+\b|\b\d[\d.,:]*(?:ms|s)?\b",
                   lambda m: m.group(0) if re.fullmatch(r"[A-Za-z]{1,3}/[A-Za-z]{1,3}[:;,.]?", m.group(0)) else " * ", first)
    first = re.sub(r"(\s*\*\s*)+", " * ", first)
    return first.strip(" *")


def serve(server, handle):
    """Calls `handle(connection)` for every connection `server` accepts, on a thread of its own."""
    def loop():
        while True:
            connection, _ = server.accept()
            connection.settimeout(5)
            with contextlib.suppress(OSError):
                handle(connection)
    threading.Thread(target=loop, daemon=True).start()
    return str(server.getsockname()[1])


def fault_servers(work):
    """The servers the network probes call, as environment variables with their ports."""
    held = []
    # Accepts and never answers: the timeout probes.
    silent = serve(socket.create_server(("127.0.0.1", 0)), held.append)

    # Reads the request, then resets the connection (an RST: SO_LINGER with no time) or closes it
    # (a FIN) without answering: the hang-up probes.
    def reset(connection):
        connection.recv(65536)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()

    def close(connection):
        connection.recv(65536)
        connection.close()

    # TLS for `localhost` with a certificate no one trusts (self-signed), as an internal service's
    # often is: the certificate probes. Both 127.0.0.1 and ::1, whichever `localhost` resolves to.
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-addext",
         "subjectAltName=DNS:localhost", "-days", "30", "-keyout", os.path.join(work, "key.pem"), "-out", os.path.join(work, "cert.pem")])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(work, "cert.pem"), os.path.join(work, "key.pem"))
    try:
        tls = socket.create_server(("::", 0), family=socket.AF_INET6, dualstack_ipv6=True)
    except OSError:
        tls = socket.create_server(("127.0.0.1", 0))

    def handshake(connection):
        try:
            context.wrap_socket(connection, server_side=True).close()
        except ssl.SSLError:
            connection.close()

    return {"ZQX_SILENT_PORT": silent, "ZQX_RESET_PORT": serve(socket.create_server(("127.0.0.1", 0)), reset),
            "ZQX_CLOSED_PORT": serve(socket.create_server(("127.0.0.1", 0)), close), "ZQX_TLS_PORT": serve(tls, handshake)}


# Runtimes that print an exception as `Type: message`, which a short message is matched with.
TYPED_MESSAGES = {"JDK 17", ".NET (Mono)", "CPython"}

# Libraries the probes use beyond each runtime's own: the most used connection pools.
JAVA_LIBRARIES = ["/usr/share/java/HikariCP.jar", "/usr/share/java/sqlite-jdbc.jar", "/usr/share/java/slf4j-api.jar"]
LIBRARY_CHECKS = {
    "libhikaricp-java, libxerial-sqlite-jdbc-java": ["test", "-f", JAVA_LIBRARIES[0], "-a", "-f", JAVA_LIBRARIES[1]],
    "python3-sqlalchemy": ["python3", "-c", "import sqlalchemy"],
    "ruby-activerecord, ruby-sqlite3": ["ruby", "-e", "require 'active_record'; require 'sqlite3'"],
}


def add_probes(t):
    outputs = {}
    # The last element of each Go standard library package's path: the word Go's error strings begin with.
    go_packages = {path.rsplit("/", 1)[-1] for path in run(["go", "list", "std"]).split() if "internal" not in path and "vendor" not in path}
    with tempfile.TemporaryDirectory() as work:
        environment = dict(os.environ, **fault_servers(work))
        probes = os.path.join(HERE, "probes")
        exe = os.path.join(work, "Probe.exe")
        run(["mcs", "-out:" + exe, os.path.join(probes, "Probe.cs")])
        # Compiled probes: Swift without optimization, whose optimized builds trap without a message.
        run(["rustc", "-O", "-o", os.path.join(work, "probe-rust"), os.path.join(probes, "probe.rs")])
        run(["g++", "-std=c++17", "-o", os.path.join(work, "probe-cpp"), os.path.join(probes, "probe.cpp")])
        run(["swiftc", "-Onone", "-o", os.path.join(work, "probe-swift"), os.path.join(probes, "probe.swift")])
        commands = {
            "CPython": ["python3", os.path.join(probes, "probe.py")],
            "Node.js": ["node", os.path.join(probes, "probe.js")],
            "JDK 17": ["java", "-Xmx256m", "-cp", ":".join(JAVA_LIBRARIES), os.path.join(probes, "Probe.java")],
            ".NET (Mono)": ["mono", exe],
            "Ruby": ["ruby", os.path.join(probes, "probe.rb")],
            "PHP": ["php", os.path.join(probes, "probe.php")],
            "Go": ["go", "run", os.path.join(probes, "probe.go")],
            "Rust": [os.path.join(work, "probe-rust")],
            "C++ (libstdc++)": [os.path.join(work, "probe-cpp")],
            "Swift": [os.path.join(work, "probe-swift")],
            "Perl": ["perl", os.path.join(probes, "probe.pl")],
            "Lua": ["lua5.4", os.path.join(probes, "probe.lua")],
            "Elixir": ["elixir", os.path.join(probes, "probe.exs")],
        }
        # A directory the probes may not write. Root writes anywhere, so as root the probes run as
        # `nobody`, with a home of their own in the work directory.
        locked = os.path.join(work, "locked")
        os.makedirs(locked)
        os.chmod(locked, 0o555)
        environment.update(ZQX_LOCKED_DIR=locked, HOME=os.path.join(work, "home"), GOCACHE=os.path.join(work, "home", "go"))
        os.makedirs(environment["GOCACHE"])
        user = []
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "nobody", work], check=True)
            os.chmod(work, 0o755)
            user = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        # A missing library would be reported as the fault it was to trigger: refuse to go on instead.
        for package, check in LIBRARY_CHECKS.items():
            if subprocess.run(user + check, capture_output=True, cwd=work, env=environment).returncode != 0:
                sys.exit(f"the probes need {package} (Debian): install it and run again")
        for runtime, command in commands.items():
            outputs[runtime] = json_lines(subprocess.run(user + command, capture_output=True, text=True, cwd=work, env=environment).stdout)
    for reports in outputs.values():
        for report in reports:  # `null_reference_index` is a variant of `null_reference`
            report["fault"] = next(fault for fault in sorted(FAULTS, key=len, reverse=True) if report["fault"].startswith(fault))
    # A probe's message that is an errno's text alone (Ruby's and Perl's `Broken pipe`, CPython's
    # `[Errno 32] Broken pipe`) shows what the errno stands for in practice: a write to a connection
    # the peer closed fails with EPIPE in every runtime. The errno's own entries (its name, text,
    # number and CPython subclass) gain the fault's words right after their condition.
    errno_texts = {os.strerror(number).lower(): name for number, name in errno.errorcode.items()}
    for reports in outputs.values():
        for report in reports:
            text = re.sub(r"^\[errno \d+\] |\s*\(os error \d+\)$", "", (report.get("message") or "").lower()).rstrip(".")
            name, label = errno_texts.get(text), FAULTS[report["fault"]]
            if name is None or label == text:
                continue
            own = {f"glibc errno {name}", f"glibc strerror({name})", f"CPython OSError subclass for {name}"}
            for labels, source in t.entries.values():
                if source in own and labels[0] == text and label not in labels:
                    labels.insert(1, label)
                    t.label_origins.setdefault(label, set()).add(t.step)
    # A type names its fault when every runtime raising it raises it for that fault alone (Python's
    # TypeError is a cast, JavaScript's a null reference: neither) and its name shares a word with
    # the fault's (NullPointerException, KeyError, ZeroDivisionError; not AttributeError).
    faults_of_type = {}
    for runtime, reports in outputs.items():
        for report in reports:
            faults_of_type.setdefault(re.split(r"[.:]+", report["type"])[-1], set()).add(report["fault"])
    for runtime, reports in outputs.items():
        for report in reports:
            label = FAULTS[report["fault"]]
            source = f"{runtime} probe {report['fault']}"
            simple = re.split(r"[.:]+", report["type"])[-1]
            if runtime == "Go" and report["type"] == "*net.OpError":
                # `read tcp a->b: i/o timeout`: the operation, network and addresses vary; the
                # error after them is the condition, whichever operation met it.
                cause = report["message"].rsplit(": ", 1)[-1]
                if len(words(cause)) >= 2:
                    t.add(cause, [label], source)
            if report.get("message"):
                template = mask(report["message"], runtime)
                segments = [s for s in template.split(" * ") if words(s)]
                segments = [s for s in segments if len(words(s)) >= 2] or segments  # `Get "url": ...`: the verb varies
                # "Syntax error" alone names nothing; Go's error strings lead with their package's
                # name, and with it two words do (`context canceled`).
                if sum(len(words(s)) for s in segments) >= 3 or (runtime == "Go" and segments and words(segments[0])[0] in go_packages):
                    t.add(" * ".join(segments[:3]), [label], source)
                elif segments and " * " not in template and runtime in TYPED_MESSAGES and words(simple):
                    # Too short alone (`Connection reset`), but these runtimes print the type before
                    # it (`java.net.SocketException: Connection reset`), and together they name the
                    # fault; only a message that is the runtime's own words throughout.
                    t.add(" ".join(words(simple)) + " * " + template, [label], source)
            shared = set(split_identifier(simple).split()) & (set(label.split()) - STOP_WORDS)
            if runtime not in ("Go", "PHP") and faults_of_type[simple] == {report["fault"]} and shared:
                t.identifier(simple, [label, split_identifier(simple)], source)
    # A line that says a fault in its plain words names it (`fatal error: stack overflow`,
    # `connection pool exhausted`), whichever runtime or library wrote it.
    for fault, label in FAULTS.items():
        t.phrase(label, [label], f"the plain words of the probes' fault {fault}")
    return outputs


# Sources that name types (an exception class, an error value), not conditions: `io exception` is
# the JDK's and .NET's type, no condition, however many languages name a type so.
TYPE_STEPS = {"add_jdk", "add_dotnet", "add_python", "add_ruby", "add_node", "add_go"}


def is_condition(t, label):
    return any(step not in TYPE_STEPS for step in t.label_origins.get(label, set()))


def swift_table(t):
    """Three sections separated by a blank line: labels (a label naming a condition across
    ecosystems, not only a type, is followed by a tab and `condition`), sources, then entries
    (pattern<TAB>label numbers joined by ','<TAB>source number)."""
    labels, sources, lines = {}, {}, []
    for pattern in sorted(t.entries):
        entry_labels, source = t.entries[pattern]
        numbers = [str(labels.setdefault(label, len(labels))) for label in entry_labels]
        lines.append(f"{pattern}\t{','.join(numbers)}\t{sources.setdefault(source, len(sources))}")
    for text in [*labels, *sources, *lines]:
        assert "\n" not in text and '"""#' not in text, text
    label_lines = [label + ("\tcondition" if is_condition(t, label) else "") for label in labels]
    body = "\n".join([*label_lines, "", *sources, "", *lines])
    return ("// Generated by scripts/taxonomy/generate.py from the sources it names; do not edit.\n"
            "// Labels, one per line (<TAB>condition: it names a condition, not only a type); a blank line; sources; a blank line;\n"
            "// entries: pattern<TAB>label numbers<TAB>source number.\n\n"
            "extension FailureTaxonomy {\n"
            "    static let table = #\"\"\"\n" + body + "\n\"\"\"#\n}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="fail if the committed table differs from a fresh one")
    args = parser.parse_args()
    t = Taxonomy()
    for step in (add_errno, add_signals, add_http, add_grpc, add_sqlstate, add_postgresql_messages, add_slow_queries, add_mariadb, add_sqlite, add_openssl, add_tls_alerts, add_kubernetes,
                 add_jdk, add_dotnet, add_python, add_ruby, add_node, add_go, add_gc, add_probes, add_kafka, add_amqp, add_smtp, add_dns, add_aws, add_redis, add_systemd, add_jwt, add_oauth,
                 add_other_libcs, add_curl, add_haproxy, add_nginx, add_mysql_client):
        before = len(t.entries)
        t.step = step.__name__
        step(t)
        print(f"{step.__name__[4:]:>12}: {len(t.entries) - before} entries", file=sys.stderr)
    table = swift_table(t)
    if args.check:
        if open(OUTPUT).read() != table:
            sys.exit(f"{OUTPUT} is not what the sources give: run scripts/taxonomy/generate.py")
        return
    open(OUTPUT, "w").write(table)
    print(f"{len(t.entries)} entries -> {os.path.relpath(OUTPUT, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
