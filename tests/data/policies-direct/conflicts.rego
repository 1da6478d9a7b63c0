package direct.conflicts

metadata := {"code": "DIR015", "name": "conflicts", "severity": "error", "summary": "a function with two values"}

pick(x) := 1 if x > 0

pick(x) := 2 if x > 1

deny contains "picked" if {
	input.kind == "cluster"
	pick(count(input.resource.regions)) == 1
}
