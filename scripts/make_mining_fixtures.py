#!/usr/bin/env python3
"""Writes the corpora of the miner's golden tests (Tests/DejaCoreTests/Fixtures/mining/*.log).

Our own lines, deterministic from a seed: message shapes as common programs write them, with
variables of every kind the miner must treat as one value (ids, addresses with and without ports,
sizes with units, durations in several notations, paths of varying depth, quoted strings).
"""
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "Tests/DejaCoreTests/Fixtures/mining"


def pick(rng, items):
    return items[rng.randrange(len(items))]


def ip(rng):
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def host(rng):
    return pick(rng, [ip(rng), ip(rng) + f":{rng.randrange(1024, 65535)}", f"db-{rng.randrange(9)}.internal:5432",
                      f"cache-{rng.randrange(4)}.prod.example.net"])


def size(rng):
    n = rng.randrange(1, 1 << 20)
    return pick(rng, [f"{n} bytes", f"{n}B", f"{n / 1024:.1f} KiB", f"{n} bytes ({n / 1024:.1f} KB)"])


def duration(rng):
    return pick(rng, [f"{rng.randrange(1, 5000)}ms", f"{rng.random() * 9:.3f}s", f"00:0{rng.randrange(9)}:{rng.randrange(60):02d}",
                      f"{rng.randrange(1, 90)}m{rng.randrange(60)}s"])


def path(rng):
    parts = [pick(rng, ["api", "v1", "v2", "orders", "users", "items", "static", "img"]) for _ in range(rng.randrange(1, 5))]
    return "/" + "/".join(parts)


def service_log(rng):
    user = f"user-{rng.randrange(10_000)}"
    order = f"ord-{rng.randrange(16 ** 6):06x}"
    shapes = [
        lambda: f"connection to {host(rng)} refused",
        lambda: f"request {order} for {user} completed in {duration(rng)}",
        lambda: f"uploaded {size(rng)} to bucket {pick(rng, ['logs', 'media', 'backups'])}",
        lambda: f"GET {path(rng)} returned {pick(rng, [200, 201, 404, 500])} after {duration(rng)}",
        lambda: f"cache miss for key \"{pick(rng, ['session', 'cart', 'price'])}:{rng.randrange(99999)}\"",
        lambda: f"retrying {order} (attempt {rng.randrange(1, 6)} of 5)",
        lambda: f"worker {rng.randrange(32)} started with {' '.join(f'{k}={rng.randrange(100)}' for k in ['threads', 'queue', 'batch'][:rng.randrange(1, 4)])}",
        lambda: f"user {user} logged in from {ip(rng)}",
        lambda: f"payment for {order} declined: {pick(rng, ['insufficient funds', 'card expired', 'do not honor'])}",
        lambda: f"scheduled job nightly-report finished, {rng.randrange(10_000)} rows written",
    ]
    return pick(rng, shapes)()


def kubelet_log(rng):
    pod = f"{pick(rng, ['web', 'api', 'worker'])}-{rng.randrange(16 ** 5):05x}-{rng.randrange(16 ** 5):05x}"
    shapes = [
        lambda: f"Successfully pulled image \"registry.example.com/{pick(rng, ['web', 'api'])}:{rng.randrange(1, 40)}.{rng.randrange(10)}\" in {duration(rng)}",
        lambda: f"Killing container with a grace period pod=\"default/{pod}\" gracePeriod={pick(rng, [30, 60])}",
        lambda: f"Probe failed probeType=\"Readiness\" pod=\"default/{pod}\" output=\"HTTP probe failed with statuscode: {pick(rng, [500, 503])}\"",
        lambda: f"SyncLoop (PLEG): event for pod \"default/{pod}\" event={pick(rng, ['ContainerStarted', 'ContainerDied'])}",
        lambda: f"Volume detached for volume \"pvc-{rng.randrange(16 ** 8):08x}\" on node \"node-{rng.randrange(12)}\"",
        lambda: f"Evicting pod default/{pod} due to memory pressure, usage {size(rng)}",
    ]
    return pick(rng, shapes)()


def sshd_log(rng):
    user = pick(rng, ["root", "admin", "deploy", "git", f"u{rng.randrange(500)}"])
    shapes = [
        lambda: f"Accepted publickey for {user} from {ip(rng)} port {rng.randrange(1024, 65535)} ssh2",
        lambda: f"Failed password for invalid user {user} from {ip(rng)} port {rng.randrange(1024, 65535)} ssh2",
        lambda: f"Connection closed by {ip(rng)} port {rng.randrange(1024, 65535)} [preauth]",
        lambda: f"pam_unix(sshd:session): session opened for user {user} by (uid=0)",
        lambda: f"Disconnected from user {user} {ip(rng)} port {rng.randrange(1024, 65535)}",
        lambda: f"error: maximum authentication attempts exceeded for {user} from {ip(rng)} port {rng.randrange(1024, 65535)} ssh2 [preauth]",
    ]
    return pick(rng, shapes)()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make, seed in [("service", service_log, 1), ("kubelet", kubelet_log, 2), ("sshd", sshd_log, 3)]:
        rng = random.Random(seed)
        lines = [make(rng) for _ in range(400)]
        (OUT / f"{name}.log").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
