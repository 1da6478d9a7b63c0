package direct.ranges

metadata := {"code": "DIR012", "name": "ranges", "severity": "error", "summary": "numbers.range and its bound"}

deny contains "range" if {
	input.kind == "cluster"
	count(numbers.range(1, 10)) == 10
	count(numbers.range_step(0, 10, 5)) == 3
}

deny contains "huge" if {
	input.kind == "project"
	count(numbers.range(1, 100000000)) > 0
}
