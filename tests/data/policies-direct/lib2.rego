package direct.lib2

good if input.kind == "cluster"

size := to_number(input.resource.name.value)
