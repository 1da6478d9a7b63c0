package direct.lib

ok if input.resource.backup_enabled.value == true

label(t) := concat("-", ["type", t])
