package direct.every_solutions

metadata := {"code": "DIR028", "name": "every-solutions", "severity": "error", "summary": "every goes through every solution of its body"}

deny contains "all regions big" if {
	input.kind == "cluster"
	every r in input.resource.regions {
		some s in r.sizes
		to_number(trim_prefix(s.value, "M")) >= 10
	}
}
