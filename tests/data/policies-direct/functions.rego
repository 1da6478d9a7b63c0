package direct.functions

metadata := {"code": "DIR004", "name": "functions", "severity": "error", "summary": "functions, defaults and constants"}

default level := "none"

level := "big" if {
	some r in input.resource.regions
	some s in r.sizes
	tier(s.value) >= 40
}

tier(size) := to_number(trim_prefix(size, "M")) if regex.match(`^M[0-9]+$`, size)

tier("R40") := 40

double(x) := x * 2

deny contains sprintf("level %s, %v", [level, double(3)]) if input.kind == "cluster"
