package direct.fast_paths_2

# The shorter ways the direct evaluation takes must give what the interpreter gives: `input.kind` and `input.version` as values.

metadata := {"code": "DIR042", "name": "fast-paths-2", "severity": "warning", "summary": "`input.kind` and `input.version` as values"}

deny contains sprintf("version %v of a %s", [input.version, input["kind"]]) if {
	input.kind >= "p"
	input.version == 1
}
