//! HCL expressions as a small owned syntax tree with byte spans in the file, for adapters that
//! evaluate what can be known of an expression before `apply` (references, `for` expressions,
//! conditionals, a few functions).
//!
//! [`super::hcl`] keeps every non-literal expression as one opaque node holding its source
//! text; [`parse`] reads such a source again (and [`parse_template`] a string template, the
//! form an expression takes in Terraform's JSON syntax) into an [`Expr`]. Spans are the
//! file's when the caller knows where the source starts in the file (`base`); otherwise every
//! node carries the span of the whole expression (`whole`), which is then the most exact
//! location there is.
//!
//! Recursion is bounded: `hcl-edit` bounds nesting (64 levels, 128 chained operators) and
//! [`MAX_DEPTH`] bounds the conversion below it.

use std::ops::Range;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};

use super::Span;

/// Deepest nesting converted; anything deeper is [`Expr::Other`].
const MAX_DEPTH: usize = 256;

/// An expression. Literal strings are their values (escapes resolved), numbers as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Null(Span),
    Bool(bool, Span),
    Number(Box<str>, Span),
    Str(Box<str>, Span),
    /// `[a, b]`.
    Tuple(Vec<Expr>, Span),
    /// `{ k = v }`: a bare key is a [`Expr::Str`].
    Object(Vec<(Expr, Expr)>, Span),
    /// A name on its own (`var`, `each`, a `for` iterator).
    Var(Box<str>, Span),
    /// `base.attr`, `base[index]`, `base[*]`.
    Traverse(Box<Expr>, Vec<Op>, Span),
    /// `name(args)`; `true` when the last argument is expanded (`f(list...)`).
    Call(Box<str>, Vec<Expr>, bool, Span),
    /// `cond ? a : b`.
    Cond(Box<(Expr, Expr, Expr)>, Span),
    Not(Box<Expr>, Span),
    Neg(Box<Expr>, Span),
    Binary(BinOp, Box<(Expr, Expr)>, Span),
    For(Box<For>),
    /// A string with interpolations (`"${var.env}-db"`); directives make it [`Expr::Other`].
    Template(Vec<Part>, Span),
    /// Anything this tree does not represent (heredocs, directives, namespaced functions).
    Other(Span),
}

/// One step of a traversal.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Attr(Box<str>),
    Index(Expr),
    /// `[*]` or `.*`.
    Splat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

/// `[for k, v in collection : value if cond]`, or `{for ... : key => value}` (`key` set).
#[derive(Debug, Clone, PartialEq)]
pub struct For {
    pub key_var: Option<Box<str>>,
    pub value_var: Box<str>,
    pub collection: Expr,
    pub key: Option<Expr>,
    pub value: Expr,
    pub cond: Option<Expr>,
    /// `...` after the value (grouping mode of an object `for`).
    pub grouping: bool,
    pub span: Span,
}

/// A piece of a string template.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(Box<str>),
    Interp(Expr),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Null(s)
            | Expr::Bool(_, s)
            | Expr::Number(_, s)
            | Expr::Str(_, s)
            | Expr::Tuple(_, s)
            | Expr::Object(_, s)
            | Expr::Var(_, s)
            | Expr::Traverse(_, _, s)
            | Expr::Call(_, _, _, s)
            | Expr::Cond(_, s)
            | Expr::Not(_, s)
            | Expr::Neg(_, s)
            | Expr::Binary(_, _, s)
            | Expr::Template(_, s)
            | Expr::Other(s) => *s,
            Expr::For(f) => f.span,
        }
    }
}

/// An expression's source (`var.regions[0]`, `[for r in var.regions : r.name]`). `base`: the
/// offset in the file where `source` starts, when `source` is the file's text there; `whole`:
/// the span of the expression in the file. `None` when it does not parse.
pub fn parse(source: &str, base: Option<u32>, whole: Span) -> Option<Expr> {
    super::hcl_balance::check(source).ok()?;
    let parsed = std::panic::catch_unwind(|| hcl_edit::parser::parse_expr(source)).ok()?;
    let expr = parsed.ok()?;
    Some(
        Conv {
            base,
            whole,
            source,
        }
        .expr(&expr, 0),
    )
}

