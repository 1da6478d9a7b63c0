package direct.same_place

metadata := {"code": "DIR037", "name": "same-place", "severity": "error", "summary": "results at one place, through variables"}

deny contains {"msg": "a tag", "at": t.key} if {
	some t in input.resource.tags
	not t.key.value in {"owner"}
}

deny contains {"msg": "a region", "at": r.region} if {
	some r in input.resource.regions
	r.region.value != "US_GOV_WEST_1"
}

deny contains {"msg": "its location", "at": input.resource.regions[1].region.loc} if input.kind == "cluster"
