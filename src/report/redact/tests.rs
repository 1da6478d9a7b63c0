#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn fallback_masked(text: &str) -> String {
    mask(text, &fallback(text))
}

#[test]
fn masking_keeps_length_shape_and_utf8() {
    let text = "password: \"h\u{e9}llo, w\"\n";
    let out = mask(text, &[Span::new(11, 20)]);
    assert_eq!(out.len(), text.len());
    assert!(out.starts_with("password: \"*"), "{out}");
    // Whitespace keeps the line's shape; a comma or quote inside the secret is masked, only
    // one at a span's edge (a value's own quotes) is kept.
    assert_eq!(out, "password: \"******* *\"\n");
    assert_eq!(
        mask("uri: bob:it's@h", &[Span::new(9, 13)]),
        "uri: bob:****@h"
    );
    assert_eq!(mask("k: \"a,b\"", &[Span::new(3, 8)]), "k: \"***\"");
    // A secret that ends in a comma or quote of its own: masked whole.
    assert_eq!(mask("p: hunter2,", &[Span::new(3, 11)]), "p: ********");
    assert_eq!(mask("p: hunter2'", &[Span::new(3, 11)]), "p: ********");
    assert_eq!(
        mask("p: \"'hunter2'\"", &[Span::new(3, 14)]),
        "p: \"*********\""
    );
    // A span out of range is ignored; one splitting a character masks everything.
    assert_eq!(mask("ab", &[Span::new(5, 9)]), "ab");
    assert_eq!(mask("\u{e9}x", &[Span::new(0, 1)]), "***");
}

#[test]
fn comments_with_a_secret_word_are_masked_after_it() {
    let text = "providerName: AZURE # password hunter2\nregion: EU # rotate it\nurl: \"a # password b\"\n# atlasgov-lint: allow GOV001 -- the password is rotated\n";
    let mut spans = Vec::new();
    comments(text, Comments::Hash, &mut spans);
    let out = mask(text, &spans);
    assert!(!out.contains("hunter2"), "{out}");
    assert!(out.contains("providerName: AZURE # password "), "{out}");
    assert!(out.contains("region: EU # rotate it"), "{out}");
    assert!(out.contains("\"a # password b\""), "{out}");
    assert!(out.contains("the password is rotated"), "{out}");
    // HCL's `//`; in JSON only `//` (after a comma too), never `#`.
    let text = "region = \"EU\" // token abc123\n";
    let mut spans = Vec::new();
    comments(text, Comments::HashAndSlashes, &mut spans);
    assert_eq!(mask(text, &spans), "region = \"EU\" // token ******\n");
    let mut spans = Vec::new();
    comments(
        "{\"a\": \"x # token y\"} # token z",
        Comments::Slashes,
        &mut spans,
    );
    assert!(spans.is_empty());
    let text = "{\"a\": \"x // token y\",// token abc123\n";
    let mut spans = Vec::new();
    comments(text, Comments::Slashes, &mut spans);
    assert_eq!(
        mask(text, &spans),
        "{\"a\": \"x // token y\",// token ******\n"
    );
    let text = "{\"a\": 1, /* password hunter5 */ \"b\": 2}\n";
    let mut spans = Vec::new();
    comments(text, Comments::Slashes, &mut spans);
    assert!(
        !mask(text, &spans).contains("hunter5"),
        "{}",
        mask(text, &spans)
    );
}

#[test]
fn unparsed_hcl_masks_the_whole_right_hand_side() {
    let out = fallback_masked(
        "provider \"mongodbatlas\" {\n  private_key = A B\n  region = \"EU_WEST_1\"\n",
    );
    assert!(out.contains("private_key = * *\n"), "{out}");
    assert!(out.contains("region = \"EU_WEST_1\""), "{out}");
    let out = fallback_masked("api_key = <<EOT\nHunter2-A\nEOT\nregion = \"EU\"\n{{\n");
    assert!(
        !out.contains("Hunter2-A") && out.contains("region = \"EU\""),
        "{out}"
    );
}

