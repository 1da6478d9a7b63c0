package direct.rule_conflict

metadata := {"code": "DIR017", "name": "rule-conflict", "severity": "error", "summary": "a rule with two values"}

deny contains "two values" if {
	input.kind == "cluster"
	clash == 1
}

clash := v if {
	some v in [1, 2]
}
