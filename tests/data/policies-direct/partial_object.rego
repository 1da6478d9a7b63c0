package direct.partial_object

metadata := {"code": "DIR009", "name": "partial-object", "severity": "error", "summary": "partial objects go to the interpreter"}

names[r.region.value] := r.provider.value if {
	some r in input.resource.regions
}

deny contains sprintf("%v", [names]) if input.kind == "cluster"
