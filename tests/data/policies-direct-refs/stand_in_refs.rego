package direct.stand_in_refs

metadata := {"code": "DIR049", "name": "stand-in-refs", "severity": "error", "summary": "results that point at parts and at refs written"}

# Parts pointed at (stand-ins, which need no numbering of the resource's locations) and refs
# the policy writes, into the projects' locations and into the resource's own (which do).
deny contains {"msg": "a part", "at": input.resource.name} if input.kind == "cluster"

deny contains {"msg": sprintf("ref %d, written", [r]), "at": {"ref": r}} if {
	input.kind == "cluster"
	some r in numbers.range(0, 80)
}

deny contains {"msg": "a ref past every location", "at": {"ref": 1099511627775}} if input.kind == "cluster"

warn contains {"msg": "a part's location", "at": input.resource.name.loc} if input.kind == "cluster"
