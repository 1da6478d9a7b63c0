#!/usr/bin/env python3
"""Generate a benchmark corpus of Atlas specs.

Directories of 20 files, one project each. Most directories hold Admin API bodies (half JSON,
half YAML, a third of those multi-document streams); one in ten is a Terraform module (the
project in main.tf, a variables.tf and terraform.tfvars, one cluster resource per file, some
regions from variables) and one in ten CloudFormation templates (a project and its cluster per
template, some values from parameter defaults). About 10% of clusters have a violation (Azure,
M10, commercial region); plus unrelated YAML/JSON files. Deterministic for a given seed.

With --flat, every file goes in OUT_DIR itself (one project.json and N-1 Admin API cluster
bodies) and OUT_DIR gets a `.git` directory: the repository of the one-file-among-siblings
benchmark (a file checked alone reads its directory's spec files as linking context).

With --adopted, nine clusters in ten also meet the example policies (examples/policies/): an
`owner` tag and termination protection, as in a repository that has adopted them (the policy
benchmark's other corpus: `POLICIES=10 ADOPTED=1 bench/run.sh`). Everything else is the same.

usage: gen_corpus.py [--flat] [--adopted] OUT_DIR N_FILES [SEED]
"""
import json
import os
import random
import sys

GOV = ["US_GOV_WEST_1", "US_GOV_EAST_1"]
GCP_AW = ["EASTERN_US_AW", "CENTRAL_US_AW", "US_EAST_4_AW"]
SIZES = ["M20", "M30", "M40", "M50", "R40", "M40_NVME", "M30_GEN_2"]
ADOPTED = False


