# ORG004: every cluster names the system owner in an `owner` tag.
package org.owner_tag

metadata := {
	"code": "ORG004",
	"name": "owner-tag",
	"severity": "warning",
	"summary": "Clusters carry an `owner` tag naming the system owner",
	"help": "Add a tag with key `owner` and the owning team or person as its value.",
}

has_owner if {
	some tag in input.resource.tags
	lower(tag.key.value) == "owner"
	tag.value.value != ""
}

deny contains {"msg": "the cluster has no `owner` tag", "at": input.resource} if {
	input.kind == "cluster"
	not has_owner
}
