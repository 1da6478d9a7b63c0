package direct.with_else

metadata := {"code": "DIR008", "name": "with-else", "severity": "error", "summary": "with and else go to the interpreter"}

size := "big" if {
	count(input.resource.regions) > 1
} else := "small"

deny contains size if input.kind == "cluster"

deny contains "with" if {
	input.kind == "cluster"
	size == "small" with input.resource.regions as [1, 2]
}
