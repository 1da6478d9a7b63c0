#!/usr/bin/env python3
"""Write N policies for the benchmark: the shipped examples (examples/policies/), repeated
under new package names and codes (ORG101, ORG102, ...) until there are N.

usage: bench/gen_policies.py DIR N
"""
import pathlib
import re
import sys

out, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
examples = sorted(p for p in pathlib.Path("examples/policies").glob("*.rego") if not p.stem.endswith("_test"))
for i in range(n):
    src = examples[i % len(examples)].read_text()
    src = re.sub(r"^package (\S+)", lambda m: f"package bench.p{i}", src, count=1, flags=re.M)
    src = re.sub(r'"code": "ORG\d+"', f'"code": "ORG{101 + i}"', src)
    src = re.sub(r'"name": "([a-z-]+)"', lambda m: f'"name": "{m.group(1)}-{i}"', src, count=1)
    (out / f"p{i}.rego").write_text(src)
