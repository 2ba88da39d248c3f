"""`/openapi.json` matches the code: schemathesis generates requests from it (valid and invalid) and
checks every answer against it: no server errors, documented status codes, content types and
schemas, and auth enforced where it is declared."""
import json, os, shutil, subprocess, tempfile

import pytest

from conftest import Server


@pytest.mark.skipif(shutil.which("st") is None, reason="schemathesis is installed by scripts/setup.sh --integration")
def test_schemathesis_finds_the_api_as_documented():
    with tempfile.TemporaryDirectory(prefix="deja-openapi-") as data_dir:
        tokens = os.path.join(data_dir, "tokens.json")
        with open(tokens, "w") as fh:
            json.dump({"tokens": [{"token": "schemathesis-token", "tenant": "st", "scopes": ["ingest", "read"]}]}, fh)
        server = Server(data_dir, ["--tokens", tokens]).start()
        try:
            body = "".join(json.dumps({"id": f"st-{i}", "service": "api", "body": f"request {i} failed: upstream timeout"}) + "\n" for i in range(5))
            auth = {"Authorization": "Bearer schemathesis-token"}
            assert server.request("POST", "/api/v1/ingest", body.encode(), auth)[0] == 200
            run = subprocess.run(
                ["st", "run", server.base + "/openapi.json", "--experimental=openapi-3.1", "--checks", "all",
                 "--hypothesis-max-examples", "40", "--hypothesis-seed", "1", "-H", "Authorization: Bearer schemathesis-token",
                 # The receivers speak other systems' protocols; their own tests cover them.
                 "--exclude-path-regex", "(_bulk|/v1/logs|/loki/api/v1/push|/api/v1/ingest)"],
                capture_output=True, text=True, timeout=600)
            assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        finally:
            server.stop()
