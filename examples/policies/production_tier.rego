# ORG001: production clusters run on M40 or larger.
#
# A cluster is production when a tag `environment` says so (any case): `production` or `prod`.
package org.production_tier

metadata := {
	"code": "ORG001",
	"name": "production-tier",
	"severity": "error",
	"summary": "Production clusters run on M40 or larger",
	"help": "Use M40 or a larger tier (M50, M60, ...) for the electable nodes and the auto-scaling minimum of a production cluster.",
}

production if {
	some tag in input.resource.tags
	lower(tag.key.value) == "environment"
	lower(tag.value.value) in {"production", "prod"}
}

# The tier's number: M30 -> 30; nothing for other names (R40, templated values).
tier(size) := to_number(trim_prefix(size, "M")) if regex.match(`^M[0-9]+$`, size)

deny contains {
	"msg": sprintf("production cluster `%s` uses %s, below M40", [name, size.value]),
	"at": size,
} if {
	input.kind == "cluster"
	production
	name := object.get(input.resource, ["name", "value"], "?")
	some region in input.resource.regions
	some size in region.sizes
	size.role in {"electable", "instance", "auto_scaling_min"}
	tier(size.value) < 40
}
