//! A module of a program's code in JavaScript, TypeScript or Python (its tree from
//! `document::js` or `document::py`) as the Pulumi YAML program it declares, so that one
//! evaluation reads all of them:
//!
//! - `new mongodbatlas.AdvancedCluster("name", {...}, {provider})` (the package imported as a
//!   namespace, by default export or by `require`; or the class imported by name) is the
//!   resource `type: mongodbatlas:index:AdvancedCluster` with those `properties`, named by the
//!   `const` it is assigned to (what other values refer to it by), else by its name argument;
//!   `new mongodbatlas.Provider(...)` the provider resource;
//! - a name bound once to a literal (a string, a number, an object or array of literals) is a
//!   variable: `regionName: region` reads `${region}`, and an object or array is read where
//!   it is written (`regionConfigs: [primary]`);
//! - `project.id` of a resource is `${project.id}`; `cfg.require("tier")` (any `get`/`require`
//!   method) of a `new pulumi.Config()` is `${tier}`, the stack's `<project>:tier`, also
//!   through a name bound once to it (`const tier = cfg.require("tier")`);
//! - an array's `map` with an arrow function over an array written out (there, or bound once
//!   to a name) is the function's body for each item, the item's values where it writes them;
//! - anything else is unknown (`fn::js`, which no builder reads as a value), and a resource
//!   whose properties are not an object literal is not a resource here: nothing is guessed.
//!
//! Every node keeps its span in the module, so findings point at the code.

use std::collections::{HashMap, HashSet};

use crate::document::js::{ARROW_TAG, CALL_TAG, NEW_TAG, REF_TAG};
use crate::document::{Entry, Node, Span, Value};

/// The Pulumi SDK's package (JavaScript, Python), whose `Config` reads the stack's
/// configuration.
const SDK: &[&str] = &["@pulumi/pulumi", "pulumi"];
/// `Config` methods that read one key (JavaScript's, then Python's).
const CONFIG_METHODS: &[&str] = &[
    "get",
    "require",
    "getSecret",
    "requireSecret",
    "getNumber",
    "requireNumber",
    "getBoolean",
    "requireBoolean",
    "getObject",
    "requireObject",
    "get_secret",
    "require_secret",
    "get_int",
    "require_int",
    "get_float",
    "require_float",
    "get_bool",
    "require_bool",
    "get_object",
    "require_object",
];
/// The key of an unknown value (a mapping no builder reads as a value).
const UNKNOWN: &str = "fn::js";

/// What the module's names stand for.
struct Names<'a> {
    /// Local names of the provider's package (`import * as mongodbatlas`).
    package: HashSet<&'a str>,
    /// Classes of the provider imported by name: local name → class.
    classes: HashMap<&'a str, &'a str>,
    /// Local names of the SDK (`import * as pulumi`), and its `Config` imported by name.
    sdk: HashSet<&'a str>,
    config_class: HashSet<&'a str>,
    /// Names bound to a `new pulumi.Config()`, with the configuration namespace it reads (the
    /// project's, or the one it names: `new pulumi.Config("infra")`).
    configs: HashMap<&'a str, Option<&'a str>>,
    /// Names bound to a resource of the provider.
    resources: HashSet<&'a str>,
    /// Names bound once to a literal.
    literals: HashMap<&'a str, &'a Node>,
    /// Names bound once to an object or array written out whose values are not all literals
    /// (`{instanceSize: TIER}`): read where they are used, each value as it is written.
    objects: HashMap<&'a str, &'a Node>,
    /// Names bound once to a call of a `Config` method (`const region =
    /// cfg.require("region")`): read where they are used as the call is.
    config_reads: HashMap<&'a str, &'a Node>,
    /// Names bound once to an array's `map` with an arrow function (`const regionConfigs =
    /// regions.map((r) => ({...}))`): read where they are used as the call is.
    mapped: HashMap<&'a str, &'a Node>,
    /// Where the references read into resources start (see [`Names::value`]).
    read_at: std::cell::RefCell<HashSet<u32>>,
    /// Values built so far ([`MAX_VALUES`]): names that stand for objects of other names
    /// (`[a0, a0, ...]` of `[a1, a1, ...]`) would otherwise multiply at every level.
    built: std::cell::Cell<usize>,
    /// The defaults config keys are read with (`None`: several, or not a literal).
    defaults: std::cell::RefCell<HashMap<String, Option<Node>>>,
}