def adopted(i):
    """Whether cluster i meets the example policies (nine in ten, with --adopted)."""
    return ADOPTED and i % 10 != 5


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
    c = {
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
    if adopted(i):
        c["tags"].append({"key": "owner", "value": f"team-{i % 17}"})
        c["terminationProtectionEnabled"] = True
    return c


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


def hcl(value, indent=1):
    """A Terraform attribute value (objects and lists of objects as HCL literals)."""
    pad = "  " * indent
    if isinstance(value, dict):
        body = "".join(f"{pad}  {k} = {hcl(v, indent + 1)}\n" for k, v in value.items())
        return "{\n" + body + pad + "}"
    if isinstance(value, list):
        return "[\n" + "".join(f"{pad}  {hcl(v, indent + 1)},\n" for v in value) + pad + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.startswith("var."):
        return value
    return json.dumps(value)


def tf_region_config(rc, use_var):
    return {
        "provider_name": rc["providerName"],
        "region_name": "var.region" if use_var else rc["regionName"],
        "priority": rc["priority"],
        "electable_specs": {"instance_size": rc["electableSpecs"]["instanceSize"], "node_count": 3},
        "read_only_specs": {"instance_size": rc["readOnlySpecs"]["instanceSize"], "node_count": 0},
    }


def terraform_file(rng, d, i):
    """A directory of a Terraform module: main.tf, variables.tf, terraform.tfvars, clusters."""
    k = i % 20
    if k == 0:
        return "main.tf", (
            'terraform {\n  required_providers {\n    mongodbatlas = { source = "mongodb/mongodbatlas" }\n  }\n}\n\n'
            'provider "mongodbatlas" {\n  is_mongodbgov_cloud = true\n}\n\n'
            f'resource "mongodbatlas_project" "p" {{\n  name   = "project-{d}"\n  org_id = "5f1d2c3b4a5968776a5b4c3d"\n'
            '  region_usage_restrictions = "GOV_REGIONS_ONLY"\n}\n'
        )
    if k == 1:
        return "variables.tf", 'variable "region" {\n  type    = string\n  default = "US_GOV_WEST_1"\n}\n\nvariable "env" {\n  type = string\n}\n'
    if k == 2:
        return "terraform.tfvars", f'region = "{rng.choice(GOV)}"\nenv    = "prod"\n'
    c = cluster(rng, i)
    specs = [{"region_configs": [tf_region_config(rc, n == 0 and i % 4 == 0 and rc["providerName"] == "AWS")
                                 for n, rc in enumerate(spec["regionConfigs"])]} for spec in c["replicationSpecs"]]
    body = {
        "project_id": "mongodbatlas_project.p.id",
        "name": c["name"],
        "cluster_type": c["clusterType"],
        "backup_enabled": True,
        "replication_specs": specs,
    }
    lines = [f'resource "mongodbatlas_advanced_cluster" "c{i}" {{']
    for key, value in body.items():
        if key == "project_id":
            lines.append("  project_id = mongodbatlas_project.p.id")
        else:
            lines.append(f"  {key} = {hcl(value)}")
    if adopted(i):
        lines.append("  termination_protection_enabled = true")
        lines.append("  tags = {\n    team  = \"team-%d\"\n    owner = \"team-%d\"\n  }" % (i % 17, i % 17))
    else:
        lines.append("  tags = {\n    team = \"team-%d\"\n  }" % (i % 17))
    lines.append("}")
    return f"cluster-{i}.tf", "\n".join(lines) + "\n"


def cfn_file(rng, d, i):
    """A CloudFormation template: a project and its cluster, the tier a parameter default."""
    c = cluster(rng, i)
    rcs = []
    for spec in c["replicationSpecs"]:
        rcs.append({"AdvancedRegionConfigs": [{
            "ProviderName": rc["providerName"], "RegionName": rc["regionName"], "Priority": rc["priority"],
            "ElectableSpecs": {"InstanceSize": {"Ref": "Tier"}, "NodeCount": 3},
        } for rc in spec["regionConfigs"]]})
    tier = c["replicationSpecs"][0]["regionConfigs"][0]["electableSpecs"]["instanceSize"]
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Tier": {"Type": "String", "Default": tier}},
        "Resources": {
            "Project": {"Type": "MongoDB::Atlas::Project", "Properties": {
                "Name": f"project-{d}-{i}", "OrgId": "5f1d2c3b4a5968776a5b4c3d",
                "RegionUsageRestrictions": "GOV_REGIONS_ONLY"}},
            "Cluster": {"Type": "MongoDB::Atlas::Cluster", "Properties": {
                "ProjectId": {"Ref": "Project"}, "Name": c["name"], "ClusterType": "REPLICASET",
                "BackupEnabled": True, "ReplicationSpecs": rcs,
                **({"TerminationProtectionEnabled": True, "Tags": [{"Key": "owner", "Value": f"team-{i % 17}"}]}
                   if adopted(i) else {})}},
        },
    }
    if i % 2:
        return f"stack-{i}.json", json.dumps(template, indent=2)
    return f"stack-{i}.yaml", to_yaml(template) + "\n"


def flat(out, n, rng):
    os.makedirs(os.path.join(out, ".git"), exist_ok=True)
    with open(os.path.join(out, "project.json"), "w") as f:
        json.dump(project(0), f, indent=2)
    for i in range(1, n):
        with open(os.path.join(out, f"cluster-{i}.json"), "w") as f:
            json.dump(cluster(rng, i), f, indent=2)


def main():
    global ADOPTED
    args = sys.argv[1:]
    is_flat = "--flat" in args
    ADOPTED = "--adopted" in args
    args = [a for a in args if a not in ("--flat", "--adopted")]
    out, n = args[0], int(args[1])
    rng = random.Random(int(args[2]) if len(args) > 2 else 42)
    if is_flat:
        flat(out, n, rng)
        return
    per_dir = 20
    for i in range(n):
        d = os.path.join(out, f"p{i // per_dir:05d}")
        os.makedirs(d, exist_ok=True)
        fmt = (i // per_dir) % 10
        if fmt in (7, 8):
            name, text = (terraform_file if fmt == 7 else cfn_file)(rng, i // per_dir, i)
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
            continue
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
