# ORG002: dedicated clusters have cloud backups on.
package org.backups

metadata := {
	"code": "ORG002",
	"name": "backups-on",
	"severity": "error",
	"summary": "Dedicated clusters have cloud backups enabled",
	"help": "Enable cloud backups on the cluster (backupEnabled: true; backup_enabled = true in Terraform; BackupEnabled: true in CloudFormation).",
}

dedicated if input.resource.type in {"advanced", "legacy"}

deny contains {"msg": "cloud backups are turned off", "at": input.resource.backup_enabled} if {
	input.kind == "cluster"
	dedicated
	input.resource.backup_enabled.value == false
}

deny contains {"msg": "the cluster does not enable cloud backups (off unless set)", "at": input.resource} if {
	input.kind == "cluster"
	dedicated
	input.resource.backup_enabled == null
}
