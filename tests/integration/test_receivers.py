"""Each receiver, fed by a real client, makes events searchable with the right service, level,
labels and tenant."""
import gzip, importlib, json, logging, os, sys, tempfile, time, urllib.request

import cramjam
from grpc_tools import protoc

from conftest import ROOT


def test_elasticsearch_python_client_bulk_helper(server):
    from elasticsearch import Elasticsearch, helpers

    client = Elasticsearch(server.base, headers={"X-Scope-OrgID": "team-es"})
    assert client.info()["version"]["number"]
    actions = [
        {"_index": "app-logs", "_id": f"es-{i}", "_source": {
            "@timestamp": "2026-11-20T10:00:0%dZ" % i, "message": f"invoice {i} could not be rendered: template missing",
            "service": {"name": "billing"}, "log": {"level": "error"}, "region": "eu-west-1"}}
        for i in range(5)
    ]
    ok, errors = helpers.bulk(client, actions)
    assert ok == 5 and not errors
    event = server.wait_for_event("es-3", tenant="team-es")
    assert event["service"] == "billing" and event["level"] == "error"
    assert event["labels"]["region"] == "eu-west-1" and event["labels"]["_index"] == "app-logs"
    assert event["body"] == "invoice 3 could not be rendered: template missing"
    # Another tenant sees none of it.
    assert server.request("GET", "/api/v1/events/es-3", headers={"X-Scope-OrgID": "other"})[0] == 404
    group = server.wait_for_search("invoice template missing", lambda g: g["signature"]["service"] == "billing", tenant="team-es")
    assert group["count"] == 5
    assert not [g for g in server.search("invoice template missing", tenant="other") if g["signature"]["service"] == "billing"]


def test_opentelemetry_sdk_otlp_http_exporter(server):
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.resources import Resource

    provider = LoggerProvider(resource=Resource.create({"service.name": "otel-checkout", "k8s.namespace.name": "shop"}))
    exporter = OTLPLogExporter(endpoint=f"{server.base}/v1/logs", headers={"X-Scope-OrgID": "team-otel"}, compression=Compression.Gzip)
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    logger = logging.getLogger("otel-integration")
    logger.propagate = False
    logger.addHandler(LoggingHandler(level=logging.INFO, logger_provider=provider))
    logger.error("card authorization service unreachable after 3 retries", extra={"order_id": "o-123"})
    logger.warning("slow response from tax service")
    try:
        {"visa": 1}["amex"]
    except KeyError:
        logger.exception("payment provider lookup failed")  # the SDK sends the traceback as exception.* attributes
    assert provider.force_flush(30_000)
    provider.shutdown()
    group = server.wait_for_search("card authorization unreachable", lambda g: g["signature"]["service"] == "otel-checkout", tenant="team-otel")
    event = group["events"][0]
    assert event["level"] == "error" and event["labels"]["order_id"] == "o-123" and event["labels"]["k8s.namespace.name"] == "shop"
    assert event["tenant"] == "team-otel"
    # The exception is under the message, as a log file prints it, not in labels.
    group = server.wait_for_search("KeyError: 'amex'", lambda g: g["signature"]["service"] == "otel-checkout"
                                   and g["events"][0]["body"].startswith("payment provider"), tenant="team-otel")
    event = group["events"][0]
    assert event["body"].startswith("payment provider lookup failed\nTraceback (most recent call last):\n")
    assert event["body"].rstrip().endswith("KeyError: 'amex'")
    assert not [name for name in event["labels"] if name.startswith("exception.")]


def loki_push_pb2():
    """Loki's push.proto (Protos/loki) compiled for Python, as any client of it would be."""
    out = tempfile.mkdtemp(prefix="deja-loki-proto-")
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    assert protoc.main(["protoc", f"-I{ROOT}/Protos/loki", f"-I{include}", f"--python_out={out}", "push.proto"]) == 0
    sys.path.insert(0, out)
    return importlib.import_module("push_pb2")


def test_loki_protobuf_push_with_snappy(server):
    push = loki_push_pb2()
    request = push.PushRequest()
    stream = request.streams.add()
    stream.labels = '{app="inventory", namespace="shop", level="warn"}'
    for i in range(3):
        entry = stream.entries.add()
        entry.timestamp.seconds = 1_763_000_000 + i
        entry.timestamp.nanos = 5
        entry.line = f"stock level for sku-{i} below threshold"
        pair = entry.structuredMetadata.add()
        pair.name, pair.value = "pod", f"inventory-{i}"
    body = bytes(cramjam.snappy.compress_raw(request.SerializeToString()))
    status, _, answer = server.request("POST", "/loki/api/v1/push", body,
                                       {"Content-Type": "application/x-protobuf", "X-Scope-OrgID": "team-loki", "User-Agent": "promtail/2.9"})
    assert status == 204, answer
    # Alloy sends the same body with `Content-Encoding: snappy`, a marker of that framing.
    stream.entries[0].line = "stock level for sku-7 below threshold"
    del stream.entries[1:]
    body = bytes(cramjam.snappy.compress_raw(request.SerializeToString()))
    status, _, answer = server.request("POST", "/loki/api/v1/push", body, {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
                                                                            "X-Scope-OrgID": "team-loki", "User-Agent": "Alloy/v1.5"})
    assert status == 204, answer
    # Three from the Promtail-style push and one from the Alloy-style one, all one signature.
    group = server.wait_for_search("stock below threshold", lambda g: g["signature"]["service"] == "inventory" and g["count"] == 4,
                                   tenant="team-loki")
    event = group["events"][0]
    assert event["level"] == "warning" and event["labels"]["namespace"] == "shop" and event["labels"]["pod"].startswith("inventory-")
    assert event["timestamp"] % 1_000_000_000 == 5


def test_loki_json_push_as_fluent_bit_sends_it(server):
    # Fluent Bit's loki output: JSON, Content-Type application/json, gzip with `compress gzip`.
    payload = {"streams": [{"stream": {"job": "fluent-bit", "namespace": "shop", "container": "payments"},
                            "values": [[str(1_763_000_100_000_000_000 + i), json.dumps({"level": "error", "msg": f"refund {i} rejected by bank"})]
                                       for i in range(4)]}]}
    body = gzip.compress(json.dumps(payload).encode())
    status, _, answer = server.request("POST", "/loki/api/v1/push", body, {"Content-Type": "application/json", "Content-Encoding": "gzip",
                                                                            "User-Agent": "Fluent-Bit", "X-Scope-OrgID": "team-fb"})
    assert status == 204, answer
    group = server.wait_for_search("refund rejected by bank", lambda g: g["signature"]["service"] == "payments", tenant="team-fb")
    assert group["events"][0]["level"] == "error" and group["events"][0]["labels"]["job"] == "fluent-bit"


def test_ndjson_ingest_in_the_cli_shape(server):
    lines = "\n".join(json.dumps({"id": f"nd-{i}", "service": "search-api", "level": "warn", "timestamp": "2026-11-20T11:00:00Z",
                                  "body": f"query {i} took 4.2s", "labels": {"cluster": "c1"}}) for i in range(3)) + "\n"
    status, _, answer = server.request("POST", "/api/v1/ingest", lines.encode(), {"Content-Type": "application/x-ndjson"})
    assert status == 200 and answer == {"accepted": 3}
    event = server.wait_for_event("nd-2")
    assert event["service"] == "search-api" and event["level"] == "warning" and event["labels"] == {"cluster": "c1"}
    assert event["tenant"] == "default"
