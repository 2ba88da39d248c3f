#!/usr/bin/env python3
"""Checks `deja parse --format` on loghub-2k: with each dataset's loghub format string, the Content
parsed from each raw <Name>_2k.log line must equal the Content column of <Name>_2k.log_structured.csv.

    python3 scripts/eval_formats.py [--shared ../shared]
"""
import argparse, csv, json, os, subprocess, sys

FORMATS = {  # the Drain benchmark's formats (logpai/logparser), as listed in loghub-2k/README.md
    "Android": r"<Date> <Time>  <Pid>  <Tid> <Level> <Component>: <Content>",
    "Apache": r"\[<Time>\] \[<Level>\] <Content>",
    "BGL": r"<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>",
    "HDFS": r"<Date> <Time> <Pid> <Level> <Component>: <Content>",
    "HPC": r"<LogId> <Node> <Component> <State> <Time> <Flag> <Content>",
    "Hadoop": r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>",
    "Linux": r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
    "OpenSSH": r"<Date> <Day> <Time> <Component> sshd\[<Pid>\]: <Content>",
    "Spark": r"<Date> <Time> <Level> <Component>: <Content>",
    "Thunderbird": r"<Label> <Timestamp> <Date> <User> <Month> <Day> <Time> <Location> <Component>(\[<PID>\])?: <Content>",
    "Windows": r"<Date> <Time>, <Level>                  <Component>    <Content>",
    "Zookeeper": r"<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] - <Content>",
}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
args = ap.parse_args()
subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
deja = os.path.join(ROOT, ".build", "release", "deja")
worst = 1.0
print("| dataset | lines | Content equal | share |\n|---|---|---|---|")
for name, fmt in FORMATS.items():
    folder = os.path.join(args.shared, "data", "loghub-2k", name)
    with open(os.path.join(folder, f"{name}_2k.log_structured.csv"), newline="", encoding="utf-8") as fh:
        expected = [row["Content"] for row in csv.DictReader(fh)]
    out = subprocess.run([deja, "parse", "--format", fmt, os.path.join(folder, f"{name}_2k.log")],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    got = [json.loads(l).get("Content") for l in out]
    equal = sum(1 for g, e in zip(got, expected) if g == e)
    share = equal / len(expected)
    worst = min(worst, share)
    print(f"| {name} | {len(expected)} | {equal} | {share:.4f} |")
print(f"\nlowest share {worst:.4f}")
sys.exit(0 if worst >= 0.99 else 1)
