package direct.lazy_parts_5

metadata := {"code": "DIR023", "name": "lazy-parts-5", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains sprintf("field %s", [k]) if {
	input.kind == "cluster"
	some k, v in input.resource
	v == null
}
