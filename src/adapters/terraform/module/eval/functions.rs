//! The functions that only reshape values (`tolist`, `merge`, `lookup`, ...).

use super::*;

impl World<'_> {
    pub(super) fn call(
        &self,
        scope: Scope<'_>,
        at: At<'_>,
        name: &str,
        args: &[Expr],
        span: Span,
    ) -> Val {
        // `try(a, b, ...)`: the first argument that does not fail (a missing key or index);
        // `can(a)`: whether it does not. What is only unknown does not fail: it stays
        // unknown, as Terraform leaves it until apply.
        if name == "try" || name == "can" {
            let outer = self.failed.replace(false);
            let mut result = Val::unknown();
            for a in args {
                self.failed.set(false);
                let v = self.expr(scope, at, a);
                let failed = self.failed.get();
                if name == "can" {
                    result = match (failed, &v) {
                        (true, _) => Val::Known(at.text("false", span), Scalar::Bool),
                        (false, Val::Unknown(_)) => Val::unknown(),
                        (false, _) => Val::Known(at.text("true", span), Scalar::Bool),
                    };
                    break;
                }
                if !failed {
                    result = v;
                    break;
                }
            }
            self.failed.set(outer);
            return result;
        }
        // A data file the configuration decodes: its tree, located in it.
        if let ("yamldecode" | "jsondecode", [Expr::Call(file, read, false, _)]) = (name, args) {
            if let (true, [path]) = (&**file == "file", read.as_slice()) {
                if let Some(v) = self.decoded(scope, name == "yamldecode", path) {
                    return v;
                }
            }
        }
        // Every argument, evaluated once: what the function computes from them, and the uses
        // of the values they read (noted below).
        let values: Vec<Val> = args.iter().map(|a| self.expr(scope, at, a)).collect();
        let arg = |i: usize| values.get(i).cloned().unwrap_or_else(Val::unknown);
        let all = || values.clone();
        let result = match name {
            // A set is the map of its elements to themselves (see `toset`): as a list, its elements.
            "tolist" => match arg(0) {
                Val::Map(entries)
                    if entries
                        .iter()
                        .all(|(k, v)| v.as_text().is_some_and(|t| t.as_str() == k.as_str())) =>
                {
                    Val::List(entries.iter().map(|(_, v)| v.clone()).collect())
                }
                other => other,
            },
            "tomap" | "tostring" | "tonumber" | "tobool" | "sensitive" | "nonsensitive" => arg(0),
            // A set of strings is iterated with each element as its own key, in lexical order:
            // it is the map of its elements to themselves.
            "toset" => match arg(0) {
                Val::List(items) if items.iter().all(|i| i.as_text().is_some()) => {
                    let mut entries: Vec<(Text, Val)> = items
                        .iter()
                        .filter_map(|i| Some((i.as_text()?.clone(), i.clone())))
                        .collect();
                    entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                    entries.dedup_by(|a, b| a.0.as_str() == b.0.as_str());
                    Val::Map(entries.into())
                }
                other => other,
            },
            "flatten" => flatten(&arg(0), 0).map_or_else(Val::unknown, |l| Val::List(l.into())),
            // A list not known (`var.extra ? [...] : []`) adds elements not known; the known
            // lists' elements are there all the same.
            "concat" => {
                let mut out = Vec::new();
                let mut known = false;
                for v in all() {
                    match v {
                        Val::List(items) => {
                            known = true;
                            out.extend(items.iter().cloned());
                        }
                        Val::Unknown(_) => out.push(Val::unknown()),
                        _ => return Val::unknown(),
                    }
                }
                if !known {
                    return Val::unknown();
                }
                Val::List(out.into())
            }
            "merge" => {
                let mut out: Vec<(Text, Val)> = Vec::new();
                for v in all() {
                    match v {
                        Val::Map(entries) => {
                            for (k, v) in entries.iter() {
                                out.retain(|(o, _)| o.as_str() != k.as_str());
                                out.push((k.clone(), v.clone()));
                            }
                        }
                        Val::Null => {}
                        _ => return Val::unknown(),
                    }
                }
                Val::Map(out.into())
            }
            "lookup" => {
                let (map, key) = (arg(0), arg(1));
                match (&map, key.as_text()) {
                    (Val::Map(_), Some(k)) => match map.attr(k.as_str()) {
                        Some(v) => v.clone(),
                        None if args.len() > 2 => arg(2),
                        None => Val::unknown(),
                    },
                    _ => Val::unknown(),
                }
            }
            "element" => match (arg(0), arg(1).as_number()) {
                (Val::List(items), Some(n))
                    if !items.is_empty()
                        && n >= 0.0
                        && n.fract() == 0.0
                        && !items.iter().any(Val::is_unknown) =>
                {
                    items
                        .get(n as usize % items.len())
                        .cloned()
                        .unwrap_or_else(Val::unknown)
                }
                _ => Val::unknown(),
            },
            "values" | "keys" => match arg(0) {
                Val::Map(entries) => {
                    let mut sorted: Vec<&(Text, Val)> = entries.iter().collect();
                    sorted.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                    Val::List(
                        sorted
                            .into_iter()
                            .map(|(k, v)| {
                                if name == "keys" {
                                    Val::Known(k.clone(), Scalar::Str)
                                } else {
                                    v.clone()
                                }
                            })
                            .collect(),
                    )
                }
                _ => Val::unknown(),
            },
            "coalesce" => {
                for v in all() {
                    match &v {
                        Val::Null => {}
                        Val::Known(t, _) if t.as_str().is_empty() => {}
                        Val::Known(..) => return v,
                        _ => return Val::unknown(),
                    }
                }
                Val::unknown()
            }
            // What a string function computes is written nowhere: a value it changes is
            // located at the call, so no fix edits what went into it (`lower("EU")` is `eu`,
            // and `EU` made `US1_FED` would give `us1_fed`).
            "upper" | "lower" | "trimspace" => match arg(0) {
                Val::Known(t, kind) => {
                    let value = match name {
                        "upper" => t.as_str().to_uppercase(),
                        "lower" => t.as_str().to_lowercase(),
                        _ => t.as_str().trim().to_string(),
                    };
                    Val::Known(computed(t, value, at, span), kind)
                }
                _ => Val::unknown(),
            },
            // `replace(string, substring, replacement)`; a substring between slashes is a
            // regular expression, not computed here.
            "replace" => match (arg(0), arg(1), arg(2)) {
                (Val::Known(t, kind), Val::Known(from, _), Val::Known(to, _))
                    if plain_substring(from.as_str()) =>
                {
                    let value = t.as_str().replace(from.as_str(), to.as_str());
                    Val::Known(computed(t, value, at, span), kind)
                }
                _ => Val::unknown(),
            },
            // `split(separator, string)`: each piece computed at the call.
            "split" => match (arg(0), arg(1)) {
                (Val::Known(sep, _), Val::Known(t, Scalar::Str)) if !sep.as_str().is_empty() => {
                    Val::List(
                        t.as_str()
                            .split(sep.as_str())
                            .map(|piece| Val::Known(at.text(piece, span), Scalar::Str))
                            .collect(),
                    )
                }
                _ => Val::unknown(),
            },
            "length" => {
                let n = match arg(0) {
                    // An element not known may stand for any number of them (a list not
                    // known that `concat` joined, a `for` over what is not known).
                    Val::List(items) if items.iter().any(Val::is_unknown) => {
                        return Val::unknown();
                    }
                    Val::List(items) => items.len(),
                    Val::Map(entries) => entries.len(),
                    Val::Known(t, Scalar::Str) => t.as_str().chars().count(),
                    _ => return Val::unknown(),
                };
                Val::Known(at.text(&n.to_string(), span), Scalar::Num)
            }
            "contains" => match (arg(0), arg(1)) {
                (Val::List(items), Val::Known(wanted, _)) => {
                    if items
                        .iter()
                        .any(|i| i.is_unknown() || matches!(i, Val::List(_) | Val::Map(_)))
                    {
                        return Val::unknown();
                    }
                    let found = items
                        .iter()
                        .any(|i| i.as_text().is_some_and(|t| t.as_str() == wanted.as_str()));
                    Val::Known(
                        at.text(if found { "true" } else { "false" }, span),
                        Scalar::Bool,
                    )
                }
                _ => Val::unknown(),
            },
            _ => Val::unknown(),
        };
        // A function uses the values it is given (`format`, `lookup`, `join`, ...), whether
        // this evaluator computes it or not: a fix of one of them must not pass it by. (Where
        // the call is the value a fix is for, its place covers this use.)
        let used = at.loc(span);
        for v in &values {
            self.note_uses(v, &used);
        }
        // A value one of the arguments brings from elsewhere (`lookup(local.sizes, k)`) is
        // used at the call, as a reference is used where it stands; one written in the call
        // itself (`lookup(m, k, "M30")`) stays where it is written.
        match &result {
            Val::Known(t, _) if t.loc.via.is_some() => result.used_at(&used, at.source(span)),
            _ => result,
        }
    }
}

