#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::document::shell::Dialect;
use crate::document::{Limits, Syntax, parse};

/// `text` with the secrets its tree gives replaced by `*` (whitespace, quotes, commas kept).
fn masked(text: &str, syntax: Syntax) -> String {
    let doc = parse(text, syntax, &Limits::default()).expect("parses");
    let mut spans = Vec::new();
    match syntax {
        Syntax::Shell(d) => collect_lines_of(text, d == Dialect::Env, &mut spans),
        _ => {
            for root in &doc.roots {
                collect(root, text, &mut spans);
            }
        }
    }
    normalize(&mut spans);
    let mut bytes = text.as_bytes().to_vec();
    for s in &spans {
        for b in &mut bytes[s.start as usize..s.end as usize] {
            if !b.is_ascii_whitespace() && !matches!(*b, b'"' | b'\'' | b',') {
                *b = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// Each secret appears in `text`; none may survive, and `keep` must.
fn assert_masked<S: AsRef<str>>(text: &str, syntax: Syntax, secrets: &[S], keep: &[&str]) {
    let out = masked(text, syntax);
    assert_eq!(out.len(), text.len());
    for secret in secrets {
        assert!(
            text.contains(secret.as_ref()),
            "{} not planted",
            secret.as_ref()
        );
        assert!(
            !out.contains(secret.as_ref()),
            "{} leaked:\n{out}",
            secret.as_ref()
        );
    }
    for kept in keep {
        assert!(out.contains(kept), "{kept} masked:\n{out}");
    }
}

/// `Hunter2-A`, `Hunter2-B`, ... for each letter.
fn planted(letters: &str) -> Vec<String> {
    letters.chars().map(|c| format!("Hunter2-{c}")).collect()
}

const YAML: Syntax = Syntax::Yaml;
const JSON: Syntax = Syntax::Json;
const HCL: Syntax = Syntax::Hcl;
const SH: Syntax = Syntax::Shell(Dialect::Sh);

#[test]
fn secret_keys_in_every_spelling() {
    for key in [
        "password",
        "privateKey",
        "private_key",
        "private-key",
        "apiKey",
        "api-key",
        "x-api-key",
        "client_secret",
        "token",
        "secretString",
        "DB_PASS",
        "dbPwd",
        "MONGODB_ATLAS_PRIVATE_API_KEY",
        // A key of something (found by an adversarial pass: these were printed).
        "X_KEY",
        "ATLAS_KEY",
        "ENCRYPTION_KEY",
        "ACCESS_KEY",
        "STRIPE_KEY",
        "signingKey",
        "ssh-key",
        "COSMOS_PRIMARY_KEY",
        "AWSKey",
        // PostgreSQL's password variable (printed by `--diff`, found in review).
        "PGPASS",
    ] {
        assert!(is_secret_key(key), "{key}");
    }
    for key in [
        "passwordSecretRef",
        "secretName",
        "tokenType",
        "username",
        "publicKeyId",
        "compass",
        "region",
        // A bare `key` names an entry; a public key, a partition or tag key are not secrets.
        "key",
        "KEY",
        "public_key",
        "atlas_public_key",
        "partitionKey",
        "shard_key",
        "tag_key",
        "keyName",
        "encryption_key_id",
        // Where a secret is kept, not the secret.
        "PGPASSFILE",
        "password_file",
        "secretPath",
    ] {
        assert!(!is_secret_key(key), "{key}");
    }
}

#[test]
fn masks_secret_values_and_keeps_length() {
    let text = "username: app\npassword: hunter2\napiKey: \"abc123\"\n";
    let out = masked(text, YAML);
    assert_eq!(
        out,
        "username: app\npassword: *******\napiKey: \"******\"\n"
    );
    let text = "{\"username\": \"app\", \"apiKey\": \"abc123\", \"region\": \"EU\"}";
    assert_eq!(
        masked(text, JSON),
        "{\"username\": \"app\", \"apiKey\": \"******\", \"region\": \"EU\"}"
    );
    assert_masked(
        "secretAccessKey = \"x-Hunter2\"\nregion = \"EU\"\n",
        HCL,
        &["x-Hunter2"],
        &["region = \"EU\""],
    );
}

#[test]
fn every_secret_in_flow_collections() {
    assert_masked(
        "[{ \"type\": \"DATADOG\", \"apiKey\": \"k1-Hunter2\" }, { \"typeName\": \"DATADOG\", \"datadogApiKey\": \"k2-Hunter2\", \"region\": \"EU\" }]\n",
        JSON,
        &["k1-Hunter2", "k2-Hunter2"],
        &["\"region\": \"EU\"", "\"type\": \"DATADOG\""],
    );
    assert_masked(
        "- {name: a, password: p3-Hunter2, x: y}\n",
        YAML,
        &["p3-Hunter2"],
        &["x: y", "name: a"],
    );
    assert_masked(
        "provider \"x\" { private_key = \"k4-Hunter2\" }\n",
        HCL,
        &["k4-Hunter2"],
        &["provider \"x\""],
    );
}

#[test]
fn references_to_secrets_are_not_secrets() {
    let text = "passwordSecretRef:\n  name: my-secret\n";
    assert_eq!(masked(text, YAML), text);
    let text = "password: !Ref DBPassword\nPassword: {Ref: AdminPassword}\n";
    assert_eq!(masked(text, YAML), text);
}

/// A shell variable after a secret flag, double-quoted or braced, is where the secret is:
/// shown as written (a `--diff` that masked it would not apply). Bare or single-quoted it may
/// be literal text: masked.
#[test]
fn shell_variables_after_secret_flags_are_not_secrets() {
    let text = "atlas alerts settings create --notificationApiKey \"$K\" --privateKey ${ATLAS_KEY}\nmongosh --password \"${DB_PASSWORD}\"\n";
    assert_eq!(masked(text, SH), text);
    // Bare, it may be literal text (a Kubernetes `args` list expands no `$NAME`).
    let text = "mongosh --password '$ecretP4ss'\nmongosh --password $ecretP5ss\n";
    let shown = masked(text, SH);
    assert!(
        !shown.contains("$ecretP4ss") && !shown.contains("$ecretP5ss"),
        "{shown}"
    );
    let text = "args:\n  - --apiKey $thirdS3cret\n";
    let shown = masked(text, YAML);
    assert!(!shown.contains("$thirdS3cret"), "{shown}");
}

/// A connection string whose password is a CI expression (`${{ secrets.PW }}`) holds no
/// secret: shown whole, so a finding in it (its `authMechanism`) shows what it points at.
#[test]
fn a_password_written_as_an_expression_is_not_a_secret() {
    let text = "env:\n  MONGODB_URI: \"mongodb+srv://smoke:${{ secrets.SMOKE_PW }}@p.q7w8e.mongodbgov.net/app?authMechanism=SCRAM-SHA-1\"\n";
    assert_eq!(masked(text, YAML), text);
    let text = "run: mongosh \"mongodb+srv://smoke:${{ secrets.SMOKE_PW }}@p.q7w8e.mongodbgov.net/?authMechanism=SCRAM-SHA-1\"\n";
    assert_eq!(masked(text, YAML), text);
    // A literal password beside it is still masked.
    let text = "uri: mongodb+srv://smoke:Hunter2-Z@p.q7w8e.mongodbgov.net/app\n";
    assert!(!masked(text, YAML).contains("Hunter2-Z"));
}

#[test]
fn values_of_entries_named_like_secrets() {
    // Terraform variables, one-line and multi-line, and a resource named for what it holds.
    assert_masked(
        "variable \"region\" { default = \"EU_WEST_1\" }\nvariable \"db_password\" { default = \"Hunter2-A\" }\nvariable \"api_key\" {\n  type    = string\n  default = \"Hunter2-B\"\n}\nvariable \"tier\" {\n  default = \"M10\"\n}\nresource \"aws_ssm_parameter\" \"atlas_private_key\" {\n  value = \"Hunter2-C\"\n}\n",
        HCL,
        &planted("ABC"),
        &["EU_WEST_1", "M10"],
    );
    // CloudFormation parameters: by name, and by NoEcho above or below the default.
    assert_masked(
        "{\"Parameters\": {\n  \"ClusterRegion\": { \"Type\": \"String\", \"Default\": \"EU_WEST_1\" },\n  \"DBPassword\": { \"Type\": \"String\", \"NoEcho\": true, \"Default\": \"Hunter2-D\" },\n  \"Other\": { \"Default\": \"Hunter2-E\", \"NoEcho\": \"true\" },\n  \"Tier\": { \"Default\": \"M10\" }\n}}\n",
        JSON,
        &planted("DE"),
        &["EU_WEST_1", "M10", "\"Type\": \"String\""],
    );
    assert_masked(
        "Parameters:\n  Region:\n    Type: String\n    Default: EU_WEST_1\n  AdminCred:\n    Type: String\n    Default: Hunter2-F\n    NoEcho: true\n  Tier:\n    Default: M10\n",
        YAML,
        &planted("F"),
        &["EU_WEST_1", "M10"],
    );
    // Kubernetes env entries, block and flow style, the name before or after the value.
    assert_masked(
        "env:\n  - name: MONGODB_ATLAS_PRIVATE_KEY\n    value: 9f8e7d6c-9999\n  - name: REGION\n    value: US_EAST_1\n  - {name: DB_PASSWORD, value: Hunter2-G}\n  - value: Hunter2-H\n    name: MONGODB_ATLAS_PRIVATE_API_KEY\n",
        YAML,
        &["9f8e7d6c-9999", "Hunter2-G", "Hunter2-H"],
        &["US_EAST_1"],
    );
    // PagerDuty and friends.
    assert_masked(
        "datadog_region = \"US\"\nservice_key = \"Hunter2-I\"\nrouting_key = \"Hunter2-J\"\n",
        HCL,
        &planted("IJ"),
        &["\"US\""],
    );
    assert_masked(
        "variable \"atlas_pk\" {\n  sensitive = true\n  default   = \"Hunter2-K\"\n}\n",
        HCL,
        &planted("K"),
        &["sensitive = true"],
    );
}

#[test]
fn name_value_pairs_headers_and_env_vars() {
    assert_masked(
        "{\"headers\": [{\"name\": \"x-api-key\", \"value\": \"Hunter2-A\"}, {\"name\": \"Accept\", \"value\": \"application/json\"}]}",
        JSON,
        &planted("A"),
        &["application/json"],
    );
    assert_masked(
        "headers:\n  - name: X-Api-Key\n    value: Hunter2-B\n  - name: privateKey\n    value: Hunter2-C\n  - key: client_secret\n    value: Hunter2-D\n  - name: Content-Type\n    value: text/plain\n",
        YAML,
        &planted("BCD"),
        &["value: text/plain"],
    );
    assert_masked(
        "env {\n  name  = \"MONGODB_ATLAS_PRIVATE_API_KEY\"\n  value = \"Hunter2-E\"\n}\nenv {\n  name  = \"MONGODB_ATLAS_BASE_URL\"\n  value = \"https://cloud.mongodb.com\"\n}\n",
        HCL,
        &planted("E"),
        &["https://cloud.mongodb.com"],
    );
    // A container named like a token is no env entry: its env values are judged on their own.
    assert_masked(
        "containers:\n  - name: atlas-token-refresher\n    env:\n      - name: MONGODB_ATLAS_BASE_URL\n        value: https://cloud.mongodb.com/\n",
        YAML,
        &[] as &[&str],
        &["value: https://cloud.mongodb.com/"],
    );
}

#[test]
fn secrets_on_command_lines() {
    assert_masked(
        concat!(
            "run: |\n",
            "  curl --user abcdpub:Hunter2-A https://cloud.mongodb.com/api\n",
            "  curl --digest -u \"pubkey:Hunter2-B\" -H \"Authorization: Bearer Hunter2-C\" x\n",
            "  mongosh \"mongodb+srv://c.mongodb.net/?authMechanism=SCRAM-SHA-1\" --username app --password Hunter2-D \\\n",
            "    -p Hunter2-E \\\n",
            "  docker run -p 127.0.0.1:8080:80 img --apiKey=Hunter2-F\n",
            "  atlas config set private_api_key Hunter2-G\n",
        ),
        YAML,
        &planted("ABCDEFG"),
        &[
            "abcdpub:",
            "pubkey:",
            "--username app",
            "8080:80",
            "SCRAM-SHA-1",
            "cloud.mongodb.com",
        ],
    );
}

#[test]
fn secrets_in_commands_quoted_strings_and_exec_arrays() {
    assert_masked(
        concat!(
            "command: [\"/bin/sh\", \"-c\", \"mongosh --password Hunter2-A --authenticationMechanism SCRAM-SHA-1\"]\n",
            "cmd: \"atlas config set private_api_key Hunter2-B; mongosh -u app:Hunter2-C\"\n",
            "args: [\"mongosh\", \"--password\", \"Hunter2-D\"]\n",
            "args2:\n  - --password\n  - Hunter2-E\n  - \"--password=Hunter2-F\"\n",
            "run: export MONGODB_ATLAS_PRIVATE_API_KEY=Hunter2-G; MONGODB_ATLAS_PRIVATE_KEY=Hunter2-H atlas x\n",
            "step: curl -uapp:Hunter2-I https://x\n",
            "exec: [mysql, -p, \"12345678\", -h, db]\n",
            "ports: [docker, run, -p, \"8080:80\"]\n",
        ),
        YAML,
        &[planted("ABCDEFGHI"), vec!["12345678".to_string()]].concat(),
        &[
            "SCRAM-SHA-1",
            "--authenticationMechanism",
            "atlas x",
            "\"8080:80\"",
        ],
    );
    assert_masked(
        "{\"cmd\": \"atlas config set private_api_key Hunter2-J; mongosh -u app:Hunter2-K\", \"args\": [\"--privateKey\", \"Hunter2-L\"]}",
        JSON,
        &planted("JKL"),
        &["atlas config set private_api_key"],
    );
}

/// A Kubernetes container's `command` that ends with a secret flag: the first of its `args`
/// is the flag's value (the command's words go on with the args).
#[test]
fn a_container_commands_secret_flag_takes_the_first_arg() {
    assert_masked(
        concat!(
            "containers:\n",
            "  - command: [\"atlas\", \"setup\", \"--password\"]\n",
            "    args: [\"Hunter2-A\", \"--tier\", \"M10\"]\n",
            "  - args:\n      - Hunter2-B\n    command:\n      - atlas\n      - --privateKey\n",
        ),
        YAML,
        &planted("AB"),
        &["--tier", "\"M10\""],
    );
}

#[test]
fn scripts_makefiles_and_dockerfiles() {
    assert_masked(
        concat!(
            "#!/bin/sh\n",
            "export MONGODB_ATLAS_PRIVATE_API_KEY=Hunter2-A\n",
            "atlas config set private_api_key Hunter2-B\n",
            "mongosh \"mongodb+srv://app:Hunter2-C@c.mongodbgov.net\" --authenticationMechanism SCRAM-SHA-1\n",
            "mongosh --password Hunter2-D -p Hunter2-E --privateKey Hunter2-F\n",
            "curl -H 'Authorization: Bearer Hunter2-G' https://cloud.mongodbgov.com\n",
        ),
        SH,
        &planted("ABCDEFG"),
        &[
            "SCRAM-SHA-1",
            "https://cloud.mongodbgov.com",
            "mongodb+srv://app:",
        ],
    );
    assert_masked(
        "FROM alpine\nENV MONGODB_ATLAS_PRIVATE_API_KEY=Hunter2-H\nRUN atlas clusters list --password Hunter2-I\n",
        Syntax::Shell(Dialect::Docker),
        &planted("HI"),
        &["atlas clusters list"],
    );
}

#[test]
fn a_quote_that_opens_inside_a_secret_ends_with_its_line() {
    // An apostrophe in the word after a flag, a quote nested in a substitution: the next lines
    // (and their findings) stay readable.
    assert_masked(
        concat!(
            "echo \"usage: $0 --password can't be empty\"\n",
            "atlas dbusers create --password \"$(vault read -field=pw x | tr -d '\"')\"\n",
            "atlas clusters create c --provider AWS --region EU_WEST_1 --tier M10\n",
        ),
        SH,
        &["t be empty"],
        &["--region EU_WEST_1 --tier M10"],
    );
    // A quote escaped for the YAML string around the command ends the secret.
    assert_masked(
        "run: \"atlas dbusers create --password \\\"Hunter2-A Hunter2-B\\\" --role r; atlas clusters create x --region EU_WEST_1\"\n",
        YAML,
        &planted("AB"),
        &["--role r; atlas clusters create x --region EU_WEST_1"],
    );
    // A variable after `=` is where the secret is.
    assert_masked(
        "mongosh --password=\"$PW\" --authenticationMechanism SCRAM-SHA-1 --apiKey=${K} --token=Hunter2-A\n",
        SH,
        &planted("A"),
        &["--authenticationMechanism SCRAM-SHA-1"],
    );
    // A host and port before a blank are no password with a blank in it.
    assert_masked(
        "mongosh mongodb://c-00.a1b2c.mongodbgov.net:27017 --authenticationMechanism SCRAM-SHA-1 --username ops@example.com\n",
        SH,
        &[] as &[&str],
        &["--authenticationMechanism SCRAM-SHA-1 --username ops@example.com"],
    );
}

#[test]
fn webhook_urls_and_url_signatures() {
    assert_masked(
        concat!(
            "notifications:\n",
            "  - {typeName: WEBHOOK, webhookUrl: \"https://hooks.example.com/Hunter2-A\"}\n",
            "  - typeName: MICROSOFT_TEAMS\n",
            "    microsoftTeamsWebhookUrl: https://example.webhook.office.com/Hunter2-B\n",
            "url: \"https://b.s3.amazonaws.com/x?X-Amz-Signature=Hunter2-C&X-Amz-Date=20260101\"\n",
            "sas: \"https://a.blob.core.windows.net/c?sv=2022&sig=Hunter2-D&se=2026\"\n",
        ),
        YAML,
        &planted("ABCD"),
        &["typeName: WEBHOOK", "X-Amz-Date=20260101", "sv=2022"],
    );
}

#[test]
fn a_secret_is_its_whole_shell_word() {
    // Quoted with blanks, escaped blanks, quoted and bare parts joined, a quote over lines.
    assert_masked(
        concat!(
            "#!/bin/sh\n",
            "atlas dbusers create --username u --password \"Hunter2-A Hunter2-B\" --role readWrite\n",
            "atlas dbusers create --password 'Hunter2-C Hunter2-D'\n",
            "atlas dbusers create --password=Hunter2-E\\ Hunter2-F --role r\n",
            "atlas dbusers create -p \"Hunter2-G Hunter2-H\"\n",
            "atlas dbusers create --password \"Hunter2-I\"Hunter2-J --role r\n",
            "atlas dbusers create --password \"Hunter2-K\n",
            "Hunter2-L\" --role readWrite\n",
            "export DB_PASSWORD=\"Hunter2-M Hunter2-N\"\n",
            "mongosh \"mongodb+srv://u:Hunter2-O Hunter2-P@c.mongodbgov.net\"\n",
        ),
        SH,
        &planted("ABCDEFGHIJKLMNOP"),
        &["--role readWrite", "--role r", "@c.mongodbgov.net"],
    );
    // A dotenv file's unquoted value runs to the end of its line.
    assert_masked(
        "API_KEY=Hunter2-A Hunter2-B # the key\nDB_PASSWORD='Hunter2-C Hunter2-D'\nREGION=US\n",
        Syntax::Shell(Dialect::Env),
        &planted("ABCD"),
        &["# the key", "REGION=US"],
    );
}

#[test]
fn secret_values_over_several_lines() {
    assert_masked(
        concat!(
            "password:\n  Hunter2-A\nnext: M10\n",
            "token: !!str |\n  Hunter2-B\npw: &pw |\n  Hunter2-C\n",
            "passwords: [Hunter2-E, Hunter2-F]\n",
            "password2: 'a''Hunter2-I'\n",
            "DB_PASS: Hunter2-J\ntls.key: Hunter2-K\npassphrase: Hunter2-L\n",
            "password3: ab,cd]Hunter2-M\n",
            "region: EU_WEST_1\n",
        ),
        YAML,
        &planted("ABCEFIJKLM"),
        &["next: M10", "region: EU_WEST_1"],
    );
    let text = "api_key = <<EOT\nHunter2-D\nEOT\nregion = \"EU_WEST_1\"\n";
    let out = masked(text, HCL);
    assert!(!out.contains("Hunter2-D"), "{out}");
    assert!(
        out.contains("<<EOT") && out.contains("region = \"EU_WEST_1\""),
        "{out}"
    );
}

#[test]
fn connection_string_passwords_with_quotes_slashes_and_json_escapes() {
    assert_masked(
        concat!(
            "uri: mongodb://app:Hunter'2-A@host/db\n",
            "uri2: mongodb://app:Hun/ter2-B@host/db?authMechanism=SCRAM-SHA-1\n",
        ),
        YAML,
        &["Hunter'2-A", "ter2-B"],
        &["@host/db", "authMechanism=SCRAM-SHA-1"],
    );
    assert_masked(
        "{\"uri\": \"mongodb+srv:\\/\\/app:Hunter2-C@c.mongodbgov.net\"}",
        JSON,
        &["Hunter2-C"],
        &["c.mongodbgov.net"],
    );
}

#[test]
fn a_secret_beside_a_finding_does_not_hide_the_finding() {
    // The flagged values (the mechanism, the URL, the region) stay readable.
    assert_masked(
        concat!(
            "run: |\n",
            "  mongosh \"$URI\" --password=$PW --authenticationMechanism SCRAM-SHA-1\n",
            "  MONGODB_ATLAS_PRIVATE_API_KEY=$K mongosh \"mongodb+srv://c.mongodb.net/?authMechanism=SCRAM-SHA-1\"\n",
            "env: [{name: MONGODB_ATLAS_PRIVATE_KEY, value: Hunter2-A}, {name: MONGODB_ATLAS_BASE_URL, value: \"https://cloud.mongodb.com/api\"}]\n",
            "help: \"the key file starts with -----BEGIN PRIVATE KEY-----\"\n",
            "authMechanism: SCRAM-SHA-1\n",
        ),
        YAML,
        &planted("A"),
        &[
            "--authenticationMechanism SCRAM-SHA-1",
            "c.mongodb.net/?authMechanism=SCRAM-SHA-1",
            "value: \"https://cloud.mongodb.com/api\"",
            "authMechanism: SCRAM-SHA-1",
        ],
    );
    assert_masked(
        "{\"Parameters\":{\"Region\":{\"Default\":\"EU_WEST_1\"},\"DBPassword\":{\"Default\":\"Hunter2-B\"}}}\n",
        JSON,
        &planted("B"),
        &["\"Default\":\"EU_WEST_1\""],
    );
}

#[test]
fn a_profile_secret_built_from_pieces_keeps_its_base_url() {
    // `!Join`: the private key's piece is masked, the references and the base URL are not.
    let text = concat!(
        "Resources:\n  AtlasProfileSecret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n",
        "      SecretString: !Join\n        - \"\"\n        - - '{\"PublicKey\":\"'\n          - !Ref AtlasPublicKey\n",
        "          - '\",\"PrivateKey\":\"'\n          - Hunter2-A\n          - '\",\"BaseUrl\":\"'\n",
        "          - https://cloud.mongodb.com/\n          - '\"}'\n",
    );
    assert_masked(
        text,
        YAML,
        &planted("A"),
        &[
            "- https://cloud.mongodb.com/",
            "!Ref AtlasPublicKey",
            "Type: AWS::SecretsManager::Secret",
            "'\",\"PrivateKey\":\"'",
        ],
    );
    // `Fn::Sub` and a literal JSON string: only the secret pairs.
    assert_masked(
        "{\"SecretString\": {\"Fn::Sub\": [\"{\\\"PublicKey\\\":\\\"${Pub}\\\",\\\"PrivateKey\\\":\\\"Hunter2-B\\\",\\\"BaseUrl\\\":\\\"${Url}\\\"}\", {\"Url\": \"https://cloud.mongodb.com\"}]}}",
        JSON,
        &planted("B"),
        &["{\"Url\": \"https://cloud.mongodb.com\"}", "${Url}"],
    );
    assert_masked(
        "SecretString: '{\"PrivateKey\": \"Hunter2-C\", \"BaseUrl\": \"https://cloud.mongodb.com\"}'\n",
        YAML,
        &planted("C"),
        &["\"BaseUrl\": \"https://cloud.mongodb.com\""],
    );
}

#[test]
fn pem_blocks_are_masked_to_their_end() {
    assert_masked(
        "key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEpAIBAAKCAQEA-Hunter2\n  -----END RSA PRIVATE KEY-----\nregion: EU_WEST_1\n",
        YAML,
        &["Hunter2"],
        &["region: EU_WEST_1"],
    );
    assert_masked(
        "{\"k\": \"-----BEGIN PRIVATE KEY-----\\nMIIHunter3\\n-----END PRIVATE KEY-----\\n\", \"r\": \"US_EAST_1\"}\n",
        JSON,
        &["Hunter3"],
        &["\"r\": \"US_EAST_1\""],
    );
}

#[test]
fn terraform_state_and_plan_values() {
    assert_masked(
        "{\"variables\": {\"private_key\": {\"value\": \"Hunter2-A\"}, \"region\": {\"value\": \"EU_WEST_1\"}}, \"resources\": [{\"values\": {\"password\": \"Hunter2-B\", \"connection_strings\": [{\"standard\": \"mongodb://u:Hunter2-C@h\"}]}}]}",
        JSON,
        &planted("ABC"),
        &["EU_WEST_1", "@h"],
    );
}

#[test]
fn ordinary_values_are_untouched() {
    let text = "spec:\n  name: cluster0\n  value: M30\n  default: US_GOV_WEST_1\n  args: [-p]\n";
    assert_eq!(masked(text, YAML), text);
    let text = "resource \"mongodbatlas_cluster\" \"c\" {\n  name = \"x\"\n}\n";
    assert_eq!(masked(text, HCL), text);
}

#[test]
fn the_short_trigger_match_agrees_with_the_search() {
    let search = TRIGGER_SEARCH.as_ref().unwrap();
    let mut samples: Vec<String> = TRIGGERS
        .iter()
        .flat_map(|t| [t.to_string(), t.to_uppercase(), format!("x_{t}_y")])
        .collect();
    samples.extend(
        [
            "password",
            "dbPass",
            "private_key",
            "X-Api-Key",
            "name",
            "regionName",
            "pw",
            "P",
            "",
            "-",
            "us",
            "USER_NAME",
            "secre",
            "ke",
            "tokn",
            "Authorization",
            "clusterType",
            "instanceSize",
            "-x",
            "a-u",
            "credentia",
        ]
        .map(str::to_string),
    );
    for s in &samples {
        assert_eq!(
            has_trigger(s.as_bytes()),
            search.is_match(s.as_bytes()),
            "{s}"
        );
    }
}

#[test]
fn a_file_whose_only_sign_of_a_secret_is_a_sensitive_flag_is_searched() {
    // No trigger word anywhere: the entry is secret because it is marked so.
    let cfn = "Parameters:\n  Db:\n    Type: String\n    NoEcho: true\n    Default: Hunter2-Z\n";
    assert!(worth_searching(cfn));
    assert_masked(cfn, Syntax::Yaml, &["Hunter2-Z"], &["NoEcho"]);
    let tf = "variable \"db\" {\n  sensitive = true\n  default   = \"Hunter2-Y\"\n}\n";
    assert!(worth_searching(tf));
    assert_masked(tf, Syntax::Hcl, &["Hunter2-Y"], &["sensitive"]);
    assert!(!worth_searching("name: orders\nregion: US_GOV_WEST_1\n"));
}

#[test]
fn hcl_references_to_secrets_are_not_secrets() {
    let tf = "provider \"mongodbatlas\" {\n  client_id     = var.atlas_client_id\n  client_secret = var.atlas_client_secret\n  private_key   = data.aws_secretsmanager_secret_version.atlas.secret_string\n}\nvariable \"db_password\" {\n  default = \"Hunter2-R\"\n}\n";
    assert_masked(
        tf,
        Syntax::Hcl,
        &["Hunter2-R"],
        &[
            "var.atlas_client_secret",
            "data.aws_secretsmanager_secret_version.atlas.secret_string",
        ],
    );
}

#[test]
fn a_profile_secret_built_with_sub_keeps_its_base_url_readable() {
    let cfn = "Resources:\n  Profile:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: cfn/atlas/profile/default\n      SecretString: !Sub '{\"PublicKey\":\"a\",\"PrivateKey\":\"Hunter2-S\",\"BaseUrl\":\"https://cloud.mongodb.com/${P}\"}'\n";
    assert_masked(
        cfn,
        Syntax::Yaml,
        &["Hunter2-S"],
        &["!Sub", "https://cloud.mongodb.com/${P}"],
    );
}
