package org.backups_test

import data.org.backups

cluster(backup) := {"kind": "cluster", "resource": {"type": "advanced", "backup_enabled": backup, "loc": {"ref": 0}}}

test_backup_off_is_denied if {
	count(backups.deny) == 1 with input as cluster({"value": false, "loc": {"ref": 3}})
}

test_backup_unset_is_denied if {
	count(backups.deny) == 1 with input as cluster(null)
}

test_backup_on_passes if {
	count(backups.deny) == 0 with input as cluster({"value": true, "loc": {"ref": 3}})
}

test_flex_is_not_judged if {
	count(backups.deny) == 0 with input as {"kind": "cluster", "resource": {"type": "flex", "backup_enabled": null}}
}
