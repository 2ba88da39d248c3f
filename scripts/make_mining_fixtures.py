#!/usr/bin/env python3
"""Writes the corpora of the miner's golden tests (Tests/DejaCoreTests/Fixtures/mining/*.log).

Our own lines, deterministic from a seed: message shapes as common programs write them, with
variables of every kind the miner must treat as one value, whatever their token count (ids,
addresses with and without ports, host names, sizes with and without units, durations in several
notations, paths and URLs of varying depth with query strings, quoted strings, key=value lists).

    python3 scripts/make_mining_fixtures.py                 the golden corpora
    python3 scripts/make_mining_fixtures.py --loghub DIR    the same corpora, 2,000 lines each, labelled
                                                            in Loghub's layout for ../shared/tools/loghub_eval.py
"""
import argparse, csv, random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "Tests/DejaCoreTests/Fixtures/mining"


def pick(rng, items):
    return items[rng.randrange(len(items))]


def ip(rng):
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def hostname(rng):
    return pick(rng, [f"{pick(rng, ['api', 'cdn', 'mail', 'auth', 'static'])}.{pick(rng, ['example', 'acme', 'corp'])}.{pick(rng, ['com', 'net', 'org', 'io'])}",
                      f"db-{rng.randrange(9)}.internal", f"cache-{rng.randrange(4)}.prod.example.net", "localhost"])


def host(rng):
    return pick(rng, [ip(rng), ip(rng) + f":{rng.randrange(1024, 65535)}", f"db-{rng.randrange(9)}.internal:5432",
                      f"cache-{rng.randrange(4)}.prod.example.net", f"{hostname(rng)}:{pick(rng, [80, 443, 8080, 8443])}"])


def size(rng):
    n = rng.randrange(0, 1 << 22)
    return pick(rng, [f"{n} bytes", f"{n}B", f"{n / 1024:.1f} KiB", f"{n} bytes ({n / 1024:.1f} KB)", f"{n / 1048576:.2f} MB"])


def duration(rng):
    return pick(rng, [f"{rng.randrange(1, 5000)}ms", f"{rng.random() * 9:.3f}s", f"00:0{rng.randrange(9)}:{rng.randrange(60):02d}",
                      f"{rng.randrange(1, 90)}m{rng.randrange(60)}s", "<1 sec", f"{rng.randrange(2, 60)} sec", f"{rng.randrange(1, 500)} ms"])


def segment(rng):
    return pick(rng, ["api", "v1", "v2", "orders", "users", "items", "static", "img", "search", "cart",
                      f"{rng.randrange(16 ** 8):08x}", str(rng.randrange(100000))])


def path(rng):
    return "/" + "/".join(segment(rng) for _ in range(rng.randrange(1, 6)))


def url_path(rng):
    query = "&".join(f"{pick(rng, ['page', 'limit', 'q', 'sort', 'since'])}={rng.randrange(1000)}" for _ in range(rng.randrange(0, 4)))
    return path(rng) + (f"?{query}" if query else "")


def words(rng):
    return " ".join(pick(rng, ["disk", "quota", "exceeded", "for", "tenant", "upstream", "reset", "the", "stream", "by", "peer"])
                    for _ in range(rng.randrange(1, 6)))


def service_log(rng):
    user = f"user-{rng.randrange(10_000)}"
    order = f"ord-{rng.randrange(16 ** 6):06x}"
    return pick(rng, [
        ("connection to <*> refused", lambda: f"connection to {host(rng)} refused"),
        ("request <*> for <*> completed in <*>", lambda: f"request {order} for {user} completed in {duration(rng)}"),
        ("uploaded <*> to bucket <*>", lambda: f"uploaded {size(rng)} to bucket {pick(rng, ['logs', 'media', 'backups'])}"),
        ("GET <*> returned <*> after <*>", lambda: f"GET {path(rng)} returned {pick(rng, [200, 201, 404, 500])} after {duration(rng)}"),
        ("cache miss for key \"<*>\"", lambda: f"cache miss for key \"{pick(rng, ['session', 'cart', 'price'])}:{rng.randrange(99999)}\""),
        ("retrying <*> (attempt <*> of <*>)", lambda: f"retrying {order} (attempt {rng.randrange(1, 6)} of 5)"),
        ("worker <*> started with <*>", lambda: f"worker {rng.randrange(32)} started with {' '.join(f'{k}={rng.randrange(100)}' for k in ['threads', 'queue', 'batch'][:rng.randrange(1, 4)])}"),
        ("user <*> logged in from <*>", lambda: f"user {user} logged in from {ip(rng)}"),
        ("payment for <*> declined: <*>", lambda: f"payment for {order} declined: {pick(rng, ['insufficient funds', 'card expired', 'do not honor'])}"),
        ("scheduled job nightly-report finished, <*> rows written", lambda: f"scheduled job nightly-report finished, {rng.randrange(10_000)} rows written"),
    ])