fn str_of(node: Option<&Node>) -> Option<&str> {
    match &node?.value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Whether a module imports the provider's package.
pub(super) fn imports_package(root: &Node) -> bool {
    let imports = root.get("imports").and_then(Node::as_seq).unwrap_or(&[]);
    imports.iter().any(|i| {
        matches!(
            str_of(i.get("module")),
            Some(super::CODE_PACKAGE | super::PY_PACKAGE)
        )
    })
}

/// The Pulumi YAML program a module of the project `project` declares, or `None` when it
/// declares no resource of the provider.
pub(super) fn program(root: &Node, project: &str) -> Option<Node> {
    let mut names = Names {
        package: HashSet::new(),
        classes: HashMap::new(),
        sdk: HashSet::new(),
        config_class: HashSet::new(),
        configs: HashMap::new(),
        resources: HashSet::new(),
        literals: HashMap::new(),
        objects: HashMap::new(),
        config_reads: HashMap::new(),
        mapped: HashMap::new(),
        read_at: std::cell::RefCell::new(HashSet::new()),
        built: std::cell::Cell::new(0),
        defaults: std::cell::RefCell::new(HashMap::new()),
    };
    for import in root.get("imports")?.as_seq()? {
        let module = str_of(import.get("module"));
        let namespace = str_of(import.get("namespace"));
        let named = import.get("names").and_then(Node::as_map).unwrap_or(&[]);
        let named = named
            .iter()
            .filter_map(|e| Some((str_of(Some(&e.key))?, str_of(Some(&e.value))?)));
        match module {
            Some(super::CODE_PACKAGE | super::PY_PACKAGE) => {
                names.package.extend(namespace);
                names.classes.extend(named);
            }
            Some(m) if SDK.contains(&m) => {
                names.sdk.extend(namespace);
                names.config_class.extend(
                    named
                        .filter(|(_, imported)| *imported == "Config")
                        .map(|(l, _)| l),
                );
            }
            _ => {}
        }
    }
    if names.package.is_empty() && names.classes.is_empty() {
        return None;
    }
    let bindings = root.get("bindings").and_then(Node::as_map).unwrap_or(&[]);
    for b in bindings {
        let Some(name) = str_of(Some(&b.key)) else {
            continue;
        };
        match b.value.tag.as_deref() {
            Some(NEW_TAG) => {
                let callee = str_of(b.value.get("callee")).unwrap_or("");
                if names.class(callee).is_some() {
                    names.resources.insert(name);
                } else if names.is_config(callee) {
                    // The namespace it reads: the project's, or the one it names.
                    let args = b.value.get("args").and_then(Node::as_seq).unwrap_or(&[]);
                    match args.first() {
                        None => {
                            names.configs.insert(name, None);
                        }
                        Some(ns) if ns.tag.is_none() => {
                            if let Some(ns) = str_of(Some(ns)) {
                                names.configs.insert(name, (ns != project).then_some(ns));
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
            None if is_literal(&b.value, 0) => {
                names.literals.insert(name, &b.value);
            }
            None if b.value.as_map().is_some() || b.value.as_seq().is_some() => {
                names.objects.insert(name, &b.value);
            }
            Some(CALL_TAG) if is_config_read(&b.value) => {
                names.config_reads.insert(name, &b.value);
            }
            Some(CALL_TAG) if map_function(&b.value).is_some() => {
                names.mapped.insert(name, &b.value);
            }
            _ => {}
        }
    }
    let mut resources = Vec::new();
    for new in root.get("news")?.as_seq()? {
        let callee = str_of(new.get("callee")).unwrap_or("");
        let Some(class) = names.class(callee) else {
            continue;
        };
        let args = new.get("args").and_then(Node::as_seq).unwrap_or(&[]);
        // Python's keyword arguments: `resource_name`, `opts`, `args`, or the properties.
        let kwargs = new.get("kwargs").and_then(Node::as_map).unwrap_or(&[]);
        let kwarg = |k: &str| {
            kwargs
                .iter()
                .find(|e| e.key.as_str() == Some(k))
                .map(|e| &e.value)
        };
        let python_properties =
            (new.get("kwargs").is_some() && kwarg("args").is_none()).then(|| {
                let entries: Vec<Entry> = kwargs
                    .iter()
                    .filter(|e| !matches!(e.key.as_str(), Some("resource_name" | "opts")))
                    .cloned()
                    .collect();
                Node::new(Value::Map(entries), new.span)
            });
        let written = kwarg("args").or(args.get(1));
        let properties = match written {
            Some(p) => names.arguments(p),
            // `new mongodbatlas.Provider("a")`: nothing set.
            None => python_properties.or_else(|| Some(Node::new(Value::Map(Vec::new()), new.span))),
        };
        let Some(properties) = properties else {
            continue;
        };
        let binding = new.get("binding");
        let key = match (binding, args.first().or(kwarg("resource_name"))) {
            (Some(b), _) => b.clone(),
            (None, Some(n)) if n.tag.is_none() && str_of(Some(n)).is_some() => n.clone(),
            _ => string(&format!("new@{}", new.span.start), new.span),
        };
        let token = if class == "Provider" {
            "pulumi:providers:mongodbatlas".to_string()
        } else {
            format!("mongodbatlas:index:{class}")
        };
        let mut decl = vec![
            entry("type", string(&token, callee_span(new))),
            entry("properties", names.value(&properties, 0)),
        ];
        if let Some(opts) = kwarg("opts").or(args.get(2)) {
            let provider = match names.arguments(opts) {
                Some(written) => written.get("provider").map(|p| names.value(p, 0)),
                // Options not written out may name a provider.
                None => Some(unknown(opts.span)),
            };
            if let Some(provider) = provider {
                decl.push(entry(
                    "options",
                    Node::new(Value::Map(vec![entry("provider", provider)]), opts.span),
                ));
            }
        }
        resources.push(Entry {
            key,
            value: Node::new(Value::Map(decl), new.span),
        });
    }
    if resources.is_empty() {
        return None;
    }
    // A literal's other uses (in a template, another value, a resource not read): a fix of
    // it changes them too, as a YAML variable's uses in `outputs` would.
    let mut outputs = Vec::new();
    let uses = root.get("uses").and_then(Node::as_map).unwrap_or(&[]);
    for u in uses {
        let Some(name) = str_of(Some(&u.key)).filter(|n| names.literals.contains_key(n)) else {
            continue;
        };
        for at in u.value.as_seq().unwrap_or(&[]) {
            if !names.read_at.borrow().contains(&at.span.start) {
                let key = string(&format!("use@{}", at.span.start), at.span);
                outputs.push(Entry {
                    key,
                    value: string(&format!("${{{name}}}"), at.span),
                });
            }
        }
    }
    let variables: Vec<Entry> = bindings
        .iter()
        .filter(|b| str_of(Some(&b.key)).is_some_and(|n| names.literals.contains_key(n)))
        .map(|b| Entry {
            key: b.key.clone(),
            value: names.value(&b.value, 0),
        })
        .collect();
    // Config keys read with a default: `config: {key: {default: ...}}`, as YAML declares them.
    let config: Vec<Entry> = names
        .defaults
        .take()
        .into_iter()
        .filter_map(|(key, default)| {
            let default = default?;
            let span = default.span;
            let decl = Node::new(Value::Map(vec![entry("default", default)]), span);
            Some(Entry {
                key: string(&key, span),
                value: decl,
            })
        })
        .collect();
    let whole = root.span;
    Some(Node::new(
        Value::Map(vec![
            entry("variables", Node::new(Value::Map(variables), whole)),
            entry("resources", Node::new(Value::Map(resources), whole)),
            entry("outputs", Node::new(Value::Map(outputs), whole)),
            entry("config", Node::new(Value::Map(config), whole)),
        ]),
        whole,
    ))
}

impl<'a> Names<'a> {
    /// The arguments a value writes out, as a mapping: an object literal or dict, or the
    /// keyword arguments of a call of an `...Args` class of the provider (Python's
    /// `AdvancedClusterReplicationSpecArgs(...)`) or of the SDK's `ResourceOptions`. `None`
    /// for anything else.
    fn arguments(&self, node: &Node) -> Option<Node> {
        match node.tag.as_deref() {
            None => node.as_map().map(|_| node.clone()),
            Some(CALL_TAG | NEW_TAG) => {
                let callee = str_of(node.get("callee")).unwrap_or("");
                let last = callee.rsplit('.').next().unwrap_or("");
                let provider_args = self.class(callee).is_some_and(|c| c.ends_with("Args"));
                let options = last == "ResourceOptions"
                    && callee
                        .split_once('.')
                        .is_none_or(|(ns, _)| self.sdk.contains(ns));
                let positional = node.get("args").and_then(Node::as_seq).unwrap_or(&[]);
                if !(provider_args || options) || !positional.is_empty() {
                    return None;
                }
                let kwargs = node.get("kwargs").and_then(Node::as_map)?;
                Some(Node::new(Value::Map(kwargs.to_vec()), node.span))
            }
            Some(_) => None,
        }
    }

    /// The provider's class a callee names (`mongodbatlas.Project`, or `Project` imported by
    /// name).
    fn class(&self, callee: &'a str) -> Option<&'a str> {
        match callee.split_once('.') {
            Some((ns, class)) if self.package.contains(ns) && !class.contains('.') => Some(class),
            None => self.classes.get(callee).copied(),
            _ => None,
        }
    }

    /// Whether a callee is the SDK's `Config`.
    fn is_config(&self, callee: &str) -> bool {
        match callee.split_once('.') {
            Some((ns, "Config")) => self.sdk.contains(ns),
            None => self.config_class.contains(callee),
            _ => false,
        }
    }

    /// A value of the module as a YAML program's.
    fn value(&self, node: &Node, depth: usize) -> Node {
        self.built.set(self.built.get().saturating_add(1));
        if depth > MAX_DEPTH || self.built.get() > MAX_VALUES {
            return unknown(node.span);
        }
        match node.tag.as_deref() {
            None => {}
            Some(REF_TAG) => {
                let path = str_of(Some(node)).unwrap_or("");
                let root = path.split(['.', '[']).next().unwrap_or("");
                self.read_at.borrow_mut().insert(node.span.start);
                // An object or array bound once is read where it is written (YAML's `${x}`
                // stands for scalars only).
                if let Some(literal) = self.literals.get(root).filter(|_| path == root) {
                    if literal.as_map().is_some() || literal.as_seq().is_some() {
                        return self.value(literal, depth + 1);
                    }
                }
                if let Some(object) = self.objects.get(root).filter(|_| path == root) {
                    return self.value(object, depth + 1);
                }
                if let Some(call) = self.mapped.get(root).filter(|_| path == root) {
                    return self.value(call, depth + 1);
                }
                // A name bound to a config read is the stack's value, used here.
                if let Some(call) = self.config_reads.get(root).filter(|_| path == root) {
                    let read = self.value(call, depth + 1);
                    return match str_of(Some(&read)) {
                        Some(key) => string(key, node.span),
                        None => unknown(node.span),
                    };
                }
                // A part of an object read from the stack (`const cluster =
                // cfg.requireObject("cluster")`, then `cluster.tier`, `cluster.regions[0]`):
                // `${cluster.tier}`, as a YAML program reads it.
                if let Some(call) = self.config_reads.get(root).filter(|c| reads_object(c)) {
                    let read = self.value(call, depth + 1);
                    let key =
                        str_of(Some(&read)).and_then(|k| k.strip_prefix("${")?.strip_suffix('}'));
                    let rest = path.get(root.len()..).unwrap_or("");
                    return match key {
                        Some(key) if is_property_path(rest) => {
                            string(&format!("${{{key}{rest}}}"), node.span)
                        }
                        _ => unknown(node.span),
                    };
                }
                let known = self.literals.contains_key(root) || self.resources.contains(root);
                return if known {
                    string(&format!("${{{path}}}"), node.span)
                } else {
                    unknown(node.span)
                };
            }
            Some(CALL_TAG | NEW_TAG) if self.arguments(node).is_some() => {
                let written = self.arguments(node).unwrap_or_else(|| unknown(node.span));
                return self.value(&written, depth + 1);
            }
            Some(CALL_TAG) if map_function(node).is_some() => {
                return self
                    .mapped_items(node, depth)
                    .unwrap_or_else(|| unknown(node.span));
            }
            Some(CALL_TAG) => {
                let callee = str_of(node.get("callee")).unwrap_or("");
                let args = node.get("args").and_then(Node::as_seq).unwrap_or(&[]);
                let key = match (callee.split_once('.'), args) {
                    (Some((config, method)), [key, ..])
                        if CONFIG_METHODS.contains(&method) && key.tag.is_none() =>
                    {
                        let namespace = self.configs.get(config);
                        str_of(Some(key)).zip(namespace)
                    }
                    _ => None,
                };
                return match key {
                    Some((k, ns)) if !k.contains(['$', '{', '}', '.', '[', ':']) => {
                        // Another namespace's key is read as the stack writes it.
                        let key = ns.map_or_else(|| k.to_string(), |ns| format!("{ns}:{k}"));
                        // Python's `get("tier", "M30")` (or `default=`): the value when no
                        // stack sets it.
                        let kwargs = node.get("kwargs").and_then(Node::as_map).unwrap_or(&[]);
                        let default = args.get(1).or_else(|| {
                            kwargs
                                .iter()
                                .find(|e| e.key.as_str() == Some("default"))
                                .map(|e| &e.value)
                        });
                        if let Some(d) = default {
                            let literal =
                                d.tag.is_none() && d.as_map().is_none() && d.as_seq().is_none();
                            let mut defaults = self.defaults.borrow_mut();
                            let slot = defaults
                                .entry(key.clone())
                                .or_insert(literal.then(|| d.clone()));
                            if slot.as_ref().is_some_and(|s| !literal || s.span != d.span) {
                                // Defaults written in several calls: none is the key's (a fix
                                // of one would leave the others).
                                *slot = None;
                            }
                        }
                        string(&format!("${{{key}}}"), node.span)
                    }
                    _ => unknown(node.span),
                };
            }
            Some(_) => return unknown(node.span),
        }
        match &node.value {
            // A literal `${` is not an interpolation (`$${` is YAML's escape).
            Value::String(s) if s.contains("${") => {
                let mut n = node.clone();
                n.value = Value::String(s.replace("${", "$${").into());
                n
            }
            Value::Map(entries) => Node {
                value: Value::Map(
                    entries
                        .iter()
                        .map(|e| Entry {
                            key: e.key.clone(),
                            value: self.value(&e.value, depth + 1),
                        })
                        .collect(),
                ),
                span: node.span,
                tag: None,
            },
            Value::Seq(items) => Node {
                value: Value::Seq(items.iter().map(|i| self.value(i, depth + 1)).collect()),
                span: node.span,
                tag: None,
            },
            _ => node.clone(),
        }
    }
}

impl Names<'_> {
    /// The items of an array's `map` with an arrow function ([`map_function`]) over an array
    /// written out, there or bound once to a name: the function's body for each item, its
    /// first parameter standing for the item (each value then located where the item writes
    /// it), its second (the index) unknown. `None` when the array is not known.
    fn mapped_items(&self, call: &Node, depth: usize) -> Option<Node> {
        let (params, body) = map_function(call)?;
        let callee = str_of(call.get("callee"))?;
        let item_name = params.first().copied();
        let index_name = params.get(1).copied();
        let items = match callee.strip_suffix(".map") {
            // An array the module does not write out (the stack's configuration, another
            // call's result): its items are unknown, but what the function's body writes for
            // every one of them is known, and judged once (as Terraform's `for_each` over an
            // unknown collection is).
            Some(name) if self.literals.get(name).is_none_or(|l| l.as_seq().is_none()) => {
                let any = unknown(call.span);
                let bound = bind(body, item_name, index_name, &any, 0);
                return Some(Node::new(
                    Value::Seq(vec![self.value(&bound, depth + 1)]),
                    call.span,
                ));
            }
            Some(name) => {
                let array = self.literals.get(name)?.as_seq()?;
                // The name's use (where the call names it: `regions.map`, Python's `in
                // REGIONS`) reads it into a resource.
                let at = call.get("callee").map_or(call.span, |c| c.span);
                self.read_at.borrow_mut().insert(at.start);
                array
            }
            None => call.get("receiver")?.as_seq()?,
        };
        let out = items
            .iter()
            .map(|item| {
                let bound = bind(body, item_name, index_name, item, 0);
                self.value(&bound, depth + 1)
            })
            .collect();
        Some(Node::new(Value::Seq(out), call.span))
    }
}

/// The parameters and body of the arrow function a call passes to an array's `map`
/// (`regions.map((r) => ({...}))`, `[...].map(r => ...)`), when that is what it is.
fn map_function(call: &Node) -> Option<(Vec<&str>, &Node)> {
    let callee = str_of(call.get("callee"))?;
    let on_name = callee
        .strip_suffix(".map")
        .is_some_and(|n| !n.contains(['.', '[']));
    if callee != "map" && !on_name {
        return None;
    }
    let [f] = call.get("args")?.as_seq()? else {
        return None;
    };
    if f.tag.as_deref() != Some(ARROW_TAG) {
        return None;
    }
    let params = f
        .get("params")?
        .as_seq()?
        .iter()
        .map(|p| str_of(Some(p)))
        .collect::<Option<Vec<_>>>()?;
    Some((params, f.get("body")?))
}

/// `body` with each reference to `item_name` (`r`, `r.region`, `r["tier"]`) replaced by the
/// item (or its part), and each to `index_name` unknown; an inner function that names either
/// again keeps its own.
fn bind(
    body: &Node,
    item_name: Option<&str>,
    index_name: Option<&str>,
    item: &Node,
    depth: usize,
) -> Node {
    if depth > MAX_DEPTH {
        return unknown(body.span);
    }
    match body.tag.as_deref() {
        Some(REF_TAG) => {
            let path = str_of(Some(body)).unwrap_or("");
            let root = path.split(['.', '[', '?']).next().unwrap_or("");
            if Some(root) == index_name {
                return unknown(body.span);
            }
            if Some(root) != item_name {
                return body.clone();
            }
            let rest = path.get(root.len()..).unwrap_or("");
            return follow(item, rest).unwrap_or_else(|| unknown(body.span));
        }
        Some(ARROW_TAG) => {
            let shadows = body.get("params").and_then(Node::as_seq).is_some_and(|ps| {
                ps.iter().any(|p| {
                    let p = str_of(Some(p));
                    p.is_some() && (p == item_name || p == index_name)
                })
            });
            if shadows {
                return body.clone();
            }
        }
        _ => {}
    }
    let mut out = body.clone();
    match &mut out.value {
        Value::Map(entries) => {
            for e in entries {
                e.value = bind(&e.value, item_name, index_name, item, depth + 1);
            }
        }
        Value::Seq(items) => {
            for i in items {
                *i = bind(i, item_name, index_name, item, depth + 1);
            }
        }
        _ => {}
    }
    out
}

/// The part of `node` a property path reads (`""`, `.region`, `?.region`, `["tier"]`,
/// `[0]`), when the node writes it out.
fn follow(node: &Node, path: &str) -> Option<Node> {
    let mut at = node;
    let mut rest = path;
    while !rest.is_empty() {
        rest = rest.strip_prefix('?').unwrap_or(rest);
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[', '?']).unwrap_or(r.len());
            at = at.get(r.get(..end)?)?;
            rest = r.get(end..)?;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let key = r.get(..end)?;
            let quoted = key
                .strip_prefix('"')
                .and_then(|k| k.strip_suffix('"'))
                .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')));
            at = match quoted {
                Some(k) => at.get(k)?,
                None => at.as_seq()?.get(key.parse::<usize>().ok()?)?,
            };
            rest = r.get(end + 1..)?;
        } else {
            return None;
        }
    }
    Some(at.clone())
}

/// Whether a call is of a `Config` method reading one key (`cfg.require("tier")`; whether
/// `cfg` is a `Config` is known where it is read, [`Names::value`]).
fn is_config_read(call: &Node) -> bool {
    let callee = str_of(call.get("callee")).unwrap_or("");
    callee
        .split_once('.')
        .is_some_and(|(_, method)| CONFIG_METHODS.contains(&method))
}

/// Whether a `Config` read returns an object (`getObject`, `require_object`, ...).
fn reads_object(call: &Node) -> bool {
    let callee = str_of(call.get("callee")).unwrap_or("");
    callee.rsplit_once('.').is_some_and(|(_, method)| {
        matches!(
            method,
            "getObject" | "requireObject" | "get_object" | "require_object"
        )
    })
}

/// Whether `rest` (after a name) is only property names and literal indexes (`.tier`,
/// `.regions[0]`, `["tier"]`): what a YAML program's `${...}` can read.
fn is_property_path(rest: &str) -> bool {
    !rest.is_empty()
        && (rest.starts_with('.') || rest.starts_with('['))
        && rest.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']' | b'"' | b'\'')
        })
}

/// Deeper values are unknown (the module's reader bounds depth too).
const MAX_DEPTH: usize = 64;

/// Values one module builds at most (past it, unknown): a module's own size bounds what it
/// writes out, not what names standing for names expand to.
const MAX_VALUES: usize = 200_000;

/// Whether a value is a literal throughout (no reference, call or expression).
fn is_literal(node: &Node, depth: usize) -> bool {
    if node.tag.is_some() || depth > MAX_DEPTH {
        return false;
    }
    match &node.value {
        Value::Map(entries) => entries.iter().all(|e| is_literal(&e.value, depth + 1)),
        Value::Seq(items) => items.iter().all(|i| is_literal(i, depth + 1)),
        _ => true,
    }
}

fn callee_span(new: &Node) -> Span {
    new.get("callee").map_or(new.span, |c| c.span)
}

fn string(s: &str, span: Span) -> Node {
    Node::new(Value::String(s.into()), span)
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: string(key, value.span),
        value,
    }
}

/// An unknown value at `span`.
fn unknown(span: Span) -> Node {
    Node::new(
        Value::Map(vec![entry(UNKNOWN, Node::new(Value::Null, span))]),
        span,
    )
}
