package direct.loops

metadata := {"code": "DIR001", "name": "loops", "severity": "error", "summary": "iteration with [_] and named keys"}

deny contains sprintf("region %d of %s is %s", [i, input.resource.name.value, r.region.value]) if {
	input.kind == "cluster"
	r := input.resource.regions[i]
	r.region.value != null
}

deny contains {"msg": "size", "at": s} if {
	s := input.resource.regions[_].sizes[_]
	startswith(s.value, "M1")
}
