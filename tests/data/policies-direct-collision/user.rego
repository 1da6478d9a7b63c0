package direct.sub_user

metadata := {"code": "DIR035", "name": "rule-and-package", "severity": "error", "summary": "a rule whose path is a package's"}

deny contains data.direct.sub.b.c if input.kind == "cluster"

deny contains "plain" if input.kind == "cluster"