#[test]
fn unparsed_yaml_and_json_keep_their_secrets() {
    let out = fallback_masked(concat!(
        "password:\n  Hunter2-A\nnext: M10\n",
        "token: |\n  Hunter2-B\n  Hunter2-C\nregion: EU_WEST_1\n",
        "{\"apiKey\": \"Hunter2-D\", \"regionName\": \"EU_WEST_1\"\n",
        "- {name: X-Api-Key, value: Hunter2-E}\n",
        "uri: mongodb://app:Hunter2-F@host/db\n",
        "key: |\n  -----BEGIN PRIVATE KEY-----\n  Hunter2-G\n  -----END PRIVATE KEY-----\n",
        "run: mongosh --password Hunter2-H\n",
        "  [unbalanced\n",
    ));
    for secret in ["A", "B", "C", "D", "E", "F", "G", "H"] {
        assert!(
            !out.contains(&format!("Hunter2-{secret}")),
            "{secret}: {out}"
        );
    }
    for kept in [
        "next: M10",
        "region: EU_WEST_1",
        "\"regionName\": \"EU_WEST_1\"",
        "@host/db",
    ] {
        assert!(out.contains(kept), "{kept}: {out}");
    }
}

#[test]
fn model_values_mask_passwords_and_keys() {
    assert_eq!(value("mongodb://u:pw@h"), "mongodb://u:**@h");
    assert!(!value("-----BEGIN PRIVATE KEY-----\nabc").contains("abc"));
    assert_eq!(value("US_GOV_WEST_1"), "US_GOV_WEST_1");
}

#[test]
fn unparsed_entries_named_like_secrets() {
    let out = fallback_masked(concat!(
        "variable \"pd\" {\n  sensitive = true\n  default   = \"Hunter2-A\" }\n",
        "variable \"region\" { default = \"EU_WEST_1\" }\n",
        "variable \"db_password\" {\n  type = string\n  default = \"Hunter2-B\"\n}\n",
        "variable \"tier\" {\n  default = \"M10\"\n}\n",
        "{{ broken\n",
    ));
    assert!(
        !out.contains("Hunter2-A") && !out.contains("Hunter2-B"),
        "{out}"
    );
    assert!(
        out.contains("\"EU_WEST_1\"") && out.contains("\"M10\""),
        "{out}"
    );
    let out = fallback_masked(concat!(
        "env:\n  - name: MONGODB_ATLAS_PRIVATE_KEY\n    value: Hunter2-C\n  - name: REGION\n    value: US_EAST_1\n",
        "  - value: Hunter2-D\n    name: DB_PASSWORD\n",
        "Parameters:\n  AdminCred:\n    Default: Hunter2-E\n    NoEcho: true\n  Tier:\n    Default: M10\n",
        "  [broken\n",
    ));
    for s in ["Hunter2-C", "Hunter2-D", "Hunter2-E"] {
        assert!(!out.contains(s), "{s}: {out}");
    }
    assert!(
        out.contains("value: US_EAST_1") && out.contains("Default: M10"),
        "{out}"
    );
}

#[test]
fn spans_move_past_edits() {
    use crate::fix::TextEdit;
    let edit = |start: usize, end: usize, new: &str| TextEdit {
        file: 0,
        span: Span::new(start, end),
        new: new.to_owned(),
    };
    // "tier: M10 pw: hunter2": the tier grows by one byte, the password moves with it.
    let edits = [edit(6, 9, "M200")];
    assert_eq!(super::moved(Span::new(14, 21), &edits), Span::new(15, 22));
    // A span before the edit stays; one that ends inside an edit covers its replacement.
    assert_eq!(super::moved(Span::new(0, 4), &edits), Span::new(0, 4));
    assert_eq!(super::moved(Span::new(2, 8), &edits), Span::new(2, 10));
    // An insertion where a span ends is not in it; one where it starts moves it.
    let insert = [edit(21, 21, "\nregion: US1_FED")];
    assert_eq!(super::moved(Span::new(14, 21), &insert), Span::new(14, 21));
    let insert = [edit(14, 14, "xx")];
    assert_eq!(super::moved(Span::new(14, 21), &insert), Span::new(16, 23));
}

#[test]
fn a_broken_files_explicit_or_split_secret_key_masks_the_value_below_it() {
    for text in [
        "baseUrl: https://cloud.mongodb.com/\n? password\n: Hunter2Complex\n- x\n",
        "baseUrl: https://cloud.mongodb.com/\n\"password\"\n  : Hunter2Complex\n- x\n",
        "private_key = \"Aa1\" \"Hunter2Complex\"\n{\n",
    ] {
        let out = fallback_masked(text);
        assert!(!out.contains("Hunter2Complex"), "{out}");
        assert!(
            !text.contains("https://") || out.contains("https://cloud.mongodb.com/"),
            "{out}"
        );
    }
    // A key that is no secret keeps its value.
    let out = fallback_masked("? region\n: EU_WEST_1\n- x\n");
    assert!(out.contains("EU_WEST_1"), "{out}");
}
