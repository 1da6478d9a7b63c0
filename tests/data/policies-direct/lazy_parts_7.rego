package direct.lazy_parts_7

metadata := {"code": "DIR025", "name": "lazy-parts-7", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains sprintf("%v", [input.resource.regions[0].sizes]) if input.kind == "cluster"
