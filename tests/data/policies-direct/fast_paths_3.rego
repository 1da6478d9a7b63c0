package direct.fast_paths_3

# The shorter ways the direct evaluation takes must give what the interpreter gives: `input.kind` compared with a number.

metadata := {"code": "DIR043", "name": "fast-paths-3", "severity": "warning", "summary": "`input.kind` compared with a number"}

deny contains "a kind compared with a number" if {
	input.kind != 7
	not input.kind == 7
}
