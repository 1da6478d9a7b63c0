#!/usr/bin/env python3
"""Generate a benchmark corpus of Atlas specs.

Half Admin API JSON bodies, half YAML (a third of those multi-document streams), one project
per directory, about 10% of clusters with a violation (Azure, M10, commercial region), plus
unrelated YAML/JSON files. Deterministic for a given seed.

usage: gen_corpus.py OUT_DIR N_FILES [SEED]
"""
import json
import os
import random
import sys

GOV = ["US_GOV_WEST_1", "US_GOV_EAST_1"]
GCP_AW = ["EASTERN_US_AW", "CENTRAL_US_AW", "US_EAST_4_AW"]
SIZES = ["M20", "M30", "M40", "M50", "R40", "M40_NVME", "M30_GEN_2"]


def region_config(rng, bad):
    provider, region = ("AWS", rng.choice(GOV)) if rng.random() < 0.8 else ("GCP", rng.choice(GCP_AW))
    size = rng.choice(SIZES)
    if bad == "azure":
        provider, region = "AZURE", "US_GOV_VIRGINIA"
    elif bad == "tier":
        size = "M10"
    elif bad == "region":
        provider, region = "AWS", "EU_WEST_1"
    return {
        "providerName": provider,
        "regionName": region,
        "priority": 7,
        "electableSpecs": {"instanceSize": size, "nodeCount": 3, "diskIOPS": 3000, "ebsVolumeType": "STANDARD"},
        "readOnlySpecs": {"instanceSize": size, "nodeCount": 0},
        "analyticsSpecs": {"instanceSize": size, "nodeCount": 0},
        "autoScaling": {"diskGB": {"enabled": True}, "compute": {"enabled": False, "scaleDownEnabled": False}},
    }


def cluster(rng, i):
    bad = rng.choice(["azure", "tier", "region"]) if rng.random() < 0.1 else None
    n = rng.randint(1, 3)
    return {
        "name": f"cluster-{i}",
        "clusterType": "REPLICASET",
        "backupEnabled": True,
        "pitEnabled": True,
        "encryptionAtRestProvider": "AWS",
        "mongoDBMajorVersion": "7.0",
        "tags": [{"key": "team", "value": f"team-{i % 17}"}, {"key": "env", "value": "prod"}],
        "labels": [{"key": "cost-center", "value": str(1000 + i % 50)}],
        "replicationSpecs": [
            {"zoneName": f"Zone {z + 1}", "regionConfigs": [region_config(rng, bad if z == 0 and k == 0 else None) for k in range(n)]}
            for z in range(rng.randint(1, 2))
        ],
    }


def project(i):
    return {"name": f"project-{i}", "orgId": "5f1d2c3b4a5968776a5b4c3d", "regionUsageRestrictions": "GOV_REGIONS_ONLY", "withDefaultAlertsSettings": True}


def to_yaml(value, indent=0):
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 1))
            else:
                lines.append(f"{pad}{k}: {scalar(v)}")
        return "\n".join(lines)
    if isinstance(value, list):
        lines = []
        for v in value:
            if isinstance(v, dict) and v:
                inner = to_yaml(v, indent + 1).split("\n")
                first = inner[0].strip()
                lines.append(f"{pad}- {first}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {scalar(v)}")
        return "\n".join(lines)
    return pad + scalar(value)


def scalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (dict, list)):
        return "{}" if isinstance(v, dict) else "[]"
    return str(v)


def unrelated(rng, i):
    if i % 2:
        return "package.json", json.dumps({"name": f"svc-{i}", "version": "1.0.0", "dependencies": {"express": "^4"}}, indent=2)
    return "ci.yml", "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n"


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    per_dir = 20
    for i in range(n):
        d = os.path.join(out, f"p{i // per_dir:05d}")
        os.makedirs(d, exist_ok=True)
        if i % per_dir == 0:
            with open(os.path.join(d, "project.json"), "w") as f:
                json.dump(project(i // per_dir), f, indent=2)
            continue
        if i % per_dir == 1:
            name, text = unrelated(rng, i)
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
            continue
        if i % 2 == 0:
            with open(os.path.join(d, f"cluster-{i}.json"), "w") as f:
                json.dump(cluster(rng, i), f, indent=2)
        else:
            docs = [cluster(rng, i)] + ([cluster(rng, i + 100000)] if i % 3 == 0 else [])
            with open(os.path.join(d, f"cluster-{i}.yaml"), "w") as f:
                f.write("\n---\n".join(to_yaml(doc) for doc in docs) + "\n")


if __name__ == "__main__":
    main()
