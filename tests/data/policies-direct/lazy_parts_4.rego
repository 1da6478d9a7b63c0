package direct.lazy_parts_4

metadata := {"code": "DIR022", "name": "lazy-parts-4", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains sprintf("%d keys, first region %v, loc %v", [count(object.keys(input.resource)), input.resource.regions[0], input.resource.loc]) if input.kind == "cluster"
