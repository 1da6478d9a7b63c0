package direct.data_number

metadata := {"code": "DIR032", "name": "data-number", "severity": "error", "summary": "a number index into a rule's value"}

deny contains data.direct.lib3.obj[1] if input.kind == "cluster"
