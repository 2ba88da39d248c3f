"""rsyslog's omelasticsearch ships a file to Deja's Elasticsearch bulk endpoint, unmodified."""
import os, shutil, subprocess, tempfile, time

import pytest


@pytest.mark.skipif(shutil.which("rsyslogd") is None, reason="rsyslog is installed by scripts/setup.sh --integration")
def test_rsyslog_omelasticsearch_ships_a_file(server):
    work = tempfile.mkdtemp(prefix="deja-rsyslog-")
    log_file = os.path.join(work, "app.log")
    open(log_file, "w").close()
    config = os.path.join(work, "rsyslog.conf")
    with open(config, "w") as fh:
        fh.write(f"""
global(workDirectory="{work}")
module(load="imfile" mode="polling" PollingInterval="1")
module(load="omelasticsearch")
template(name="deja-json" type="list" option.jsonf="on") {{
  property(outname="@timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  constant(outname="app" value="legacy-billing" format="jsonf")
}}
input(type="imfile" File="{log_file}" Tag="billing" ruleset="ship")
ruleset(name="ship") {{
  action(type="omelasticsearch" server="127.0.0.1" serverport="{server.port}" template="deja-json" searchIndex="syslog"
         bulkmode="on" action.resumeRetryCount="-1" action.resumeInterval="1")
}}
""")
    check = subprocess.run(["rsyslogd", "-N1", "-f", config], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    daemon = subprocess.Popen(["rsyslogd", "-n", "-f", config, "-i", os.path.join(work, "rsyslog.pid")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        time.sleep(2)
        with open(log_file, "a") as fh:
            for i in range(3):
                fh.write(f"ERROR ledger export {i} aborted: disk quota exceeded on /srv/ledger\n")
        group = server.wait_for_search("ledger export aborted disk quota", lambda g: g["signature"]["service"] == "legacy-billing", timeout=60)
        event = group["events"][0]
        assert event["level"] == "error" and event["labels"]["_index"] == "syslog" and event["tenant"] == "default"
        assert group["count"] == 3
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
