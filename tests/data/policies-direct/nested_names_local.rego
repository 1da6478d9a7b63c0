package direct.nested_names_local

metadata := {"code": "DIR040", "name": "nested-names-local", "severity": "error", "summary": "names local to a comprehension or every"}

deny contains sprintf("%v %v", [keys, all_named]) if {
	input.kind == "cluster"
	keys := [k | some t in input.resource.tags; k := t.key.value]
	all_named := count({v | some v; v = input.resource.regions[_].provider.value})
	every t in input.resource.tags {
		t.key.value != ""
	}
}
