package org.termination_protection_test

import data.org.termination_protection

cluster(tp) := {"kind": "cluster", "resource": {"type": "advanced", "termination_protection": tp}}

test_off_is_denied if {
	count(termination_protection.deny) == 1 with input as cluster({"value": false})
}

test_unset_is_denied if {
	count(termination_protection.deny) == 1 with input as cluster(null)
}

test_on_passes if {
	count(termination_protection.deny) == 0 with input as cluster({"value": true})
}