def kubelet_log(rng):
    pod = f"{pick(rng, ['web', 'api', 'worker'])}-{rng.randrange(16 ** 5):05x}-{rng.randrange(16 ** 5):05x}"
    return pick(rng, [
        ("Successfully pulled image \"<*>\" in <*>", lambda: f"Successfully pulled image \"registry.example.com/{pick(rng, ['web', 'api'])}:{rng.randrange(1, 40)}.{rng.randrange(10)}\" in {duration(rng)}"),
        ("Killing container with a grace period pod=\"<*>\" gracePeriod=<*>", lambda: f"Killing container with a grace period pod=\"default/{pod}\" gracePeriod={pick(rng, [30, 60])}"),
        ("Probe failed probeType=\"Readiness\" pod=\"<*>\" output=\"HTTP probe failed with statuscode: <*>\"", lambda: f"Probe failed probeType=\"Readiness\" pod=\"default/{pod}\" output=\"HTTP probe failed with statuscode: {pick(rng, [500, 503])}\""),
        ("SyncLoop (PLEG): event for pod \"<*>\" event=<*>", lambda: f"SyncLoop (PLEG): event for pod \"default/{pod}\" event={pick(rng, ['ContainerStarted', 'ContainerDied'])}"),
        ("Volume detached for volume \"<*>\" on node \"<*>\"", lambda: f"Volume detached for volume \"pvc-{rng.randrange(16 ** 8):08x}\" on node \"node-{rng.randrange(12)}\""),
        ("Evicting pod <*> due to memory pressure, usage <*>", lambda: f"Evicting pod default/{pod} due to memory pressure, usage {size(rng)}"),
    ])


def sshd_log(rng):
    user = pick(rng, ["root", "admin", "deploy", "git", f"u{rng.randrange(500)}"])
    port = rng.randrange(1024, 65535)
    return pick(rng, [
        ("Accepted publickey for <*> from <*> port <*> ssh2", lambda: f"Accepted publickey for {user} from {ip(rng)} port {port} ssh2"),
        ("Failed password for invalid user <*> from <*> port <*> ssh2", lambda: f"Failed password for invalid user {user} from {ip(rng)} port {port} ssh2"),
        ("Connection closed by <*> port <*> [preauth]", lambda: f"Connection closed by {ip(rng)} port {port} [preauth]"),
        ("pam_unix(sshd:session): session opened for user <*> by (uid=<*>)", lambda: f"pam_unix(sshd:session): session opened for user {user} by (uid=0)"),
        ("Disconnected from user <*> <*> port <*>", lambda: f"Disconnected from user {user} {ip(rng)} port {port}"),
        ("error: maximum authentication attempts exceeded for <*> from <*> port <*> ssh2 [preauth]", lambda: f"error: maximum authentication attempts exceeded for {user} from {ip(rng)} port {port} ssh2 [preauth]"),
    ])


