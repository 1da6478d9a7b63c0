package direct.fast_paths_5

# The shorter ways the direct evaluation takes must give what the interpreter gives: another resource's project.

metadata := {"code": "DIR045", "name": "fast-paths-5", "severity": "warning", "summary": "another resource's project"}

deny contains sprintf("a %s of project %v", [input.kind, input.project.name.value]) if {
	input.kind != "cluster"
	input.kind != "project"
}
