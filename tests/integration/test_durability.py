"""An acknowledged write is never lost: `kill -9` under load, restart, and every acknowledged event
is stored exactly once."""
import json, os, random, signal, sqlite3, tempfile, threading, time

from conftest import Server


def test_kill_9_under_load_loses_no_acknowledged_event():
    with tempfile.TemporaryDirectory(prefix="deja-kill-") as data_dir:
        server = Server(data_dir).start()
        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def producer(worker):
            batch = 0
            while not stop.is_set():
                ids = [f"w{worker}-b{batch}-{i}" for i in range(200)]
                body = "".join(json.dumps({"id": event_id, "service": f"svc-{worker}", "timestamp": "2026-11-20T12:00:00Z",
                                           "body": f"order {event_id} failed: upstream reset after {random.randint(1, 900)} ms"}) + "\n"
                               for event_id in ids).encode()
                try:
                    status, _, _ = server.request("POST", "/api/v1/ingest", body, {"Content-Type": "application/x-ndjson"}, timeout=10)
                except OSError:
                    return  # the server is gone: this batch was never acknowledged
                if status == 200:
                    with lock:
                        acknowledged.extend(ids)
                batch += 1

        threads = [threading.Thread(target=producer, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(3, 6))
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        stop.set()
        for thread in threads:
            thread.join()
        assert len(acknowledged) > 1000, f"only {len(acknowledged)} events acknowledged before the kill"

        restarted = Server(data_dir)
        restarted.port = server.port
        restarted.base = server.base
        restarted.start()
        # The replay is done when the backlog is empty; then every acknowledged id is there.
        deadline = time.time() + 120
        while time.time() < deadline:
            status, _, ready = restarted.request("GET", "/readyz")
            if status == 200 and ready.get("backlog_bytes") == 0:
                break
            time.sleep(0.5)
        for event_id in random.sample(acknowledged, 20):
            assert restarted.request("GET", f"/api/v1/events/{event_id}")[0] == 200, event_id
        restarted.stop()

        database = sqlite3.connect(f"file:{os.path.join(data_dir, 'deja.sqlite')}?mode=ro", uri=True)
        counts = dict(database.execute("SELECT external_id, count(*) FROM events GROUP BY external_id"))
        missing = [event_id for event_id in acknowledged if event_id not in counts]
        duplicated = {event_id: n for event_id, n in counts.items() if n > 1}
        assert not missing, f"{len(missing)} acknowledged events lost, e.g. {missing[:5]}"
        assert not duplicated, f"events stored more than once: {list(duplicated.items())[:5]}"
