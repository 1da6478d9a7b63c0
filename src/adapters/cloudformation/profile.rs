//! The profile secret of the Atlas CloudFormation resources (`cfn/atlas/profile/{Profile}` in
//! AWS Secrets Manager): its `BaseUrl` says which Atlas every `MongoDB::Atlas::*` resource of
//! the profile talks to.
//!
//! A `SecretString` written out (`'{"BaseUrl":"https://..."}'`) is read by the any-file
//! adapter like any string. A template that builds it from its parameters, with `Fn::Join`
//! (`!Join ['', ['{"PublicKey":"', !Ref PublicKey, '", "BaseURL":"', !Ref BaseUrl, '"}']]`) or
//! `Fn::Sub` (`!Sub '{"BaseUrl":"${BaseUrl}"}'`, or with a variable map), is read here: the
//! value joined after a base URL key is the parameter's literal `Default` (or the map's
//! literal), located at the reference with the default as "value set here".

use super::intrinsics::{Expr, Resolved, Template, child, expr};
use super::literal_type;
use crate::adapters::common::{Locator, is_url_key};
use crate::document::Cursor;
use crate::model::{Endpoint, Loc, Model, Text};

/// What the findings say the URL is.
const CONTEXT: &str = "profile secret BaseUrl";

/// Every `AWS::SecretsManager::Secret` of the template whose `SecretString` joins a base URL
/// key to a value of the template.
pub(super) fn secrets(tpl: &Template<'_>, out: &mut Model) {
    for (_, res) in &tpl.entries {
        if literal_type(res) != Some("AWS::SecretsManager::Secret") {
            continue;
        }
        let Some(secret) = res
            .get("Properties")
            .and_then(|p| child(&p, "SecretString"))
        else {
            continue;
        };
        match expr(&secret) {
            Expr::Call("Join", arg) => join(tpl, &arg, out),
            Expr::Call("Sub", arg) => sub(tpl, &arg, out),
            _ => {}
        }
    }
}

/// `Fn::Join: [delimiter, [parts]]`.
fn join(tpl: &Template<'_>, arg: &Cursor<'_>, out: &mut Model) {
    let mut items = arg.items();
    let (Some(delimiter), Some(parts)) = (items.next(), items.next()) else {
        return;
    };
    let Some(delimiter) = delimiter.node.scalar_text() else {
        return;
    };
    // The text joined so far (unknown parts as a placeholder).
    let mut joined = String::new();
    for (i, part) in parts.items().enumerate() {
        if i > 0 {
            joined.push_str(delimiter);
        }
        match tpl.resolve(Some(part.clone())) {
            Resolved::Known(value) => {
                if after_url_key(&joined) {
                    push(value, out);
                }
                if let Some(text) = part.node.scalar_text() {
                    joined.push_str(text);
                } else {
                    joined.push('…');
                }
            }
            Resolved::Unknown(_) | Resolved::Absent => joined.push('…'),
        }
    }
}

/// `Fn::Sub: template` or `Fn::Sub: [template, {Name: value}]`.
fn sub(tpl: &Template<'_>, arg: &Cursor<'_>, out: &mut Model) {
    let (template, vars) = match arg.node.as_seq() {
        Some(_) => {
            let mut items = arg.items();
            (items.next(), items.next())
        }
        None => (Some(arg.clone()), None),
    };
    let Some(template) = template else { return };
    let Some(text) = template.node.as_str() else {
        return;
    };
    let mut locator = Locator::new(tpl.ctx, &template);
    let mut from = 0;
    while let Some(open) = text
        .get(from..)
        .and_then(|t| t.find("${"))
        .map(|i| from + i)
    {
        let Some(close) = text.get(open..).and_then(|t| t.find('}')).map(|i| open + i) else {
            break;
        };
        from = close + 1;
        let name = text.get(open + 2..close).unwrap_or("").trim();
        // `${!Literal}` is written out as `${Literal}`; `${Res.Attr}` is an attribute.
        if name.starts_with('!')
            || name.contains('.')
            || !after_url_key(text.get(..open).unwrap_or(""))
        {
            continue;
        }
        let value = match vars.as_ref().and_then(|v| child(v, name)) {
            Some(var) => tpl.resolve(Some(var)),
            None => tpl.parameter(name),
        };
        let Resolved::Known(value) = value else {
            continue;
        };
        let Some(at) = text.get(open..=close).and_then(|piece| locator.text(piece)) else {
            continue;
        };
        let written = value.loc.via.as_deref().cloned().unwrap_or(value.loc);
        push(
            Text {
                value: value.value,
                loc: Loc {
                    via: Some(Box::new(written)),
                    ..at.loc
                },
            },
            out,
        );
    }
}

fn push(url: Text, out: &mut Model) {
    if url.as_str().starts_with("http") || url.as_str().contains("mongodb") {
        out.endpoints.push(Endpoint::new(url, CONTEXT));
    }
}

/// Whether JSON text ends with a base URL key and the opening quote of its value
/// (`..., "BaseURL":"`, `"baseUrl": "`).
fn after_url_key(text: &str) -> bool {
    let key = (|| {
        let t = text.strip_suffix('"')?.trim_end();
        let t = t.strip_suffix(':')?.trim_end();
        let t = t.strip_suffix('"')?;
        let start = t.rfind('"')?;
        t.get(start + 1..)
    })();
    key.is_some_and(is_url_key)
}

#[cfg(test)]
mod tests {
    use super::after_url_key;

    #[test]
    fn url_keys_before_a_value() {
        assert!(after_url_key(r#"{"PublicKey":"…", "BaseURL":""#));
        assert!(after_url_key(r#"{"baseUrl": ""#));
        assert!(!after_url_key(r#"{"PrivateKey":""#));
        assert!(!after_url_key(r#"{"BaseUrl":"x""#));
        assert!(!after_url_key(""));
    }
}
