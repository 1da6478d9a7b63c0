package direct.lib_user

import data.direct.lib

metadata := {"code": "DIR010", "name": "lib-user", "severity": "warning", "summary": "rules of another package through an import"}

deny contains "not ok" if {
	input.kind == "cluster"
	not lib.ok
}

warn contains sprintf("%s", [lib.label(input.resource.type)]) if input.kind == "cluster"

warn contains "data" if {
	data.direct.lib.ok
}
