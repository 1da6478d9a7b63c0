# ORG003: dedicated clusters are protected from deletion.
package org.termination_protection

metadata := {
	"code": "ORG003",
	"name": "termination-protection",
	"severity": "error",
	"summary": "Dedicated clusters have termination protection on",
	"help": "Turn termination protection on (terminationProtectionEnabled: true; termination_protection_enabled = true in Terraform; TerminationProtectionEnabled: true in CloudFormation).",
}

dedicated if input.resource.type in {"advanced", "legacy"}

deny contains {"msg": "termination protection is turned off", "at": input.resource.termination_protection} if {
	input.kind == "cluster"
	dedicated
	input.resource.termination_protection.value == false
}

deny contains {"msg": "the cluster does not turn termination protection on (off unless set)", "at": input.resource} if {
	input.kind == "cluster"
	dedicated
	input.resource.termination_protection == null
}
