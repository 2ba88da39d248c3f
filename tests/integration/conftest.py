"""A real `deja serve` for the integration tests: built by `swift build`, started on a free loopback
port with a fresh data directory, stopped (SIGTERM) at the end; a real ChromaDB (`chroma run`) and a
real PostgreSQL (cluster mode)."""
import glob, json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEJA = os.environ.get("DEJA_BIN", os.path.join(ROOT, ".build", "debug", "deja"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `deja serve` process and a small HTTP client for it."""

    def __init__(self, data_dir, extra_args=(), env=None):
        self.data_dir = data_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self.process = None
        self.log_path = os.path.join(data_dir, "server.log")

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([DEJA, "serve", "--data-dir", self.data_dir, "--listen", f"127.0.0.1:{self.port}", *self.extra_args],
                                        stdout=log, stderr=log, env=self.env)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"deja serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("deja serve did not answer /healthz within 120 s:\n" + self.log())

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=120)

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()[-4000:]

    def request(self, method, path, body=None, headers=None, timeout=60):
        """(status, headers, parsed JSON or raw bytes)."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if isinstance(body, (dict, list)) and "Content-Type" not in (headers or {}):
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw, response_headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, response_headers = error.code, error.read(), dict(error.headers)
        try:
            return status, response_headers, json.loads(raw) if raw else None
        except ValueError:
            return status, response_headers, raw

    def search(self, query, tenant=None, **params):
        headers = {"X-Scope-OrgID": tenant} if tenant else {}
        status, _, body = self.request("POST", "/api/v1/search", {"query": query, **params}, headers)
        assert status == 200, body
        return body["groups"]

    def wait_for_event(self, event_id, tenant=None, timeout=60):
        """The event with this external id, once stored (acknowledged events are stored moments later)."""
        headers = {"X-Scope-OrgID": tenant} if tenant else {}
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, _, body = self.request("GET", f"/api/v1/events/{event_id}", headers=headers)
            if status == 200:
                return body
            time.sleep(0.2)
        raise AssertionError(f"event {event_id} not stored within {timeout} s")

    def wait_for_search(self, query, predicate, tenant=None, timeout=90):
        """Search until a result group satisfies `predicate` (vectors are embedded in the background)."""
        deadline = time.time() + timeout
        groups = []
        while time.time() < deadline:
            groups = self.search(query, tenant=tenant)
            for group in groups:
                if predicate(group):
                    return group
            time.sleep(0.5)
        raise AssertionError(f"no group for {query!r} matched within {timeout} s; got {[g['signature']['message'] for g in groups]}")


@pytest.fixture(scope="session", autouse=True)
def temporary_directories(tmp_path_factory):
    """Data directories and logs go under pytest's own temporary directory, which keeps the last
    three runs (to read a failed run's server logs) and removes older ones."""
    tempfile.tempdir = str(tmp_path_factory.getbasetemp())
    yield
    tempfile.tempdir = None


@pytest.fixture(scope="session")
def server():
    with tempfile.TemporaryDirectory(prefix="deja-serve-") as data_dir:
        server = Server(data_dir).start()
        yield server
        server.stop()


class Chroma:
    """A real ChromaDB server (`chroma run`) on a free loopback port, stoppable and restartable on the same data."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = tempfile.mkdtemp(prefix="deja-chroma-")
        self.process = None

    def start(self):
        # Beside this interpreter too: `.venv/bin/python scripts/bench_cluster.py` runs without .venv/bin on PATH.
        binary = shutil.which("chroma") or shutil.which("chroma", path=os.path.dirname(sys.executable))
        assert binary, "the chroma CLI is missing: pip install chromadb (scripts/setup.sh --integration does)"
        log = open(os.path.join(self.data, "chroma.log"), "ab")
        self.process = subprocess.Popen([binary, "run", "--path", os.path.join(self.data, "db"), "--host", "127.0.0.1", "--port", str(self.port)],
                                        stdout=log, stderr=log, env=dict(os.environ, ANONYMIZED_TELEMETRY="False", RUST_LOG="warn"))
        deadline = time.time() + 60
        while time.time() < deadline:
            assert self.process.poll() is None, "chroma run exited at start"
            try:
                with urllib.request.urlopen(self.url + "/api/v2/heartbeat", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError("chroma run did not answer within 60 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def client(self):
        import chromadb  # imported here: only the ChromaDB tests need it
        return chromadb.HttpClient(host="127.0.0.1", port=self.port)


@pytest.fixture
def chroma():
    server = Chroma().start()
    yield server
    server.stop()
    shutil.rmtree(server.data, ignore_errors=True)


class Postgres:
    """A real PostgreSQL server (Debian's, `initdb` and `postgres` in a temporary folder) on a free
    loopback port, trusting local connections, with one database `deja`."""

    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
        assert versions, "PostgreSQL is missing: apt-get install postgresql (scripts/setup.sh --integration does)"
        self.bin = os.path.dirname(versions[-1])
        self.port = free_port()
        # As root the server runs as postgres, which must reach its folder: not under pytest's private one.
        self.folder = tempfile.mkdtemp(prefix="deja-postgres-", dir="/tmp" if os.geteuid() == 0 else None)
        self.url = f"postgres://deja@127.0.0.1:{self.port}/deja?sslmode=disable"
        self.process = None
        # PostgreSQL refuses to run as root: as root, it runs as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, user="postgres")

    def start(self):
        data = os.path.join(self.folder, "data")
        if not os.path.isdir(data):
            subprocess.run(self.as_user + [os.path.join(self.bin, "initdb"), "-D", data, "-A", "trust", "-U", "deja", "--no-sync"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log = open(os.path.join(self.folder, "postgres.log"), "ab")
        self.process = subprocess.Popen(self.as_user + [os.path.join(self.bin, "postgres"), "-D", data, "-p", str(self.port), "-k", self.folder,
                                                        "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
                                        stdout=log, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            assert self.process.poll() is None, "postgres exited at start:\n" + open(os.path.join(self.folder, "postgres.log")).read()[-2000:]
            if subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "deja", "-d", "postgres", "-c", "SELECT 1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "deja", "-d", "postgres", "-c", "CREATE DATABASE deja"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                return self
            time.sleep(0.2)
        raise AssertionError("postgres did not answer within 60 s")

    def stop(self):
        # A fast shutdown (clients are disconnected, data kept), by pg_ctl: runuser does not pass signals on.
        if self.process and self.process.poll() is None:
            subprocess.run(self.as_user + [os.path.join(self.bin, "pg_ctl"), "stop", "-D", os.path.join(self.folder, "data"), "-m", "fast"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.process.wait(timeout=60)

    def query(self, sql):
        """Rows of `sql` as lists of strings."""
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "deja", "-d", "deja", "-At", "-F", "\t", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]


@pytest.fixture
def postgres():
    server = Postgres().start()
    yield server
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Selenium (scripts/setup.sh --integration installs both)."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("chromium and chromium-driver are installed by scripts/setup.sh --integration")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()
