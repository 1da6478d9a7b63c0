#!/usr/bin/env python3
"""How `check` scales with the size of one layout: each layout generated at N and 3N (and 9N
with --nine), run side by side, medians of three; the time and peak-memory ratios printed.
Linear work gives about 3x; a ratio past 4.5x is flagged (something goes over all of a kind
once per item of it). Each layout is one that went quadratic before (docs/speed.md, Scaling).

usage: bench/scaling.py [--bin PATH] [--nine] [--keep] [LAYOUT...]
       (default binary: target/release/atlasgov-lint; default: every layout)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ORG = "5f1d2c3b4a5968776a5b4c3d"
REGIONS = ["US_GOV_WEST_1", "US_GOV_EAST_1", "US_EAST_1"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def tf_cluster(name, region, tier, project="mongodbatlas_project.p.id"):
    return f'''resource "mongodbatlas_advanced_cluster" "{name}" {{
  project_id   = {project}
  name         = "{name}"
  cluster_type = "REPLICASET"
  replication_specs = [{{
    region_configs = [{{
      provider_name   = "AWS"
      region_name     = {region}
      priority        = 7
      electable_specs = {{ instance_size = {tier}, node_count = 3 }}
    }}]
  }}]
}}
'''


TF_PROJECT = f'resource "mongodbatlas_project" "p" {{\n  name   = "p"\n  org_id = "{ORG}"\n  region_usage_restrictions = "GOV_REGIONS_ONLY"\n}}\n'


def shared_shell_variable(d, n):
    """One script: a tier and a region set once, used by n commands (fixes reconciled per use)."""
    lines = ["#!/usr/bin/env bash", "set -euo pipefail", "TIER=M10", "REGION=US_EAST_1",
             f"export MONGODB_ATLAS_PROJECT_ID=$(atlas projects create t --orgId {ORG} --govCloudRegionsOnly -o json | jq -r .id)"]
    lines += [f'atlas clusters create c{i} --provider AWS --region "$REGION" --tier "$TIER"' for i in range(n)]
    write(f"{d}/provision.sh", "\n".join(lines) + "\n")


def shell_variables(d, n):
    """One script setting two variables per command, n commands (their uses, found per variable)."""
    lines = ["#!/usr/bin/env bash", "set -euo pipefail"]
    for i in range(n):
        lines += [f"TIER_{i}=M{[10, 30, 40][i % 3]}", f'REGION_{i}="{REGIONS[i % 3]}"',
                  f'atlas clusters create c{i} --provider AWS --region "${{REGION_{i}}}" --tier "$TIER_{i}"']
    write(f"{d}/provision.sh", "\n".join(lines) + "\n")


def workflow_matrix(d, n):
    """A GitHub Actions workflow with n variables and n/16 matrix jobs (each step held them all)."""
    lines = ["name: provision", "on: [workflow_dispatch]", "env:"]
    lines += [f'  VAR_{i}: "v{i}"' for i in range(n)] + ["  TIER: M10", "jobs:"]
    for j in range(max(1, n // 16)):
        lines.append(f"  job{j}:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        region: [{', '.join(REGIONS[(k + j) % 3] for k in range(16))}]")
        lines.append(f'    steps:\n      - run: atlas clusters create c{j}-${{{{ matrix.region }}}} --provider AWS --region ${{{{ matrix.region }}}} --tier "$TIER" --projectId 64b7f1e2a1b2c3d4e5f60718')
    write(f"{d}/.github/workflows/provision.yml", "\n".join(lines) + "\n")


def projects_in_one_file(d, n):
    """An Admin API array of n projects without regionUsageRestrictions (a fix placed for each)."""
    write(f"{d}/projects.json", json.dumps([{"name": f"p{i}", "orgId": ORG} for i in range(n)], indent=2))


def projects_without_usage(d, n):
    """n directories, each a project without regionUsageRestrictions and its cluster (GOV005)."""
    for i in range(n):
        write(f"{d}/p{i:05d}/project.json", json.dumps({"name": f"p{i}", "orgId": ORG}))
        body = {"name": f"c{i}", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [
            {"providerName": "AWS", "regionName": REGIONS[i % 3], "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]}
        write(f"{d}/p{i:05d}/cluster.json", json.dumps(body))


def same_named_projects(d, n):
    """n/5 environment directories, each an AtlasProject named `app` and five deployments."""
    for e in range(max(1, n // 5)):
        write(f"{d}/envs/env{e}/project.yaml", f"apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata:\n  name: app\nspec:\n  name: app-{e}\n  regionUsageRestrictions: GOV_REGIONS_ONLY\n")
        for i in range(5):
            write(f"{d}/envs/env{e}/d{i}.yaml", f"apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata:\n  name: d{i}\nspec:\n  projectRef:\n    name: app\n  deploymentSpec:\n    name: d{e}-{i}\n    clusterType: REPLICASET\n    replicationSpecs:\n      - regionConfigs:\n          - providerName: AWS\n            regionName: {REGIONS[i % 3]}\n            priority: 7\n            electableSpecs: {{instanceSize: M30, nodeCount: 3}}\n")


def terraform_plan(d, n):
    """`terraform show -json` of n projects and n clusters (each looked up in the configuration)."""
    planned, configured = [], []
    for i in range(n):
        planned.append({"address": f"mongodbatlas_project.p{i}", "mode": "managed", "type": "mongodbatlas_project", "name": f"p{i}",
                        "values": {"name": f"p{i}", "org_id": ORG, "region_usage_restrictions": "GOV_REGIONS_ONLY"}})
        planned.append({"address": f"mongodbatlas_advanced_cluster.c{i}", "mode": "managed", "type": "mongodbatlas_advanced_cluster", "name": f"c{i}",
                        "values": {"name": f"c{i}", "cluster_type": "REPLICASET", "replication_specs": [{"region_configs": [
                            {"provider_name": "AWS", "region_name": REGIONS[i % 3], "priority": 7, "electable_specs": {"instance_size": "M30", "node_count": 3}}]}]}})
        configured.append({"address": f"mongodbatlas_advanced_cluster.c{i}", "mode": "managed", "type": "mongodbatlas_advanced_cluster", "name": f"c{i}",
                           "expressions": {"project_id": {"references": [f"mongodbatlas_project.p{i}.id", f"mongodbatlas_project.p{i}"]}}})
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": planned}},
            "configuration": {"root_module": {"resources": configured}}}
    write(f"{d}/plan.json", json.dumps(plan))


def terraform_locals(d, n):
    """A module of n/20 files, each with a `locals` block per cluster (each read searched them all)."""
    write(f"{d}/project.tf", TF_PROJECT)
    for j in range(0, n, 20):
        text = ""
        for i in range(j, min(n, j + 20)):
            text += f'locals {{\n  svc{i} = {{ region = "{REGIONS[i % 3]}", tier = "M30" }}\n}}\n'
            text += tf_cluster(f"c{i}", f"local.svc{i}.region", f"local.svc{i}.tier")
        write(f"{d}/svc{j}.tf", text)


def terraform_shared_default(d, n):
    """One variable default with a violation, used by n clusters."""
    write(f"{d}/variables.tf", 'variable "tier" {\n  default = "M10"\n}\n')
    write(f"{d}/main.tf", TF_PROJECT + "".join(tf_cluster(f"c{i}", '"US_GOV_WEST_1"', "var.tier") for i in range(n)))


def cloudformation_conditions(d, n):
    """One template: n conditions, each built from the one before, and n clusters under them."""
    resources = {"P": {"Type": "MongoDB::Atlas::Project", "Properties": {"Name": "p", "OrgId": ORG, "RegionUsageRestrictions": "GOV_REGIONS_ONLY"}}}
    conditions = {"C0": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}}
    for i in range(1, n):
        conditions[f"C{i}"] = {"Fn::Or": [{"Condition": f"C{i - 1}"}, {"Fn::Equals": [{"Ref": "Env"}, f"e{i}"]}]}
    for i in range(n):
        resources[f"K{i}"] = {"Type": "MongoDB::Atlas::Cluster", "Condition": f"C{i}", "Properties": {
            "ProjectId": {"Fn::GetAtt": ["P", "Id"]}, "Name": f"k{i}", "ClusterType": "REPLICASET",
            "ReplicationSpecs": [{"NumShards": 1, "AdvancedRegionConfigs": [{"ProviderName": "AWS", "RegionName": {"Ref": "Region"}, "Priority": 7,
                                                                            "ElectableSpecs": {"InstanceSize": "M30", "NodeCount": 3}}]}]}}
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Parameters": {"Env": {"Type": "String", "Default": "prod"}, "Region": {"Type": "String", "Default": "US_EAST_1"}},
                "Conditions": conditions, "Resources": resources}
    write(f"{d}/template.json", json.dumps(template, indent=1))


def helm_chart_values(d, n):
    """A team's own chart: one template of n clusters whose tier and region are values, rendered
    from values.yaml and five overrides (each value action found among all of them)."""
    write(f"{d}/chart/Chart.yaml", "apiVersion: v2\nname: many\nversion: 1.0.0\n")
    write(f"{d}/chart/values.yaml", "tier: M30\nregion: US_GOV_WEST_1\n")
    for e in range(5):
        write(f"{d}/chart/values-e{e}.yaml", f"tier: M{40 + e * 10}\n")
    docs = [f'''apiVersion: atlas.mongodb.com/v1
kind: AtlasDeployment
metadata:
  name: {{{{ .Release.Name }}}}-c{i}
spec:
  deploymentSpec:
    name: c{i}
    replicationSpecs:
      - regionConfigs:
          - providerName: AWS
            regionName: {{{{ .Values.region | quote }}}}
            electableSpecs:
              instanceSize: {{{{ .Values.tier }}}}
''' for i in range(n)]
    write(f"{d}/chart/templates/clusters.yaml", "---\n".join(docs))


LAYOUTS = {
    "shared-shell-variable": (shared_shell_variable, 3000),
    "shell-variables": (shell_variables, 3000),
    "workflow-matrix": (workflow_matrix, 2000),
    "projects-in-one-file": (projects_in_one_file, 10000),
    "projects-without-usage": (projects_without_usage, 3000),
    "same-named-projects": (same_named_projects, 6000),
    "terraform-plan": (terraform_plan, 3000),
    "terraform-locals": (terraform_locals, 3000),
    "terraform-shared-default": (terraform_shared_default, 2000),
    "cloudformation-conditions": (cloudformation_conditions, 2000),
    "helm-chart-values": (helm_chart_values, 1000),
}


def measure(binary, d):
    times, peaks = [], []
    for _ in range(3):
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", binary, "check", d, "--format", "json", "--no-cache"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        t, m = p.stderr.strip().splitlines()[-1].split()
        times.append(float(t))
        peaks.append(int(m))
    return statistics.median(times), statistics.median(peaks)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/atlasgov-lint")
    ap.add_argument("--nine", action="store_true", help="also 9N")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("layouts", nargs="*")
    a = ap.parse_args()
    if not os.path.exists("/usr/bin/time"):
        sys.exit("needs /usr/bin/time (Debian: apt-get install time)")
    names = a.layouts or list(LAYOUTS)
    root = tempfile.mkdtemp(prefix="atlasgov-scaling-")
    flagged = 0
    print(f"{'layout':28} {'N':>6} {'time N':>8} {'time 3N':>8} {'ratio':>6} {'RSS ratio':>9}" + ("  time 9N  ratio" if a.nine else ""))
    for name in names:
        gen, n = LAYOUTS[name]
        rows = []
        for mult in (1, 3, 9) if a.nine else (1, 3):
            d = os.path.join(root, f"{name}-{n * mult}")
            os.makedirs(d)
            gen(d, n * mult)
            rows.append(measure(a.bin, d))
        (t1, m1), (t3, m3) = rows[0], rows[1]
        ratio = t3 / t1 if t1 > 0 else float("nan")
        flag = "  <- superlinear" if ratio > 4.5 and t3 > 0.05 else ""
        flagged += bool(flag)
        line = f"{name:28} {n:>6} {t1:>8.3f} {t3:>8.3f} {ratio:>6.1f} {m3 / m1:>9.1f}"
        if a.nine:
            t9 = rows[2][0]
            line += f"  {t9:>7.3f} {t9 / t3 if t3 > 0 else float('nan'):>6.1f}"
        print(line + flag)
    if not a.keep:
        shutil.rmtree(root)
    else:
        print(f"generated files kept in {root}")
    sys.exit(1 if flagged else 0)


if __name__ == "__main__":
    main()
