package direct.fast_paths_1

# The shorter ways the direct evaluation takes must give what the interpreter gives: `input.kind` compared in place.

metadata := {"code": "DIR041", "name": "fast-paths-1", "severity": "warning", "summary": "`input.kind` compared in place"}

deny contains sprintf("kind %s is not a cluster", [input.kind]) if {
	input.kind != "cluster"
	input.kind < "q"
}
