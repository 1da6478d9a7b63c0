package direct.fast_paths_4

# The shorter ways the direct evaluation takes must give what the interpreter gives: a project read beyond its kind.

metadata := {"code": "DIR044", "name": "fast-paths-4", "severity": "warning", "summary": "a project read beyond its kind"}

deny contains sprintf("project %s (%s)", [input.resource.name.value, input.resource.partition]) if {
	input.kind == "project"
}
