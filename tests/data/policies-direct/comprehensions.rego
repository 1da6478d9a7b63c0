package direct.comprehensions

metadata := {"code": "DIR003", "name": "comprehensions", "severity": "error", "summary": "comprehensions"}

regions := [r.region.value | some r in input.resource.regions]

providers := {p | some r in input.resource.regions; p := r.provider.value}

by_region := {r.region.value: count(r.sizes) | some r in input.resource.regions}

deny contains sprintf("%d regions, %d providers, %v", [count(regions), count(providers), by_region]) if {
	input.kind == "cluster"
	count(regions) > 1
}

deny contains "undefined element" if {
	input.kind == "cluster"
	count([r.nothing | some r in input.resource.regions]) > 0
}
