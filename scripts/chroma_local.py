"""A real ChromaDB (`chroma run` from PyPI chromadb) on a free loopback port, for the benchmark and
evaluation scripts: `with chroma_local.server(workdir) as flags:` gives the `deja` flags that use it."""
import contextlib, os, socket, subprocess, sys, time, urllib.request


@contextlib.contextmanager
def server(workdir):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_path = os.path.join(workdir, "chroma.log")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(["chroma", "run", "--path", os.path.join(workdir, "chroma"), "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=log, stderr=log, env=dict(os.environ, ANONYMIZED_TELEMETRY="False", RUST_LOG="warn"))
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
                break
            except OSError:
                if process.poll() is not None:
                    sys.exit(f"chroma run exited; see {log_path}")
                time.sleep(0.2)
        else:
            sys.exit(f"chroma run did not answer in 60 s; see {log_path}")
        yield ["--vector-store", "chroma", "--chroma-url", f"http://127.0.0.1:{port}"]
    finally:
        process.terminate()
        process.wait()
