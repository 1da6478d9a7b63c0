package direct.unify

metadata := {"code": "DIR013", "name": "unify", "severity": "error", "summary": "unification and equality"}

deny contains t if {
	input.kind = "cluster"
	t = input.resource.type
	t = "advanced"
	x := 1
	x = 1
}

deny contains "whole values" if {
	input.kind == "cluster"
	input.resource.regions[0] == input.resource.regions[0]
	input.resource.tags != [1]
	input.resource.loc.ref >= 0
}
