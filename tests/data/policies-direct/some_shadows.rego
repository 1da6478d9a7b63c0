package direct.some_shadows

metadata := {"code": "DIR031", "name": "some-shadows", "severity": "error", "summary": "some declares a new name"}

deny contains sprintf("%v", [[x | some x; x = input.resource.regions[_].provider.value]]) if {
	x := 1
	input.kind == "cluster"
}

deny contains sprintf("tag %d", [i]) if {
	some i
	input.resource.tags[i].key.value == "owner"
}
