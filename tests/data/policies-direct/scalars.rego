package direct.scalars

metadata := {"code": "DIR014", "name": "scalars", "severity": "error", "summary": "iteration over a scalar"}

deny contains "some in a string" if {
	input.kind == "cluster"
	some c in input.resource.type
	c == "a"
}

deny contains "hoisted over a string" if {
	input.kind == "cluster"
	input.resource.type[_] == "a"
}
