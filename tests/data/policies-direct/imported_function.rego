package direct.imported_function

import data.direct.lib3.upper

metadata := {"code": "DIR033", "name": "imported-function", "severity": "error", "summary": "an imported function named like a builtin"}

deny contains upper("x") if input.kind == "cluster"
