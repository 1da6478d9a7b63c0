package direct.old_output

metadata := {"code": "DIR016", "name": "old-output", "severity": "warning", "summary": "a result that is a set of strings, warnings"}

warn contains r.provider.value if {
	some r in input.resource.regions
}

deny := {"a fixed message"} if input.kind == "user"
