package direct.lazy_parts_6

metadata := {"code": "DIR024", "name": "lazy-parts-6", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains "same name" if {
	input.resource.name == input.resource.name
	input.resource.name != "c1"
	input.resource.regions != input.resource.tags
}
