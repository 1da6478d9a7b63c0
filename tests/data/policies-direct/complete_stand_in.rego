package direct.complete_stand_in

metadata := {"code": "DIR038", "name": "complete-stand-in", "severity": "error", "summary": "a complete result rule with two definitions"}

deny := {"msg": "named", "at": input.resource.name} if input.kind == "cluster"

deny := {"msg": "named", "at": {"loc": {"ref": input.resource.name.loc.ref}}} if input.resource.type == "advanced"
