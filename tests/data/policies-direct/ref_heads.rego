package direct.ref_heads

metadata := {"code": "DIR034", "name": "ref-heads", "severity": "error", "summary": "rules whose heads are references"}

default limits.min := 1

limits.max := 3

deny contains sprintf("%v", [limits]) if input.kind == "cluster"