impl World<'_> {
    /// The value of `yamldecode(file(path))` (`yaml`) or `jsondecode(file(path))`: the data
    /// file's one document, each scalar located where the file writes it; `None` when the path
    /// is not one [`super::super::data`] reads (computed from variables, say) or the file was
    /// not read.
    fn decoded(&self, scope: Scope<'_>, yaml: bool, path: &Expr) -> Option<Val> {
        let written = match path {
            Expr::Str(s, _) => s.to_string(),
            Expr::Template(parts, _) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Lit(s) => out.push_str(s),
                        Part::Interp(Expr::Traverse(base, ops, _))
                            if matches!(&**base, Expr::Var(v, _) if &**v == "path")
                                && matches!(ops.as_slice(), [Op::Attr(a)] if &**a == "module") =>
                        {
                            out.push_str("${path.module}");
                        }
                        Part::Interp(_) => return None,
                    }
                }
                out
            }
            _ => return None,
        };
        let rel = super::super::data::relative_of(&written)?;
        let inst = self.insts.get(scope.inst)?;
        // Without `path.module`, a path is relative to where Terraform runs: the root
        // module's directory, which for a module that another calls is not its own (not
        // guessed).
        if !written.starts_with("${path.module}") && inst.parent.is_some() {
            return None;
        }
        let module = self.modules.get(inst.module)?;
        let abs = crate::paths::absolute(&module.dir.join(rel), &module.dir);
        let data = self.data.get(&abs)?;
        // JSON is YAML, not the other way round.
        if data.yaml && !yaml {
            return None;
        }
        let Some(root) = data.root.as_ref() else {
            // Read, but refused by Terraform's decoder (JSON with comments, a YAML tag,
            // several documents): the call fails.
            self.failed.set(true);
            return Some(Val::unknown());
        };
        let ctx = LocCtx::new(data.file, &data.path, &data.text, &data.index);
        Some(value::decoded(&ctx, &Cursor::root(root), data.yaml))
    }
}

/// Whether `replace` reads `from` as text (not empty, and not `/.../`, a regular expression).
fn plain_substring(from: &str) -> bool {
    let regex = from.len() > 1 && from.starts_with('/') && from.ends_with('/');
    !from.is_empty() && !regex
}

/// The value a string function computes from `input`: where the input is written when it is
/// unchanged, else at the call (`span`), where nothing says the value as written.
fn computed(input: Text, value: String, at: At<'_>, span: Span) -> Text {
    if value == input.as_str() {
        input
    } else {
        at.text(&value, span)
    }
}
