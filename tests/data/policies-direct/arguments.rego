package direct.arguments

metadata := {"code": "DIR029", "name": "arguments", "severity": "error", "summary": "every argument is evaluated"}

deny contains "x" if {
	input.kind == "cluster"
	startswith(input.resource.nothing, format_int(to_number(input.resource.name.value), 10))
}
