package direct.lazy_parts_3

metadata := {"code": "DIR021", "name": "lazy-parts-3", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains {"msg": "the input", "at": input} if {
	x := input
	x.resource.type == "advanced"
}
