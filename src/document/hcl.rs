//! HCL (Terraform `.tf` and `.tfvars`) into the same [`Node`] tree as JSON and YAML.
//!
//! `hcl-edit` parses the text (it keeps byte spans and bounds nesting itself); this module maps
//! its syntax tree onto nodes:
//!
//! - A body is a mapping. An attribute `key = value` is an entry.
//! - A block with labels nests mappings by its identifier and labels: `resource "t" "n" {..}`
//!   is the mapping at `/resource/t/n`. Blocks that share the identifier and leading labels
//!   share the mappings; a repeated full label path (two `provider "x"` blocks with different
//!   aliases) gives two entries with the same key, in source order.
//! - Blocks without labels become a sequence under their identifier, one element per block, so
//!   `replication_specs { .. }` (block syntax) and `replication_specs = [{ .. }]` (attribute
//!   syntax) have the same shape: `/replication_specs/0/...`.
//! - Literal strings, numbers, booleans and `null` are scalars with the span of the literal
//!   (strings including their quotes, like JSON). Arrays and objects are sequences and
//!   mappings. A parenthesised literal is that literal.
//! - Every other expression (references such as `var.x`, function calls, templates with
//!   interpolation, conditionals, `for` expressions, operators) is a node tagged [`EXPR_TAG`]
//!   holding the expression's source text (shortened when long).
//!   [`Node::scalar_text`] and [`Node::as_str`] return `None` for it, so no adapter can read
//!   it as a literal; adapters that evaluate expressions read [`Node::expr_source`], or the
//!   whole source at the node's span through [`super::hcl_expr`].
//!
//! Nesting is bounded by `hcl-edit` (64 levels) and by [`Limits`]; the node count by
//! [`Limits::max_nodes`].

use std::collections::HashMap;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body, Structure};

use super::{Document, EXPR_TAG, Entry, Limits, Node, ParseError, Span, Value};

/// Longest expression source text kept on an expression node.
const MAX_EXPR_TEXT: usize = 200;

/// Parse one HCL file into a single root mapping.
pub fn parse(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    // hcl-edit does not accept a UTF-8 byte order mark (Windows editors write one): three
    // spaces in its place keep every byte offset.
    let without_bom;
    let text = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => {
            without_bom = format!("   {rest}");
            without_bom.as_str()
        }
        None => text,
    };
    // Unclosed brackets would make hcl-edit backtrack exponentially: refused first, linearly.
    // A lone carriage return inside a line comment is comment, as Terraform reads it; hcl-edit
    // refuses it, so it is read as a space (one byte for one: every offset is kept).
    let without_crs;
    let text = if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        let mut crs = Vec::new();
        super::hcl_balance::check_noting_comment_crs(text, &mut crs)?;
        if crs.is_empty() {
            text
        } else {
            let mut bytes = text.as_bytes().to_vec();
            for at in crs {
                if let Some(b) = bytes.get_mut(at) {
                    *b = b' ';
                }
            }
            // One ASCII byte for another: still UTF-8.
            without_crs = String::from_utf8(bytes).unwrap_or_else(|_| text.to_string());
            without_crs.as_str()
        }
    } else {
        super::hcl_balance::check(text)?;
        text
    };
    // hcl-edit bounds its own recursion; a panic in it on hostile input must still not take the
    // whole run down, so it becomes a parse error like any other.
    let parsed = std::panic::catch_unwind(|| hcl_edit::parser::parse_body(text)).map_err(|_| {
        ParseError {
            message: "the HCL parser failed on this input".to_string(),
            span: Span::new(0, 0),
        }
    })?;
    let body = parsed.map_err(|e| {
        // hcl-edit's offset can fall inside a multibyte character: back to its start.
        let mut offset = e.location().offset().min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let end = text
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .map_or(offset, |c| offset + c.len_utf8());
        ParseError {
            message: e.message().to_string(),
            span: Span::new(offset, end),
        }
    })?;
    let mut conv = Conv {
        text,
        limits,
        nodes: 0,
    };
    let root = conv.body(&body, Span::new(0, text.len()), 0)?;
    Ok(Document {
        roots: vec![root],
        warnings: Vec::new(),
        aliased: Vec::new(),
    })
}

