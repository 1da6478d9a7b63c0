package direct.lazy_parts_1

metadata := {"code": "DIR019", "name": "lazy-parts-1", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains {"msg": "the regions", "at": input.resource.regions} if input.kind == "cluster"
