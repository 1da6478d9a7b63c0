package org.owner_tag_test

import data.org.owner_tag

test_missing_owner_is_reported if {
	count(owner_tag.deny) == 1 with input as {"kind": "cluster", "resource": {"tags": []}}
}

test_owner_passes if {
	count(owner_tag.deny) == 0 with input as {"kind": "cluster", "resource": {"tags": [{"key": {"value": "Owner"}, "value": {"value": "payments-team"}}]}}
}

test_projects_are_not_judged if {
	count(owner_tag.deny) == 0 with input as {"kind": "project", "resource": {}}
}
