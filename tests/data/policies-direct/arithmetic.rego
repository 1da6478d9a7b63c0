package direct.arithmetic

metadata := {"code": "DIR006", "name": "arithmetic", "severity": "error", "summary": "arithmetic and sets"}

deny contains sprintf("%v %v %v", [a, b, c]) if {
	input.kind == "cluster"
	a := count(input.resource.regions) + 1 - 2 * 3
	b := {1, 2, 3} - {2} | {9} & {9, 8}
	c := -1
}

deny contains "div" if {
	input.kind == "project"
	x := 1 / count(input.resource.tags)
	x > 0
}

deny contains "mod" if {
	input.kind == "cluster"
	10 % 3 == 1
	5 / 2 == 2.5
}