struct Conv<'a> {
    text: &'a str,
    limits: &'a Limits,
    nodes: usize,
}

fn span_of(item: &impl hcl_edit::Span, fallback: Span) -> Span {
    item.span().map_or(fallback, |r| Span::new(r.start, r.end))
}

/// Blocks of one body while it is being built: labeled blocks nest by label, so entries are
/// found by key through an index rather than by scanning.
enum Group {
    /// Blocks without labels, in source order.
    Blocks { key: Node, items: Vec<Node> },
    /// Blocks with labels: the next label level.
    Labeled { key: Node, level: Level },
    /// An attribute (or anything already final).
    Done(Entry),
}

#[derive(Default)]
struct Level {
    span: Span,
    groups: Vec<Group>,
    /// Key of a nested label level → index in `groups`.
    index: HashMap<String, usize>,
}

impl Conv<'_> {
    fn count(&mut self, at: Span) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(ParseError {
                message: format!(
                    "document has more than {} nodes (limit)",
                    self.limits.max_nodes
                ),
                span: at,
            });
        }
        Ok(())
    }

    fn check_depth(&self, depth: usize, at: Span) -> Result<(), ParseError> {
        if depth > self.limits.max_depth {
            return Err(ParseError {
                message: format!(
                    "nesting deeper than {} levels (limit)",
                    self.limits.max_depth
                ),
                span: at,
            });
        }
        Ok(())
    }

    fn body(&mut self, body: &Body, span: Span, depth: usize) -> Result<Node, ParseError> {
        self.check_depth(depth, span)?;
        self.count(span)?;
        let mut level = Level {
            span,
            ..Level::default()
        };
        // Unlabeled block groups of this body, by identifier.
        let mut blocks: HashMap<String, usize> = HashMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key_span = span_of(&attr.key, span);
                    self.count(key_span)?;
                    let key = Node::new(Value::String(attr.key.as_str().into()), key_span);
                    let value = self.expr(&attr.value, depth + 1)?;
                    level.groups.push(Group::Done(Entry { key, value }));
                }
                Structure::Block(block) => self.block(&mut level, &mut blocks, block, depth + 1)?,
            }
        }
        self.finish(level)
    }

    fn block(
        &mut self,
        level: &mut Level,
        blocks: &mut HashMap<String, usize>,
        block: &Block,
        depth: usize,
    ) -> Result<(), ParseError> {
        let block_span = span_of(block, level.span);
        self.check_depth(depth + block.labels.len(), block_span)?;
        let ident = block.ident.as_str();
        let ident_span = span_of(&block.ident, block_span);
        self.count(ident_span)?;
        let ident_key = Node::new(Value::String(ident.into()), ident_span);
        let body = self.body(&block.body, block_span, depth + block.labels.len() + 1)?;

        let Some((last, leading)) = block.labels.split_last() else {
            match blocks.get(ident).and_then(|&i| level.groups.get_mut(i)) {
                Some(Group::Blocks { items, .. }) => items.push(body),
                _ => {
                    blocks.insert(ident.to_string(), level.groups.len());
                    level.groups.push(Group::Blocks {
                        key: ident_key,
                        items: vec![body],
                    });
                }
            }
            return Ok(());
        };

        // Walk (creating as needed) the levels for the identifier and the leading labels.
        let mut path: Vec<(String, Node)> = Vec::with_capacity(leading.len() + 1);
        path.push((format!("b:{ident}"), ident_key));
        for label in leading {
            let label_span = span_of(label, block_span);
            self.count(label_span)?;
            path.push((
                format!("l:{}", label.as_str()),
                Node::new(Value::String(label.as_str().into()), label_span),
            ));
        }
        let mut current = level;
        for (index_key, key) in path {
            let found = current.index.get(&index_key).copied();
            let i = match found {
                Some(i) if matches!(current.groups.get(i), Some(Group::Labeled { .. })) => i,
                _ => {
                    let i = current.groups.len();
                    current.index.insert(index_key, i);
                    current.groups.push(Group::Labeled {
                        key,
                        level: Level {
                            span: block_span,
                            ..Level::default()
                        },
                    });
                    i
                }
            };
            match current.groups.get_mut(i) {
                Some(Group::Labeled { level, .. }) => current = level,
                _ => return Ok(()),
            }
        }
        let last_span = span_of(last, block_span);
        self.count(last_span)?;
        current.groups.push(Group::Done(Entry {
            key: Node::new(Value::String(last.as_str().into()), last_span),
            value: body,
        }));
        Ok(())
    }

    /// Turn a level of groups into a mapping node. Recursion is bounded: every nested level is
    /// a label of one block, and labels count towards the depth checked in [`Conv::block`].
    fn finish(&mut self, level: Level) -> Result<Node, ParseError> {
        let mut entries = Vec::with_capacity(level.groups.len());
        for group in level.groups {
            match group {
                Group::Done(entry) => entries.push(entry),
                Group::Blocks { key, items } => {
                    let start = items.first().map_or(key.span.start, |n| n.span.start);
                    let end = items.last().map_or(key.span.end, |n| n.span.end);
                    let span = Span {
                        start: start.min(end),
                        end,
                    };
                    self.count(span)?;
                    entries.push(Entry {
                        key,
                        value: Node::new(Value::Seq(items), span),
                    });
                }
                Group::Labeled { key, level } => {
                    let value = self.finish(level)?;
                    entries.push(Entry { key, value });
                }
            }
        }
        Ok(Node::new(Value::Map(entries), level.span))
    }

    fn expr(&mut self, expr: &Expression, depth: usize) -> Result<Node, ParseError> {
        let span = span_of(expr, Span::default());
        self.check_depth(depth, span)?;
        self.count(span)?;
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                let written = self
                    .text
                    .get(span.start as usize..span.end as usize)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| n.value().to_string(), str::to_string);
                Value::Number(written.into())
            }
            Expression::String(s) => Value::String(s.value().as_str().into()),
            Expression::Array(items) => {
                let mut seq = Vec::with_capacity(items.len());
                for item in items.iter() {
                    seq.push(self.expr(item, depth + 1)?);
                }
                Value::Seq(seq)
            }
            Expression::Object(object) => {
                let mut entries = Vec::with_capacity(object.len());
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(ident) => {
                            let key_span = span_of(ident, span);
                            self.count(key_span)?;
                            Node::new(Value::String(ident.as_str().into()), key_span)
                        }
                        ObjectKey::Expression(e) => self.expr(e, depth + 1)?,
                    };
                    let value = self.expr(value.expr(), depth + 1)?;
                    entries.push(Entry { key, value });
                }
                Value::Map(entries)
            }
            Expression::Parenthesis(inner) => return self.expr(inner.inner(), depth + 1),
            Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_)
            | Expression::Variable(_)
            | Expression::Conditional(_)
            | Expression::FuncCall(_)
            | Expression::Traversal(_)
            | Expression::UnaryOp(_)
            | Expression::BinaryOp(_)
            | Expression::ForExpr(_) => return Ok(self.opaque(span)),
        };
        Ok(Node::new(value, span))
    }

    /// A non-literal expression: its source text, tagged so that nobody reads it as a value.
    fn opaque(&self, span: Span) -> Node {
        let source = self
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .trim();
        let source = if source.len() > MAX_EXPR_TEXT {
            let mut cut = MAX_EXPR_TEXT;
            while !source.is_char_boundary(cut) {
                cut -= 1;
            }
            format!("{}…", source.get(..cut).unwrap_or(""))
        } else {
            source.to_string()
        };
        Node {
            value: Value::String(source.into()),
            span,
            tag: Some(arcstr::literal!(EXPR_TAG)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::document::Cursor;

    fn root(text: &str) -> Node {
        let doc = parse(text, &Limits::default()).unwrap();
        assert_eq!(doc.roots.len(), 1);
        doc.roots.into_iter().next().unwrap()
    }

    fn slice<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.start as usize..node.span.end as usize]
    }

    /// Terraform (`terraform fmt` agrees) ends a line comment only at `\n` or `\r\n`: what
    /// follows a lone `\r` in it is comment too. Outside a comment a lone `\r` is refused, as
    /// Terraform refuses it ("Invalid character").
    #[test]
    fn a_lone_carriage_return_in_a_line_comment_is_comment() {
        for comment in ["# note", "// note"] {
            let text = format!(
                "resource \"r\" \"c\" {{\r\n  name = \"x\" {comment}\r  hidden = \"y\"\r\n  tier = \"M30\"\n}}\n"
            );
            let r = root(&text);
            let c = Cursor::root(&r).path(&["resource", "r", "c"]).unwrap();
            assert!(c.node.get("hidden").is_none(), "{comment}");
            let tier = c.node.get("tier").unwrap();
            assert_eq!(slice(&text, tier), "\"M30\"");
            assert_eq!(slice(&text, c.node.get("name").unwrap()), "\"x\"");
        }
        // Inside a string or between attributes it is no comment.
        for text in ["a = \"x\"\r  b = \"y\"\n", "a = \"x # y\r\"\n"] {
            assert!(parse(text, &Limits::default()).is_err(), "{text:?}");
        }
        // A `\r\n` line end in a comment is left as it is.
        let text = "# note\r\na = \"x\"\r\n";
        assert_eq!(root(text).get("a").unwrap().scalar_text(), Some("x"));
    }

    #[test]
    fn labeled_blocks_nest_by_label_and_literals_keep_their_spans() {
        let text = r#"
resource "mongodbatlas_project" "gov" {
  name                      = "gov"
  region_usage_restrictions = "GOV_REGIONS_ONLY"
  with_default_alerts_settings = false
  count = 2
}
resource "mongodbatlas_project" "std" {
  name = "std"
}
"#;
        let r = root(text);
        let cur = Cursor::root(&r);
        let usage = cur
            .path(&[
                "resource",
                "mongodbatlas_project",
                "gov",
                "region_usage_restrictions",
            ])
            .unwrap();
        assert_eq!(usage.str(), Some("GOV_REGIONS_ONLY"));
        assert_eq!(slice(text, usage.node), "\"GOV_REGIONS_ONLY\"");
        assert_eq!(
            usage.pointer,
            "/resource/mongodbatlas_project/gov/region_usage_restrictions"
        );
        let gov = cur
            .path(&["resource", "mongodbatlas_project", "gov"])
            .unwrap();
        assert_eq!(gov.node.get("count").unwrap().scalar_text(), Some("2"));
        assert_eq!(
            gov.node
                .get("with_default_alerts_settings")
                .unwrap()
                .as_bool(),
            Some(false)
        );
        let types = cur.path(&["resource", "mongodbatlas_project"]).unwrap();
        assert_eq!(types.node.as_map().unwrap().len(), 2);
        let key = cur
            .path(&["resource", "mongodbatlas_project"])
            .unwrap()
            .key("std")
            .unwrap();
        assert_eq!(slice(text, key.node), "\"std\"");
    }

    #[test]
    fn block_and_attribute_syntax_give_the_same_shape() {
        let v1 = r#"
resource "mongodbatlas_advanced_cluster" "c" {
  replication_specs {
    region_configs {
      electable_specs {
        instance_size = "M10"
      }
      region_name = "US_EAST_1"
    }
    region_configs {
      region_name = "US_WEST_2"
    }
  }
}
"#;
        let v2 = r#"
resource "mongodbatlas_advanced_cluster" "c" {
  replication_specs = [{
    region_configs = [{
      electable_specs = { instance_size = "M10" }
      region_name = "US_EAST_1"
    }, {
      region_name = "US_WEST_2"
    }]
  }]
}
"#;
        for text in [v1, v2] {
            let r = root(text);
            let cur = Cursor::root(&r);
            let specs = cur
                .path(&[
                    "resource",
                    "mongodbatlas_advanced_cluster",
                    "c",
                    "replication_specs",
                ])
                .unwrap();
            let spec = specs.items().next().unwrap();
            let rcs: Vec<_> = spec.get("region_configs").unwrap().items().collect();
            assert_eq!(rcs.len(), 2);
            assert_eq!(rcs[1].get("region_name").unwrap().str(), Some("US_WEST_2"));
            assert_eq!(
                rcs[1].get("region_name").unwrap().pointer,
                "/resource/mongodbatlas_advanced_cluster/c/replication_specs/0/region_configs/1/region_name"
            );
            assert_eq!(
                slice(text, rcs[1].get("region_name").unwrap().node),
                "\"US_WEST_2\""
            );
        }
    }

    #[test]
    fn expressions_are_opaque() {
        let text = r#"
x = var.region
y = "${var.a}-b"
z = upper("aws")
w = true ? "AZURE" : "AWS"
p = ("M10")
n = null
k = { "quoted" = 1, (var.k) = 2 }
"#;
        let r = root(text);
        for key in ["x", "y", "z", "w"] {
            let n = r.get(key).unwrap();
            assert!(n.is_expr(), "{key}");
            assert_eq!(n.scalar_text(), None, "{key}");
            assert_eq!(n.as_str(), None, "{key}");
        }
        assert_eq!(r.get("x").unwrap().expr_source(), Some("var.region"));
        assert_eq!(
            slice(text, r.get("w").unwrap()),
            "true ? \"AZURE\" : \"AWS\""
        );
        assert_eq!(r.get("p").unwrap().as_str(), Some("M10"));
        assert_eq!(r.get("n").unwrap().value, Value::Null);
        let k = r.get("k").unwrap().as_map().unwrap();
        assert_eq!(k[0].key.as_str(), Some("quoted"));
        assert!(k[1].key.is_expr());
    }

    #[test]
    fn repeated_provider_blocks_are_kept_in_order() {
        let text = "provider \"mongodbatlas\" {\n  alias = \"a\"\n}\nprovider \"mongodbatlas\" {\n  alias = \"b\"\n}\n";
        let r = root(text);
        let providers = Cursor::root(&r).get("provider").unwrap();
        let aliases: Vec<_> = providers
            .entries()
            .map(|(_, body)| body.get("alias").unwrap().str().unwrap())
            .collect();
        assert_eq!(aliases, ["a", "b"]);
    }

    #[test]
    fn multibyte_text_keeps_byte_spans() {
        let text = "# é ü\nname = \"ñ\"\nregion = \"EU_WEST_1\"\n";
        let r = root(text);
        assert_eq!(slice(text, r.get("region").unwrap()), "\"EU_WEST_1\"");
        assert_eq!(r.get("name").unwrap().as_str(), Some("ñ"));
    }

    #[test]
    fn a_byte_order_mark_is_read_past_and_spans_keep_their_offsets() {
        let text = "\u{FEFF}x = \"AZURE\"\n";
        let r = root(text);
        let x = Cursor::root(&r).get("x").unwrap();
        assert_eq!(slice(text, x.node), "\"AZURE\"");
    }

    #[test]
    fn garbage_and_deep_nesting_are_errors_not_crashes() {
        for text in [
            "resource {",
            "x = [[[[",
            "\"",
            "a = 1 +",
            "}}}}",
            "x = \"${",
            "x = <<EOT\n",
        ] {
            assert!(parse(text, &Limits::default()).is_err(), "{text:?}");
        }
        let deep = format!("x = {}1{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&deep, &Limits::default()).is_err());
        let deep_blocks = format!("{}{}", "a {\n".repeat(5000), "}\n".repeat(5000));
        assert!(parse(&deep_blocks, &Limits::default()).is_err());
        let labels = format!("a {} {{}}\n", "\"l\" ".repeat(5000));
        assert!(parse(&labels, &Limits::default()).is_err());
        let small = Limits {
            max_depth: 256,
            max_nodes: 10,
        };
        assert!(parse("a = [1,2,3,4,5,6,7,8,9,10,11,12]", &small).is_err());
        assert!(parse("", &Limits::default()).is_ok());
    }
}
