package direct.lazy_parts_0

metadata := {"code": "DIR018", "name": "lazy-parts-0", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains {"msg": "the location", "at": input.resource.loc} if input.kind == "cluster"
