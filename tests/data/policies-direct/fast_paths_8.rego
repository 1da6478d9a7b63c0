package direct.fast_paths_8

# The shorter ways the direct evaluation takes must give what the interpreter gives: membership in constant collections, paths through missing fields.

metadata := {"code": "DIR048", "name": "fast-paths-8", "severity": "warning", "summary": "membership in constant collections, paths through missing fields"}

deny contains sprintf("dedicated %s", [input.resource.type]) if {
	input.kind == "cluster"
	input.resource.type in {"advanced", "legacy"}
	"a" in ["b", "a"]
	"k", 1 in {"k": 1}
	not 2 in {"k": 1}
	not input.resource.nothing.deeper.still
	object.get(input.resource, ["nothing", "deeper"], "none") == "none"
}
