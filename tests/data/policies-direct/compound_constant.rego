package direct.compound_constant

metadata := {"code": "DIR027", "name": "compound-constant", "severity": "error", "summary": "a rule whose value is an object goes through every solution"}

big := {"tier": "big"} if {
	some r in input.resource.regions
	some s in r.sizes
	to_number(trim_prefix(s.value, "M")) >= 40
}

deny contains sprintf("%v", [big]) if input.kind == "cluster"
