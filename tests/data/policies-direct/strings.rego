package direct.strings

metadata := {"code": "DIR011", "name": "strings", "severity": "error", "summary": "string builtins and undefined arguments"}

deny contains msg if {
	input.kind == "cluster"
	name := input.resource.name.value
	msg := sprintf("%s|%s|%v|%v|%s", [upper(name), replace(name, "-", "_"), contains(name, "a"), endswith(name, "1"), concat(",", split(name, "-"))])
}

deny contains "never" if {
	input.kind == "cluster"
	upper(input.resource.nothing) == "X"
}

deny contains x if {
	x := input.resource.mongodb_version.value
	semver_like(x)
}

semver_like(v) if regex.match(`^[0-9]+(\.[0-9]+)*$`, v)
