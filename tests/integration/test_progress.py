"""`deja ingest` is never silent on long work: a live line on a terminal (rewritten in place), plain
periodic lines on a pipe, and the final report either way."""
import json, os, pty, random, re, subprocess, tempfile

from conftest import DEJA

WORDS = "alpha bravo charlie delta echo foxtrot".split()


def corpus(path, events=20000):
    random.seed(3)
    with open(path, "w") as fh:
        for i in range(events):
            # A few hundred distinct messages: embedding them takes a moment after storing.
            words = " ".join(random.choice(WORDS) for _ in range(3))
            fh.write(json.dumps({"id": f"p{i}", "service": "svc", "timestamp": "2026-11-20T10:00:00Z", "body": f"{words} step failed"}) + "\n")


def test_plain_lines_on_a_pipe_and_a_live_line_on_a_terminal():
    with tempfile.TemporaryDirectory(prefix="deja-progress-") as work:
        source = os.path.join(work, "events.jsonl")
        corpus(source)
        env = dict(os.environ, DEJA_PROGRESS_SECONDS="0.1")
        piped = subprocess.run([DEJA, "ingest", "--jsonl", "--data-dir", os.path.join(work, "a"), source], env=env, capture_output=True, text=True)
        assert piped.returncode == 0, piped.stderr
        lines = piped.stderr.splitlines()
        progress = [l for l in lines if re.fullmatch(r"read [\d,]+ events · stored [\d,]+ \([\d,]+/s\) · [\d,]+ signatures waiting for embedding( \(about \d+ s left\))?", l)]
        assert progress, piped.stderr
        assert "\r" not in piped.stderr
        assert any(re.search(r"[1-9][\d,]* signatures waiting for embedding", l) for l in progress), progress
        assert lines[-1].startswith("all vector-searchable and in issues after")

        # A pseudo-terminal: one line rewritten in place, cleared before the reports.
        controller, terminal = pty.openpty()
        process = subprocess.Popen([DEJA, "ingest", "--jsonl", "--data-dir", os.path.join(work, "b"), source], env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal)
        os.close(terminal)
        output = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        assert process.wait() == 0
        text = output.decode()
        assert "\r\x1b[Kread " in text, text[-2000:]
        assert re.search(r"\r\x1b\[K(\r\n|\n)?stored 20000 events", text) or "\r\x1b[Kstored 20000 events" in text, text[-2000:]
        last = re.split(r"[\r\n]+", text.strip())[-1].replace("\x1b[K", "")
        assert last.startswith("all vector-searchable and in issues after"), text[-500:]