/// A string template without its quotes (the value of a JSON string in Terraform's JSON
/// syntax: `${var.region}`, `${var.env}-db`); see [`parse`] for `base` and `whole`.
pub fn parse_template(source: &str, base: Option<u32>, whole: Span) -> Option<Expr> {
    super::hcl_balance::check(source).ok()?;
    let parsed = std::panic::catch_unwind(|| hcl_edit::parser::parse_template(source)).ok()?;
    let template = parsed.ok()?;
    let conv = Conv {
        base,
        whole,
        source,
    };
    Some(conv.template(&template, whole, 0))
}

struct Conv<'a> {
    base: Option<u32>,
    whole: Span,
    source: &'a str,
}

impl Conv<'_> {
    fn span(&self, item: &impl hcl_edit::Span) -> Span {
        match (self.base, item.span()) {
            (Some(base), Some(r)) => {
                let base = base as usize;
                Span::new(base + r.start, base + r.end)
            }
            _ => self.whole,
        }
    }

    fn text(&self, range: Option<Range<usize>>) -> Option<&str> {
        self.source.get(range?).map(str::trim)
    }

    fn expr(&self, expr: &Expression, depth: usize) -> Expr {
        let span = self.span(expr);
        if depth > MAX_DEPTH {
            return Expr::Other(span);
        }
        let d = depth + 1;
        match expr {
            Expression::Null(_) => Expr::Null(span),
            Expression::Bool(b) => Expr::Bool(*b.value(), span),
            Expression::Number(n) => {
                let written = self
                    .text(hcl_edit::Span::span(expr))
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| n.value().to_string(), str::to_string);
                Expr::Number(written.into(), span)
            }
            Expression::String(s) => Expr::Str(s.value().as_str().into(), span),
            Expression::Array(items) => {
                Expr::Tuple(items.iter().map(|i| self.expr(i, d)).collect(), span)
            }
            Expression::Object(object) => Expr::Object(
                object
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            ObjectKey::Ident(ident) => {
                                Expr::Str(ident.as_str().into(), self.span(ident))
                            }
                            ObjectKey::Expression(e) => self.expr(e, d),
                        };
                        (key, self.expr(value.expr(), d))
                    })
                    .collect(),
                span,
            ),
            Expression::Parenthesis(inner) => self.expr(inner.inner(), d),
            Expression::Variable(v) => Expr::Var(v.as_str().into(), span),
            Expression::Traversal(t) => {
                let ops = t
                    .operators
                    .iter()
                    .map(|op| match op.value() {
                        TraversalOperator::GetAttr(ident) => Op::Attr(ident.as_str().into()),
                        TraversalOperator::Index(e) => Op::Index(self.expr(e, d)),
                        TraversalOperator::LegacyIndex(i) => {
                            Op::Index(Expr::Number(i.value().to_string().into(), self.span(i)))
                        }
                        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                            Op::Splat
                        }
                    })
                    .collect();
                Expr::Traverse(Box::new(self.expr(&t.expr, d)), ops, span)
            }
            Expression::FuncCall(call) => {
                if call.name.is_namespaced() {
                    return Expr::Other(span);
                }
                let args = call.args.iter().map(|a| self.expr(a, d)).collect();
                Expr::Call(
                    call.name.name.as_str().into(),
                    args,
                    call.args.expand_final(),
                    span,
                )
            }
            Expression::Conditional(c) => Expr::Cond(
                Box::new((
                    self.expr(&c.cond_expr, d),
                    self.expr(&c.true_expr, d),
                    self.expr(&c.false_expr, d),
                )),
                span,
            ),
            Expression::UnaryOp(op) => {
                let inner = Box::new(self.expr(&op.expr, d));
                match op.operator.value() {
                    UnaryOperator::Not => Expr::Not(inner, span),
                    UnaryOperator::Neg => Expr::Neg(inner, span),
                }
            }
            Expression::BinaryOp(op) => {
                let bin = match op.operator.value() {
                    BinaryOperator::Eq => BinOp::Eq,
                    BinaryOperator::NotEq => BinOp::NotEq,
                    BinaryOperator::Less => BinOp::Less,
                    BinaryOperator::LessEq => BinOp::LessEq,
                    BinaryOperator::Greater => BinOp::Greater,
                    BinaryOperator::GreaterEq => BinOp::GreaterEq,
                    BinaryOperator::Plus => BinOp::Add,
                    BinaryOperator::Minus => BinOp::Sub,
                    BinaryOperator::Mul => BinOp::Mul,
                    BinaryOperator::Div => BinOp::Div,
                    BinaryOperator::Mod => BinOp::Mod,
                    BinaryOperator::And => BinOp::And,
                    BinaryOperator::Or => BinOp::Or,
                };
                Expr::Binary(
                    bin,
                    Box::new((self.expr(&op.lhs_expr, d), self.expr(&op.rhs_expr, d))),
                    span,
                )
            }
            Expression::ForExpr(f) => Expr::For(Box::new(For {
                key_var: f.intro.key_var.as_ref().map(|k| k.as_str().into()),
                value_var: f.intro.value_var.as_str().into(),
                collection: self.expr(&f.intro.collection_expr, d),
                key: f.key_expr.as_ref().map(|k| self.expr(k, d)),
                value: self.expr(&f.value_expr, d),
                cond: f.cond.as_ref().map(|c| self.expr(&c.expr, d)),
                grouping: f.grouping,
                span,
            })),
            Expression::StringTemplate(t) => self.template(t, span, d),
            Expression::HeredocTemplate(_) => Expr::Other(span),
        }
    }

    fn template(&self, template: &Template, span: Span, depth: usize) -> Expr {
        let mut parts = Vec::new();
        for element in template.iter() {
            match element {
                Element::Literal(s) => parts.push(Part::Lit(s.value().as_str().into())),
                Element::Interpolation(i) => parts.push(Part::Interp(self.expr(&i.expr, depth))),
                Element::Directive(_) => return Expr::Other(span),
            }
        }
        Expr::Template(parts, span)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    fn at(text: &str, expr: &Expr) -> String {
        let s = expr.span();
        text[s.start as usize..s.end as usize].to_string()
    }

    #[test]
    fn for_expressions_keep_their_parts_and_file_spans() {
        let file = "x = [for r in var.regions : { region_name = r.name, size = \"M10\" } if r.on]";
        let start = file.find('[').unwrap();
        let source = &file[start..];
        let whole = Span::new(start, file.len());
        let Some(Expr::For(f)) = parse(source, Some(start as u32), whole) else {
            panic!("not a for");
        };
        assert_eq!(&*f.value_var, "r");
        assert!(f.key_var.is_none());
        assert_eq!(at(file, &f.collection), "var.regions");
        let Expr::Object(entries, _) = &f.value else {
            panic!("not an object");
        };
        assert_eq!(at(file, &entries[1].1), "\"M10\"");
        assert_eq!(entries[1].1, Expr::Str("M10".into(), entries[1].1.span()));
        assert_eq!(at(file, f.cond.as_ref().unwrap()), "r.on");
    }

    #[test]
    fn traversals_calls_and_templates() {
        let whole = Span::new(0, 0);
        let e = parse("var.zones[1][\"primary\"].name", Some(0), whole).unwrap();
        let Expr::Traverse(base, ops, _) = e else {
            panic!("not a traversal");
        };
        assert!(matches!(*base, Expr::Var(ref v, _) if &**v == "var"));
        assert_eq!(ops.len(), 4);
        let e = parse("toset(var.regions)", Some(0), whole).unwrap();
        assert!(matches!(e, Expr::Call(ref n, ref a, false, _) if &**n == "toset" && a.len() == 1));
        let e = parse_template("${var.region}", Some(10), whole).unwrap();
        let Expr::Template(parts, _) = e else {
            panic!("not a template");
        };
        let [Part::Interp(inner)] = parts.as_slice() else {
            panic!("{parts:?}");
        };
        assert_eq!(inner.span(), Span::new(12, 22));
        let e = parse_template("$${literal} and %%{x}", None, whole).unwrap();
        assert_eq!(
            e,
            Expr::Template(vec![Part::Lit("${literal} and %{x}".into())], whole)
        );
        // Without a base, every node is located at the whole expression.
        let e = parse("var.x", None, Span::new(5, 10)).unwrap();
        assert_eq!(e.span(), Span::new(5, 10));
    }

    #[test]
    fn garbage_is_none() {
        for s in ["[for", "var.", "${", "{ a = }", "((((", ""] {
            assert!(parse(s, None, Span::default()).is_none(), "{s}");
        }
        assert!(parse_template("${", None, Span::default()).is_none());
    }
}
