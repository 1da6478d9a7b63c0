package direct.lazy_parts_8

metadata := {"code": "DIR026", "name": "lazy-parts-8", "severity": "error", "summary": "parts of a cluster used whole or pointed at"}

deny contains "d" if input.kind == "cluster"

deny contains "e" if input.resource.type == "advanced"

warn contains sprintf("%d results", [count(deny)]) if input.kind == "cluster"
