package direct.builtin_errors

metadata := {"code": "DIR005", "name": "builtin-errors", "severity": "error", "summary": "builtin errors stop the policy"}

deny contains "n" if {
	input.kind == "cluster"
	to_number(input.resource.name.value) > 0
}
