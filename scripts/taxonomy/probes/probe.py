# Triggers each runtime fault in CPython and prints what it raises, one JSON object per line. A
# probe is named after its fault, with a suffix for another common way to trigger it.
import datetime, importlib, json, os, socket, sys, time, urllib.request

def null_reference(): None.zqxfield
zqx = None
def null_reference_call(): zqx()
def null_reference_index(): zqx["zqxkey"]
def null_reference_store(): zqx["zqxkey"] = 1
def null_reference_iterate(): [item for item in zqx]
def null_reference_length(): len(zqx)
def index_out_of_range(): [1, 2][7]
def missing_key(): {"a": 1}["zqxkey"]
def division_by_zero(): 1 / 0
def number_parse(): int("12,5zqx")
def date_parse(): datetime.datetime.strptime("31.06.2024", "%Y-%m-%d")
def type_cast(): "zqx" + 1
def stack_overflow():
    def f(): f()
    f()
def file_not_found(): open("/zqx/missing.conf")
# ZQX_LOCKED_DIR: a directory the probes may not write, made by the generator.
def permission_denied(): open(os.path.join(os.environ["ZQX_LOCKED_DIR"], "zqx.conf"), "w")
def connection_refused(): socket.create_connection(("127.0.0.1", 1), timeout=2)
def dns_failure(): socket.getaddrinfo("zqx.invalid", 80)
def json_parse(): json.loads("{zqx")
def json_parse_empty(): json.loads("")
def json_parse_html(): json.loads("<html>zqx</html>")
def module_missing(): importlib.import_module("zqxmod")
def out_of_memory(): bytearray(1 << 50)
def encoding_invalid(): b"\xffzqx".decode("utf-8")
def encoding_invalid_continuation(): b"\xc3zqx".decode("utf-8")
def encoding_invalid_end(): b"zqx\xc3".decode("utf-8")
def concurrent_modification():
    zqx = {"a": 1}
    for key in zqx: zqx[key + "zqx"] = 1
def numeric_overflow(): float(10 ** 400)
def module_missing_name(): exec("from xml.dom import zqxname")
def module_missing_native(): __import__("ctypes").CDLL("libzqx.so.1")
# ZQX_TLS_PORT: a TLS server for localhost whose certificate no one trusts, started by the generator.
def certificate_untrusted():
    import ssl
    with socket.create_connection(("localhost", int(os.environ["ZQX_TLS_PORT"])), timeout=5) as raw:
        ssl.create_default_context().wrap_socket(raw, server_hostname="localhost")
# Servers that read the request and reset the connection (ZQX_RESET_PORT) or close it without an
# answer (ZQX_CLOSED_PORT), started by the generator.
def connection_reset(): urllib.request.urlopen(f"http://127.0.0.1:{os.environ['ZQX_RESET_PORT']}/zqx", timeout=5)
def connection_closed(): urllib.request.urlopen(f"http://127.0.0.1:{os.environ['ZQX_CLOSED_PORT']}/zqx", timeout=5)
# Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
def connection_closed_write():
    with socket.create_connection(("127.0.0.1", int(os.environ["ZQX_CLOSED_PORT"])), timeout=5) as zqx:
        for _ in range(50): zqx.sendall(b"zqx\n"); time.sleep(0.05)
# The most used connection pool: one connection, taken, and a second asked for. The message without
# SQLAlchemy's link to its documentation, which only its newer releases print.
def connection_pool_exhausted():
    import sqlalchemy
    engine = sqlalchemy.create_engine("sqlite://", poolclass=sqlalchemy.pool.QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.1)
    held = engine.connect()
    try:
        engine.connect()
    except sqlalchemy.exc.TimeoutError as error:
        raise sqlalchemy.exc.TimeoutError(error.args[0]) from None
# A server that accepts and never answers: ZQX_SILENT_PORT, started by the generator.
def request_timeout(): urllib.request.urlopen(f"http://127.0.0.1:{os.environ['ZQX_SILENT_PORT']}/zqx", timeout=0.5)

for name, probe in list(globals().items()):
    if callable(probe) and probe.__module__ == "__main__" and name != "main":
        try:
            probe()
        except BaseException as error:
            print(json.dumps({"fault": name, "type": type(error).__name__, "message": str(error)}))