def tunnel_log(rng):
    """A forwarding proxy: every line begins with the remote address, host name or IP, with or without port."""
    remote, via = host(rng), host(rng)
    return pick(rng, [
        ("<*> open through <*> <*>", lambda: f"{remote} open through {via} {pick(rng, ['HTTPS', 'SOCKS5'])}"),
        ("<*> close, <*> sent, <*> received, lifetime <*>", lambda: f"{remote} close, {size(rng)} sent, {size(rng)} received, lifetime {duration(rng)}"),
        ("<*> error : Could not connect through <*> - connection refused", lambda: f"{remote} error : Could not connect through {via} - connection refused"),
        ("<*> error : Could not connect through <*> - the proxy server closed the connection unexpectedly", lambda: f"{remote} error : Could not connect through {via} - the proxy server closed the connection unexpectedly"),
        ("<*> matched rule <*>", lambda: f"{remote} matched rule \"{pick(rng, ['Default', 'Local bypass', 'Corp intranet'])}\""),
        ("DNS name <*> resolved to <*> in <*>", lambda: f"DNS name {hostname(rng)} resolved to {ip(rng)} in {duration(rng)}"),
        ("Traffic for the session: <*> sent, <*> received", lambda: f"Traffic for the session: {size(rng)} sent, {size(rng)} received"),
    ])


def access_log(rng):
    """Request lines whose paths and query strings vary in depth."""
    client, status = ip(rng), pick(rng, [200, 201, 204, 301, 404, 500])
    return pick(rng, [
        ("<*> \"GET <*> HTTP/<*>\" status: <*> len: <*> time: <*>", lambda: f"{client} \"GET {url_path(rng)} HTTP/1.1\" status: {status} len: {rng.randrange(100, 9000)} time: {rng.random():.7f}"),
        ("<*> \"POST <*> HTTP/<*>\" status: <*> len: <*> time: <*>", lambda: f"{client} \"POST {url_path(rng)} HTTP/1.1\" status: {status} len: {rng.randrange(100, 9000)} time: {rng.random():.7f}"),
        ("<*> \"DELETE <*> HTTP/<*>\" status: <*> len: <*> time: <*>", lambda: f"{client} \"DELETE {url_path(rng)} HTTP/1.1\" status: {status} len: {rng.randrange(100, 9000)} time: {rng.random():.7f}"),
        ("fetching <*> from upstream <*>", lambda: f"fetching {pick(rng, ['https://', 'http://'])}{hostname(rng)}{url_path(rng)} from upstream {host(rng)}"),
        ("[instance: <*>] Took <*> to spawn the instance on the hypervisor.", lambda: f"[instance: {rng.randrange(16 ** 8):08x}-{rng.randrange(16 ** 4):04x}-4{rng.randrange(16 ** 3):03x}-{rng.randrange(16 ** 4):04x}-{rng.randrange(16 ** 12):012x}] Took {rng.random() * 30:.2f} seconds to spawn the instance on the hypervisor."),
        ("Removing stale file <*>", lambda: f"Removing stale file {path(rng)}"),
        ("upstream error \"<*>\" while reading response header", lambda: f"upstream error \"{words(rng)}\" while reading response header"),
    ])


CORPORA = [("service", service_log, 1), ("kubelet", kubelet_log, 2), ("sshd", sshd_log, 3),
           ("tunnel", tunnel_log, 4), ("access", access_log, 5)]


def lines(make, seed, count):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        template, line = make(rng)
        out.append((template, line()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loghub", metavar="DIR", help="write labelled 2,000-line sets in Loghub's layout instead")
    args = ap.parse_args()
    if args.loghub:
        for name, make, seed in CORPORA:
            folder = Path(args.loghub) / name
            folder.mkdir(parents=True, exist_ok=True)
            labelled = lines(make, seed + 1000, 2000)
            ids = {t: f"E{i + 1}" for i, t in enumerate(dict.fromkeys(t for t, _ in labelled))}
            (folder / f"{name}_2k.log").write_text("".join(line + "\n" for _, line in labelled))
            with open(folder / f"{name}_2k.log_structured.csv", "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["LineId", "Content", "EventId", "EventTemplate"])
                for i, (template, line) in enumerate(labelled, 1):
                    w.writerow([i, line, ids[template], template])
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make, seed in CORPORA:
        (OUT / f"{name}.log").write_text("".join(line + "\n" for _, line in lines(make, seed, 400)))


if __name__ == "__main__":
    main()
