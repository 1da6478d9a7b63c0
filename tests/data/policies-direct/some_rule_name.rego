package direct.some_rule_name

metadata := {"code": "DIR036", "name": "some-rule-name", "severity": "error", "summary": "some declares the name of a rule"}

region := "none"

deny contains sprintf("region %s", [region]) if {
	some region
	region = input.resource.regions[_].region.value
}
