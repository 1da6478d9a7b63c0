package direct.nested_names

metadata := {"code": "DIR039", "name": "nested-names", "severity": "error", "summary": "names bound inside a comprehension or every"}

deny contains sprintf("%d tags named owner", [n]) if {
	input.kind == "cluster"
	n := count([k | k = input.resource.tags[_].key.value])
	k = "owner"
}

deny contains sprintf("x=%v", [x]) if {
	input.kind == "cluster"
	some x
	xs := [x | x = "a"]
	x == "a"
}

deny contains sprintf("v=%v", [vs]) if {
	input.kind == "cluster"
	vs := [v | v := ["a", "b"][i]]
	i = 1
}
