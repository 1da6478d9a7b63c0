package direct.fast_paths_7

# The shorter ways the direct evaluation takes must give what the interpreter gives: `lower` and `upper` of strings in and out of their case.

metadata := {"code": "DIR047", "name": "fast-paths-7", "severity": "warning", "summary": "`lower` and `upper` of strings in and out of their case"}

deny contains sprintf("lower %s upper %s", [lower(input.resource.name.value), upper(input.resource.name.value)]) if {
	input.kind == "cluster"
	lower(input.resource.name.value) != upper(input.resource.name.value)
	lower("ascii lower") == "ascii lower"
	upper("ASCII UPPER") == "ASCII UPPER"
	lower("ÀÉ Mixed") == "àé mixed"
	upper("àé mixed") == "ÀÉ MIXED"
}
