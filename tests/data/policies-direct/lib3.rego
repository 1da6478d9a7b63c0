package direct.lib3

obj := {"1": "one"}

upper(s) := "LIB"
