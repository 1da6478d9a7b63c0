package direct.fast_paths_6

# The shorter ways the direct evaluation takes must give what the interpreter gives: another resource built whole.

metadata := {"code": "DIR046", "name": "fast-paths-6", "severity": "warning", "summary": "another resource built whole"}

deny contains sprintf("a %s whole: %d keys", [input.kind, count(input.resource)]) if {
	not input.kind in {"cluster", "project"}
}
