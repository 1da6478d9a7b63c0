package direct.membership

metadata := {"code": "DIR007", "name": "membership", "severity": "error", "summary": "membership and object.get"}

deny contains {"msg": "owner", "at": t.key} if {
	some t in input.resource.tags
	"owner" == lower(t.key.value)
	not t.value.value in {"a", "b"}
}

deny contains object.get(input.resource, ["name", "value"], "nameless") if {
	input.kind == "cluster"
	"AWS" in {r.provider.value | some r in input.resource.regions}
	0, "x" in ["x"]
	not 1, "x" in ["x"]
}

deny contains "project" if {
	input.project.partition == "gov"
	input.resource.loc.line > 0
}
