package direct.lazy_parts_2

metadata := {"code": "DIR020", "name": "lazy-parts-2", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains {"msg": "a tag", "at": input.resource.tags[0]} if input.kind == "cluster"
