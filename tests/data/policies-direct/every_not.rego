package direct.every_not

metadata := {"code": "DIR002", "name": "every-not", "severity": "error", "summary": "every, not and some k, v"}

all_aws if {
	every r in input.resource.regions {
		r.provider.value == "AWS"
	}
}

deny contains "not all AWS" if {
	input.kind == "cluster"
	not all_aws
}

deny contains sprintf("tag %d", [k]) if {
	some k, t in input.resource.tags
	not t.value
}

deny contains "empty regions pass every" if {
	input.kind == "cluster"
	every r in input.resource.regions {
		r.provider.value == "GCP"
	}
	count(input.resource.regions) == 0
}
