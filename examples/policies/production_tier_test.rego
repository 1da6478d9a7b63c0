package org.production_tier_test

import data.org.production_tier

cluster(size, env) := {
	"version": 1,
	"kind": "cluster",
	"resource": {
		"name": {"value": "ledger", "loc": {"ref": 1}},
		"tags": [{"key": {"value": "environment"}, "value": {"value": env}}],
		"regions": [{"sizes": [{"role": "electable", "value": size, "loc": {"ref": 7}}]}],
	},
}

test_m30_in_production_is_denied if {
	count(production_tier.deny) == 1 with input as cluster("M30", "Production")
}

test_m40_in_production_passes if {
	count(production_tier.deny) == 0 with input as cluster("M40", "production")
}

test_m10_in_staging_passes if {
	count(production_tier.deny) == 0 with input as cluster("M10", "staging")
}
