//! The Atlas CLI commands that are read, their flags, and what each creates.
//!
//! Verified against `mongodb/mongodb-atlas-cli` (see docs/formats.md for the files):
//! command names and their aliases come from `cli.GenerateAliases` (lowercase, dasherized,
//! singular: `cluster`, `online-archives`, `data-federation`, ...); flags are pflag's
//! (`--tier M10`, `--tier=M10`, `-r US_GOV_WEST_1`, `-rUS_GOV_WEST_1`; booleans take no
//! separate value; `--` ends the flags) and case-sensitive.

use super::{COMMERCIAL_URL, Located, Script, link_body};
use crate::document::Span;
use crate::document::shell::Word;
use crate::model::{
    AlertConfig, CloudProviderUse, Cluster, ClusterKind, DatabaseUser, Endpoint, InstanceSize,
    Integration, Loc, Model, NetworkPeering, Notification, Origin, PrivateEndpoint, Product,
    ProductUse, Project, ProjectRef, RegionConfig, RestoreJob, SizeRole, Text,
};

/// The command string of a shell run with `-c` (`sh -c '...'`, `bash -ec "..."`, `/bin/sh
/// -c ...`) whose name is `words[start]`: the first word that is not an option, when an option
/// has `c` among its letters.
pub(super) fn shell_command_string(words: &[Word], start: usize) -> Option<&Word> {
    let name = program(words.get(start)?)?;
    if !crate::document::shell::SHELLS.contains(&name) {
        return None;
    }
    let mut c = false;
    let mut i = start + 1;
    while let Some(word) = words.get(i) {
        let v = word.value.as_str();
        if v == "-o" || v == "+o" {
            i += 2;
            continue;
        }
        if let Some(letters) = v.strip_prefix('-').filter(|l| !l.starts_with('-')) {
            c |= letters.contains('c');
        } else if !v.starts_with("--") && !v.starts_with('+') {
            return c.then_some(word);
        }
        i += 1;
    }
    None
}

/// Words that may come before a command's name: shell keywords and commands that run the
/// command after them.
const PREFIXES: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "exec", "command",
    "nohup", "sudo", "env", "xargs", "eval",
];

/// Whether a word is an assignment (`NAME=value`).
fn is_assignment(word: &Word) -> bool {
    word.value.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && word.known_part(0, name.len() + 1).is_some()
    })
}

/// The index of a command's name: after assignments, shell keywords and the commands that run
/// another (`sudo`, `env` with its options).
pub(super) fn command_start(words: &[Word]) -> usize {
    let mut i = 0;
    let mut after_prefix = false;
    while let Some(word) = words.get(i) {
        // `timeout [-s SIG] [-k D] [--foreground] DURATION cmd` (coreutils) runs `cmd`.
        if word.known() == Some("timeout") {
            i += 1;
            while let Some(opt) = words.get(i).filter(|w| w.value.starts_with('-')) {
                let takes_value = matches!(
                    opt.value.as_str(),
                    "-s" | "-k" | "--signal" | "--kill-after"
                );
                i += if takes_value { 2 } else { 1 };
            }
            // The duration.
            i += 1;
            after_prefix = false;
            continue;
        }
        let skip = is_assignment(word)
            || word.known().is_some_and(|w| PREFIXES.contains(&w))
            || (after_prefix && word.value.starts_with('-'));
        if !skip {
            break;
        }
        after_prefix |= word
            .known()
            .is_some_and(|w| matches!(w, "sudo" | "env" | "xargs"));
        i += 1;
    }
    i
}

/// The last path component of a command name (`/usr/local/bin/atlas` is `atlas`).
fn program(word: &Word) -> Option<&str> {
    let name = word.known()?;
    Some(name.rsplit('/').next().unwrap_or(name))
}

/// The index of the word that runs the Atlas CLI: the command's name (or a variable that
/// `resolve` says holds it: `ATLAS=atlas` ... `"$ATLAS" clusters create`), or in a container
/// run (`docker run ... mongodb/atlas atlas clusters create ...`) the word `atlas`.
pub(super) fn atlas_word(
    words: &[Word],
    start: usize,
    resolve: &dyn Fn(&Word) -> Option<String>,
) -> Option<usize> {
    let first = words.get(start)?;
    let resolved;
    let name = match program(first) {
        Some(name) => name,
        None => {
            resolved = resolve(first)?;
            resolved.rsplit('/').next().unwrap_or(&resolved)
        }
    };
    if name == "atlas" || name == "atlas.exe" {
        return Some(start);
    }
    if matches!(name, "docker" | "podman" | "nerdctl") {
        return words
            .iter()
            .enumerate()
            .skip(start + 1)
            .find(|(_, w)| w.known() == Some("atlas"))
            .map(|(i, _)| i);
    }
    None
}

/// A command name as the CLI resolves it (its aliases, from `cli.GenerateAliases`).
fn command_name(word: &str) -> Option<&'static str> {
    Some(match word {
        "clusters" | "cluster" => "clusters",
        "serverless" | "sl" => "serverless",
        "dbusers" | "dbuser" => "dbusers",
        "alerts" | "alert" => "alerts",
        "privateEndpoints" | "privateendpoints" | "private-endpoints" | "privateEndpoint"
        | "privateendpoint" | "private-endpoint" => "privateEndpoints",
        "networking" => "networking",
        "backups" | "backup" => "backups",
        "restores" | "restore" => "restores",
        "exports" | "export" => "exports",
        "buckets" | "bucket" => "buckets",
        "start" => "start",
        "peering" => "peering",
        "aws" => "aws",
        "gcp" => "gcp",
        "azure" => "azure",
        // `alerts settings` and its alias `alerts config` (`config` alone is `atlas config`).
        "settings" => "settings",
        "create" => "create",
        "projects" | "project" => "projects",
        "streams" | "stream" => "streams",
        "instances" | "instance" => "instances",
        "dataFederation" | "datafederation" | "data-federation" => "dataFederation",
        // Deprecated, still registered (`datalake/data_lake.go`): it creates a federated
        // database instance.
        "dataLakes" | "datalakes" | "data-lakes" | "dataLake" | "datalake" | "data-lake" => {
            "dataLakes"
        }
        "connections" | "connection" => "connections",
        "privateLinks" | "privatelinks" | "private-links" | "privateLink" | "privatelink"
        | "private-link" => "privateLinks",
        "queryLimits" | "querylimits" | "query-limits" | "queryLimit" | "querylimit"
        | "query-limit" => "queryLimits",
        "integrations" | "integration" => "integrations",
        "DATADOG" | "datadog" => "DATADOG",
        "onlineArchives" | "onlinearchives" | "online-archives" | "onlineArchive"
        | "onlinearchive" | "online-archive" => "onlineArchives",
        "auth" => "auth",
        "login" => "login",
        "update" => "update",
        "upgrade" => "upgrade",
        "setup" | "quickstart" => "setup",
        "deployments" | "deployment" => "deployments",
        "config" => "config",
        "init" => "init",
        "set" => "set",
        _ => return None,
    })
}

/// What a command does.
#[derive(Clone, Copy)]
enum Action {
    CreateCluster,
    CreateServerless,
    CreateDatabaseUser,
    CreateAlertConfig,
    /// `privateEndpoints PROVIDER create`: the provider is the command's; `None` for the
    /// deprecated `privateEndpoints create`, whose `--provider` names it (default `AWS`).
    CreatePrivateEndpoint(Option<&'static str>),
    /// `networking peering create PROVIDER`: the provider is the command's.
    CreatePeering(&'static str),
    StartRestore,
    CreateExportBucket,
    CreateProject,
    CreateOnlineArchive,
    CreateStreamInstance,
    /// A Data Federation instance or a part of one (what it is, in words).
    CreateDataFederation(&'static str),
    /// A stream processing connection or private link (what it is, in words).
    CreateStreamConnection(&'static str),
    CreateDatadogIntegration,
    /// `auth login`, `login`, `config init`: `--gov` selects AtlasGov.
    Login(&'static str),
    ConfigSet,
    /// `clusters update`, `clusters upgrade`: `--tier` is the cluster's new tier.
    ChangeTier {
        upper: bool,
    },
    /// `setup`: a cluster (M0 by default, which AtlasGov's CLI makes M30).
    Setup,
    /// `deployments setup`: `setup` with `--type atlas`; a local deployment (Docker) is not
    /// Atlas.
    DeploymentsSetup,
}

/// A command: its path, the flags that take a value and the boolean ones (long names), the
/// one-letter forms it has ([`long_name`]), and what it does.
struct Spec {
    path: &'static [&'static str],
    values: &'static [&'static str],
    bools: &'static [&'static str],
    shorts: &'static [u8],
    action: Action,
}

const OUTPUT: &str = "output";
const PROJECT_ID: &str = "projectId";

/// The commands read (`internal/cli/...` of the Atlas CLI).
/// The value flags of `alerts settings create` (`internal/cli/alerts/settings/create.go`).
const ALERT_VALUES: &[&str] = &[
    "event",
    "matcherFieldName",
    "matcherOperator",
    "matcherValue",
    "metricName",
    "metricOperator",
    "metricThreshold",
    "metricUnits",
    "metricMode",
    "notificationToken",
    "notificationChannelName",
    "apiKey",
    "notificationRegion",
    "notificationDelayMin",
    "notificationEmailAddress",
    "notificationIntervalMin",
    "notificationMobileNumber",
    "notificationServiceKey",
    "notificationTeamId",
    "notificationType",
    "notificationUsername",
    "notificationVictorOpsRoutingKey",
    "notificationWebhookUrl",
    "notificationWebhookSecret",
    "notificationRole",
    "file",
    PROJECT_ID,
    OUTPUT,
];

/// Its boolean flags.
const ALERT_BOOLS: &[&str] = &[
    "enabled",
    "notificationEmailEnabled",
    "notificationSmsEnabled",
];

/// The value flags of `atlas setup` (`internal/cli/setup/setup_cmd.go`).
const SETUP_VALUES: &[&str] = &[
    "tier",
    "provider",
    "region",
    "clusterName",
    "username",
    "password",
    "accessListIp",
    "tag",
    "mdbVersion",
    "autoScalingMode",
    "connectWith",
    PROJECT_ID,
];
const SETUP_BOOLS: &[&str] = &["currentIp", "skipSampleData", "force", "gov", "noBrowser"];
/// `atlas deployments setup`'s: `atlas setup`'s, its `--type`, and a local deployment's.
const DEPLOYMENTS_SETUP_VALUES: &[&str] = &[
    "type",
    "tier",
    "provider",
    "region",
    "clusterName",
    "username",
    "password",
    "accessListIp",
    "tag",
    "mdbVersion",
    "autoScalingMode",
    "connectWith",
    "port",
    "initdb",
    PROJECT_ID,
];
const DEPLOYMENTS_SETUP_BOOLS: &[&str] = &[
    "currentIp",
    "skipSampleData",
    "force",
    "gov",
    "noBrowser",
    "bindIpAll",
];

const SPECS: &[Spec] = &[
    // clusters/create.go
    Spec {
        path: &["clusters", "create"],
        values: &[
            "provider",
            "region",
            "tier",
            "members",
            "shards",
            "type",
            "diskSizeGB",
            "mdbVersion",
            "file",
            "tag",
            "autoScalingMode",
            "watchTimeout",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[
            "backup",
            "biConnector",
            "enableTerminationProtection",
            "watch",
        ],
        shorts: b"rmsfow",
        action: Action::CreateCluster,
    },
    // serverless/create.go: a serverless instance (`--provider` is its backing provider,
    // `--region` sent as typed). Removed from the CLI in 2026; older CLIs still run it.
    Spec {
        path: &["serverless", "create"],
        values: &["provider", "region", "tag", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreateServerless,
    },
    // dbusers/create.go: `--scope NAME:TYPE` (a list; the type uppercased, CLUSTER when
    // left out, by `convert.BuildAtlasScopes`).
    Spec {
        path: &["dbusers", "create"],
        values: &[
            "username",
            "password",
            "desc",
            "deleteAfter",
            "role",
            "scope",
            "x509Type",
            "awsIAMType",
            "ldapType",
            "oidcType",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[],
        shorts: b"upo",
        action: Action::CreateDatabaseUser,
    },
    // dbusers/update.go: the user's new roles and scopes (`convert.BuildAtlasScopes`, as
    // `create`).
    Spec {
        path: &["dbusers", "update"],
        values: &[
            "username", "password", "desc", "authDB", "role", "scope", "x509Type", PROJECT_ID,
            OUTPUT,
        ],
        bools: &[],
        shorts: b"upo",
        action: Action::CreateDatabaseUser,
    },
    // alerts/settings/create.go (`alerts settings` has the alias `config`): one alert
    // configuration, its event and notification type uppercased (`settings.go`), the
    // notification region the Datadog region of a DATADOG notification.
    Spec {
        path: &["alerts", "settings", "create"],
        values: ALERT_VALUES,
        bools: ALERT_BOOLS,
        shorts: b"fo",
        action: Action::CreateAlertConfig,
    },
    Spec {
        path: &["alerts", "config", "create"],
        values: ALERT_VALUES,
        bools: ALERT_BOOLS,
        shorts: b"fo",
        action: Action::CreateAlertConfig,
    },
    // alerts/settings/update.go: the whole configuration again, built as `create` builds it.
    Spec {
        path: &["alerts", "settings", "update"],
        values: ALERT_VALUES,
        bools: ALERT_BOOLS,
        shorts: b"fo",
        action: Action::CreateAlertConfig,
    },
    Spec {
        path: &["alerts", "config", "update"],
        values: ALERT_VALUES,
        bools: ALERT_BOOLS,
        shorts: b"fo",
        action: Action::CreateAlertConfig,
    },
    // privateendpoints/{aws,gcp,azure}/create.go: `--region`, sent as typed.
    Spec {
        path: &["privateEndpoints", "aws", "create"],
        values: &["region", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreatePrivateEndpoint(Some("AWS")),
    },
    Spec {
        path: &["privateEndpoints", "gcp", "create"],
        values: &["region", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreatePrivateEndpoint(Some("GCP")),
    },
    Spec {
        path: &["privateEndpoints", "azure", "create"],
        values: &["region", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreatePrivateEndpoint(Some("AZURE")),
    },
    // privateendpoints/create.go: deprecated for the per-provider commands, still registered;
    // `--provider` defaults to `AWS`.
    Spec {
        path: &["privateEndpoints", "create"],
        values: &["provider", "region", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreatePrivateEndpoint(None),
    },
    // privateendpoints/datalake/aws/create.go: deprecated for `dataFederation privateEndpoints
    // create`, still registered.
    Spec {
        path: &["privateEndpoints", "dataLakes", "aws", "create"],
        values: &["privateEndpointId", "comment", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreateDataFederation("Data Federation private endpoint"),
    },
    // networking/peering/create/{aws,azure,gcp}.go. AWS: `--region` is the container's
    // region (uppercased, `-` to `_`) and the peer VPC's (lowercased, `_` to `-`).
    Spec {
        path: &["networking", "peering", "create", "aws"],
        values: &[
            "accountId",
            "region",
            "routeTableCidrBlock",
            "vpcId",
            "atlasCidrBlock",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[],
        shorts: b"o",
        action: Action::CreatePeering("AWS"),
    },
    Spec {
        path: &["networking", "peering", "create", "azure"],
        values: &[
            "atlasCidrBlock",
            "directoryId",
            "subscriptionId",
            "resourceGroup",
            "vnet",
            "region",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[],
        shorts: b"o",
        action: Action::CreatePeering("AZURE"),
    },
    // backup/restores/start.go: from `--projectId`'s project into `--targetProjectId`'s.
    Spec {
        path: &["backups", "restores", "start"],
        values: &[
            "snapshotId",
            "clusterName",
            "targetProjectId",
            "targetClusterName",
            "oplogTs",
            "oplogInc",
            "pointInTimeUTCMillis",
            "pointInTimeUTCSeconds",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[],
        shorts: b"o",
        action: Action::StartRestore,
    },
    // backup/exports/buckets/create.go: `--cloudProvider`, sent as typed.
    Spec {
        path: &["backups", "exports", "buckets", "create"],
        values: &["cloudProvider", "iamRoleId", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreateExportBucket,
    },
    // clusters/onlinearchive/create.go
    Spec {
        path: &["clusters", "onlineArchives", "create"],
        values: &[
            "clusterName",
            "db",
            "collection",
            "dateField",
            "dateFormat",
            "archiveAfter",
            "expireAfterDays",
            "partition",
            "file",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[],
        shorts: b"o",
        action: Action::CreateOnlineArchive,
    },
    // projects/create.go
    Spec {
        path: &["projects", "create"],
        values: &["orgId", "ownerId", "tag", OUTPUT],
        bools: &["govCloudRegionsOnly", "withoutDefaultAlertSettings"],
        shorts: b"o",
        action: Action::CreateProject,
    },
    // streams/instance/create.go
    Spec {
        path: &["streams", "instances", "create"],
        values: &["provider", "region", "tier", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"ro",
        action: Action::CreateStreamInstance,
    },
    // datafederation/create.go
    Spec {
        path: &["dataFederation", "create"],
        values: &[
            "region",
            "awsRoleId",
            "awsTestS3Bucket",
            "file",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[],
        shorts: b"fo",
        action: Action::CreateDataFederation("Data Federation instance"),
    },
    // `datalake/create.go`: deprecated for `dataFederation create`, still creates one.
    Spec {
        path: &["dataLakes", "create"],
        values: &["role", "testBucket", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreateDataFederation("Data Federation instance"),
    },
    // `streams/connection/create.go`: a connection of a stream processing instance.
    Spec {
        path: &["streams", "connections", "create"],
        values: &["instance", "file", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"ifo",
        action: Action::CreateStreamConnection("stream processing connection"),
    },
    // `streams/privatelink/create.go`: a private link of stream processing (`--file`).
    Spec {
        path: &["streams", "privateLinks", "create"],
        values: &["file", "provider", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"fo",
        action: Action::CreateStreamConnection("stream processing private link"),
    },
    // `datafederation/privateendpoints/create.go`, `datafederation/querylimits/create.go`:
    // parts of Data Federation.
    Spec {
        path: &["dataFederation", "privateEndpoints", "create"],
        values: &["comment", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreateDataFederation("Data Federation private endpoint"),
    },
    Spec {
        path: &["dataFederation", "queryLimits", "create"],
        values: &[
            "value",
            "overrunPolicy",
            "dataFederation",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[],
        shorts: b"o",
        action: Action::CreateDataFederation("Data Federation query limit"),
    },
    // `integrations/create/datadog.go`: `--region` defaults to `US`.
    Spec {
        path: &["integrations", "create", "DATADOG"],
        values: &["apiKey", "region", PROJECT_ID, OUTPUT],
        bools: &[],
        shorts: b"o",
        action: Action::CreateDatadogIntegration,
    },
    // auth/login.go; root/builder.go (the hidden `atlas login`); config/init.go (deprecated)
    Spec {
        path: &["auth", "login"],
        values: &[],
        bools: &["gov", "noBrowser", "skipConfig", "force"],
        shorts: b"",
        action: Action::Login("`atlas auth login` without --gov"),
    },
    Spec {
        path: &["login"],
        values: &[],
        bools: &["gov", "noBrowser", "skipConfig", "force"],
        shorts: b"",
        action: Action::Login("`atlas login` without --gov"),
    },
    Spec {
        path: &["config", "init"],
        values: &[],
        bools: &["gov", "noBrowser", "skipConfig", "force"],
        shorts: b"",
        action: Action::Login("`atlas config init` without --gov"),
    },
    // clusters/update.go: `--tier` is uppercased and given to every region config.
    Spec {
        path: &["clusters", "update"],
        values: &[
            "tier",
            "diskSizeGB",
            "mdbVersion",
            "file",
            "autoScalingMode",
            "tag",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[
            "enableTerminationProtection",
            "disableTerminationProtection",
        ],
        shorts: b"fo",
        action: Action::ChangeTier { upper: true },
    },
    // clusters/upgrade.go: a shared or Flex cluster to a tier (not uppercased).
    Spec {
        path: &["clusters", "upgrade"],
        values: &[
            "tier",
            "diskSizeGB",
            "mdbVersion",
            "file",
            "tag",
            PROJECT_ID,
            OUTPUT,
        ],
        bools: &[
            "enableTerminationProtection",
            "disableTerminationProtection",
        ],
        shorts: b"fo",
        action: Action::ChangeTier { upper: false },
    },
    // setup/setup_cmd.go
    Spec {
        path: &["setup"],
        values: SETUP_VALUES,
        bools: SETUP_BOOLS,
        shorts: b"r",
        action: Action::Setup,
    },
    // deployments/setup.go (deprecated for `atlas setup`, still registered)
    Spec {
        path: &["deployments", "setup"],
        values: DEPLOYMENTS_SETUP_VALUES,
        bools: DEPLOYMENTS_SETUP_BOOLS,
        shorts: b"r",
        action: Action::DeploymentsSetup,
    },
    // config/set.go
    Spec {
        path: &["config", "set"],
        values: &[],
        bools: &[],
        shorts: b"",
        action: Action::ConfigSet,
    },
];

/// Flags every command takes (the root's persistent flags, `root/builder.go`).
const GLOBAL_VALUES: &[&str] = &["profile"];
const GLOBAL_BOOLS: &[&str] = &["debug", "help"];

/// The long name of a one-letter flag (`internal/flag/flags.go`).
fn long_name(short: u8) -> Option<&'static str> {
    Some(match short {
        b'r' => "region",
        b'm' => "members",
        b's' => "shards",
        b'f' => "file",
        b'o' => OUTPUT,
        b'w' => "watch",
        b'P' => "profile",
        b'D' => "debug",
        b'h' => "help",
        b'i' => "instance",
        b'u' => "username",
        b'p' => "password",
        _ => return None,
    })
}

/// A flag's value: the part `[start, end)` of a word.
pub(super) struct FlagValue<'w> {
    pub(super) word: &'w Word,
    pub(super) start: usize,
    pub(super) end: usize,
    /// The literal a variable the value is (`--tier "$TIER"` after `TIER=M10`) was set to in
    /// the script, located where it is written (see [`Script::literal`]).
    pub(super) literal: Option<Text>,
}

impl FlagValue<'_> {
    /// The value, when nothing in it is expanded (or it is a variable set to a literal).
    pub(super) fn known(&self) -> Option<&str> {
        match &self.literal {
            Some(t) => Some(t.as_str()),
            None => self.word.known_part(self.start, self.end),
        }
    }

    /// The value as written (expansions included), for a placeholder.
    pub(super) fn raw(&self) -> &str {
        self.word.value.get(self.start..self.end).unwrap_or("")
    }

    pub(super) fn span(&self) -> Span {
        self.word.span_of(self.start, self.end)
    }
}

/// One flag given: its long name, the word that names it, and its value (for a boolean, the
/// value after `=` if any).
struct Flag<'w> {
    name: &'static str,
    word: &'w Word,
    value: Option<FlagValue<'w>>,
}

/// A command line of the Atlas CLI, parsed as pflag does.
struct Invocation<'w> {
    spec: &'static Spec,
    /// From the first word of the command's path to its last.
    path_span: Span,
    positionals: Vec<&'w Word>,
    flags: Vec<Flag<'w>>,
    /// Whether a flag the command does not have was given (the CLI refuses the command).
    unknown_flag: bool,
}

impl<'w> Invocation<'w> {
    /// The last value given for a flag (pflag keeps the last).
    fn value(&self, name: &str) -> Option<&FlagValue<'w>> {
        self.flags
            .iter()
            .rev()
            .find(|f| f.name == name)
            .and_then(|f| f.value.as_ref())
    }

    fn flag(&self, name: &str) -> Option<&Flag<'w>> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// The first word the shell expands that may give flags this invocation does not show:
    /// an unknown word past the `takes` positionals the command takes (`"${FLAGS[@]}"`,
    /// `$EXTRA`, a Makefile's `$(FLAGS)`, `${{ env.FLAGS }}`, `$(flags)`), or one that
    /// expands to a list wherever it is (`"$@"`, `"${ARGS[@]}"`, `$*`). A flag the command
    /// needs present is then unknown, not absent.
    fn hiding_word(&self, takes: usize) -> Option<&'w Word> {
        let list = |v: &str| {
            v.starts_with("$@")
                || v.starts_with("$*")
                || v.starts_with("${@")
                || v.starts_with("${*")
                || v.contains("[@]}")
                || v.contains("[*]}")
        };
        self.positionals
            .iter()
            .enumerate()
            .find(|(i, w)| w.known().is_none() && (*i >= takes || list(&w.value)))
            .map(|(_, w)| *w)
    }

    /// [`Invocation::hiding_word`] as a value that is present but not known, at `flag`'s
    /// pointer.
    fn hidden_value(&self, at: &Located<'_>, takes: usize, flag: &str) -> Option<Text> {
        self.hiding_word(takes)
            .map(|w| at.text(&w.value, w.span, &self.pointer(flag)))
    }

    /// The JSON pointer of a command's value in a script: the command, then the flag.
    fn pointer(&self, flag: &str) -> String {
        let path = self.spec.path.join(" ");
        if flag.is_empty() {
            format!("/atlas {path}")
        } else {
            format!("/atlas {path}/{flag}")
        }
    }
}

/// Which spec a command path (normalized names) is, and whether a longer path may still be.
fn find_spec(path: &[&str]) -> (Option<&'static Spec>, bool) {
    let exact = SPECS.iter().find(|s| s.path == path);
    let longer = SPECS
        .iter()
        .any(|s| s.path.len() > path.len() && s.path.starts_with(path));
    (exact, longer)
}

fn is_bool(spec: Option<&Spec>, name: &str) -> bool {
    GLOBAL_BOOLS.contains(&name) || spec.is_some_and(|s| s.bools.contains(&name))
}

fn is_value(spec: Option<&Spec>, name: &str) -> bool {
    GLOBAL_VALUES.contains(&name) || spec.is_some_and(|s| s.values.contains(&name))
}

/// The static name of a flag known to the spec (or the global ones).
fn known_flag(spec: Option<&Spec>, name: &str) -> Option<&'static str> {
    GLOBAL_VALUES
        .iter()
        .chain(GLOBAL_BOOLS)
        .chain(spec.map_or(&[][..], |s| s.values))
        .chain(spec.map_or(&[][..], |s| s.bools))
        .find(|n| **n == name)
        .copied()
}

/// Parse the words after `atlas` (pflag: flags anywhere, `--` ends them).
fn parse(words: &[Word]) -> Option<Invocation<'_>> {
    let mut path: Vec<&'static str> = Vec::new();
    let mut path_span: Option<Span> = None;
    let mut spec: Option<&'static Spec> = None;
    let mut positionals = Vec::new();
    let mut flags = Vec::new();
    let mut only_positionals = false;
    let mut unknown_flag = false;
    let mut i = 0;
    while let Some(word) = words.get(i) {
        i += 1;
        let text = word.known();
        if !only_positionals && text == Some("--") {
            only_positionals = true;
            continue;
        }
        let is_flag = !only_positionals && word.value.starts_with('-') && word.value.len() > 1;
        if !is_flag {
            // The command's path first, then its arguments.
            if spec.is_none() || find_spec(&path).1 {
                if let Some(name) = text.and_then(command_name) {
                    let mut longer = path.clone();
                    longer.push(name);
                    let (exact, more) = find_spec(&longer);
                    if exact.is_some() || more {
                        path = longer;
                        spec = exact;
                        path_span = Some(match path_span {
                            Some(s) => Span {
                                start: s.start,
                                end: word.span.end,
                            },
                            None => word.span,
                        });
                        continue;
                    }
                }
            }
            spec?;
            positionals.push(word);
            continue;
        }
        // A flag: `--name[=value]`, `-x[value]`, `-x=value`.
        let (name, inline) = if let Some(long) = word.value.strip_prefix("--") {
            match long.split_once('=') {
                Some((n, _)) => (n, Some(2 + n.len() + 1)),
                None => (long, None),
            }
        } else {
            let short = word.value.as_bytes().get(1).copied().unwrap_or(b'-');
            let global = matches!(short, b'P' | b'D' | b'h');
            let own = spec.is_some_and(|s| s.shorts.contains(&short));
            let Some(long) = long_name(short).filter(|_| global || own) else {
                unknown_flag = true;
                continue;
            };
            let rest = word.value.get(2..).unwrap_or("");
            let inline = match rest {
                "" => None,
                r if r.starts_with('=') => Some(3),
                _ => Some(2),
            };
            (long, inline)
        };
        // A flag whose name is expanded (`--$FLAG`) is not read.
        let name_end = inline.map_or(word.value.len(), |v| v.saturating_sub(1).max(2));
        if word.known_part(0, name_end).is_none() {
            continue;
        }
        let Some(name) = known_flag(spec, name) else {
            // Unknown to the command (pflag would refuse it): taken as a boolean.
            unknown_flag = true;
            continue;
        };
        let value = match inline {
            Some(from) => Some(FlagValue {
                word,
                start: from.min(word.value.len()),
                end: word.value.len(),
                literal: None,
            }),
            None if is_value(spec, name) && !is_bool(spec, name) => {
                let next = words.get(i);
                i += 1;
                next.map(|w| FlagValue {
                    word: w,
                    start: 0,
                    end: w.value.len(),
                    literal: None,
                })
            }
            None => None,
        };
        flags.push(Flag { name, word, value });
    }
    Some(Invocation {
        spec: spec?,
        path_span: path_span?,
        positionals,
        flags,
        unknown_flag,
    })
}

/// Read the Atlas CLI command whose `atlas` word is `words[atlas]`.
pub(super) fn atlas(
    script: &mut Script<'_>,
    at: &Located<'_>,
    words: &[Word],
    atlas: usize,
    default_project: Option<ProjectRef>,
    out: &mut Model,
) {
    let Some(mut inv) = parse(words.get(atlas + 1..).unwrap_or(&[])) else {
        return;
    };
    for value in inv.flags.iter_mut().filter_map(|f| f.value.as_mut()) {
        if value.word.known_part(value.start, value.end).is_none() {
            value.literal = value
                .word
                .value
                .get(value.start..value.end)
                .and_then(|v| script.literal_of(v));
        }
    }
    // `--help` (`-h`) prints the command's help and runs nothing: cobra returns before the
    // command's run functions. A value that is not known (`--help=$H`) is not guessed.
    let help = inv.flag("help").is_some_and(|f| match &f.value {
        None => true,
        Some(v) => v.known().is_none_or(|v| parse_bool(v) != Some(false)),
    });
    if help {
        return;
    }
    let command_loc = at.loc(inv.path_span, &inv.pointer(""));
    let project = match inv.value(PROJECT_ID) {
        Some(value) => script.project_ref(Some(value), at, &inv.pointer(PROJECT_ID)),
        None => default_project.unwrap_or(ProjectRef::Unknown),
    };
    let origin = |body: Loc| Origin {
        body,
        project_ref: project.clone(),
        project: None,
    };
    // A body sent with `--file` is linked to the command's project (one `--projectId` names
    // but this run cannot: none).
    if let Some(file) = inv.value("file") {
        if let Some(path) = script.resolve_value(file) {
            // A project id from a variable this file sets (`PROJECT_ID=$(... | jq -r .id)`,
            // `PROJECT_ID ?= ...`, `${PROJECT_ID:-...}`) is likely one of the projects around
            // it: the body keeps its directory's. One set nowhere here comes from outside.
            let named = inv
                .value(PROJECT_ID)
                .is_some_and(|v| !script.sets_variable_of(v.raw()));
            link_body(
                &at.text(&path, file.span(), &inv.pointer("file")),
                &project,
                named,
                script.workdir.as_deref(),
                out,
            );
        }
    }
    match inv.spec.action {
        Action::CreateCluster => {
            // With `--file` the body is the cluster (read where it is).
            if inv.value("file").is_none() {
                let name = positional(&inv, at, 0);
                let body = body_at(name.as_ref(), &command_loc);
                out.clusters
                    .push(cluster(&inv, at, origin(body), command_loc, name));
            }
        }
        Action::CreateServerless => {
            let name = positional(&inv, at, 0);
            let body = body_at(name.as_ref(), &command_loc);
            out.clusters.push(Cluster {
                origin: origin(body),
                kind: ClusterKind::Serverless,
                kind_loc: command_loc.into(),
                name,
                regions: vec![RegionConfig {
                    provider: None,
                    backing_provider: value_text(&inv, at, "provider", false).map(Box::new),
                    region: value_text(&inv, at, "region", false),
                    sizes: Vec::new(),
                }],
                encryption_at_rest_provider: None,
                settings: None,
            });
        }
        Action::CreateDatabaseUser => {
            let pointer = inv.pointer("scope");
            let scope_types = inv
                .flags
                .iter()
                .filter(|f| f.name == "scope")
                .filter_map(|f| f.value.as_ref())
                .flat_map(|v| {
                    // A value not known (`--scope "$SCOPES"`) is not guessed. Each type is
                    // located in the list (`lake:DATA_LAKE,c:CLUSTER`).
                    let mut types = Vec::new();
                    let mut offset = v.start;
                    for scope in v.known().unwrap_or("").split(',') {
                        if let Some((name, rest)) = scope.split_once(':') {
                            let ty = rest.split(':').next().unwrap_or(rest);
                            let from = offset + name.len() + 1;
                            let span = v.word.span_of(from, from + ty.len());
                            types.push(at.text(&ty.to_ascii_uppercase(), span, &pointer));
                        }
                        offset += scope.len() + 1;
                    }
                    types
                })
                .collect();
            let username = value_text(&inv, at, "username", false);
            let body = body_at(username.as_ref(), &command_loc);
            out.database_users.push(DatabaseUser {
                origin: origin(body),
                username,
                scope_types,
            });
        }
        Action::CreateAlertConfig => {
            // With `--file` the body is the configuration (read where it is, as an API body).
            if inv.value("file").is_none() {
                let event_type = value_text(&inv, at, "event", true);
                let body = body_at(event_type.as_ref(), &command_loc);
                let type_name = value_text(&inv, at, "notificationType", true);
                let datadog = type_name.as_ref().is_some_and(|t| t.is("DATADOG"));
                let notifications = match type_name {
                    Some(t) => vec![Notification {
                        loc: t.loc.clone(),
                        type_name: Some(t),
                        // As written (the CLI uppercases it; the rule reads any case), so
                        // that a fix can replace it where it is written.
                        datadog_region: value_text(&inv, at, "notificationRegion", false)
                            .or_else(|| inv.hidden_value(at, 0, "notificationRegion"))
                            .filter(|_| datadog),
                        no_us1_fed: None,
                        region_slot: if datadog {
                            flag_slot(
                                &inv,
                                at,
                                words,
                                "notificationRegion",
                                " --notificationRegion US1_FED",
                            )
                        } else {
                            None
                        },
                    }],
                    None => Vec::new(),
                };
                out.alert_configs.push(AlertConfig {
                    origin: origin(body),
                    event_type,
                    notifications,
                });
            }
        }
        Action::CreatePrivateEndpoint(provider) => {
            // The provider is named by the command's path (its place), or by `--provider`
            // (where it is written; the command's place for its default, `AWS`).
            let provider = match provider {
                Some(p) => Some(Text {
                    value: p.into(),
                    loc: command_loc.clone(),
                }),
                None if inv.value("provider").is_some() => known_text(&inv, at, "provider", true),
                None => Some(Text {
                    value: "AWS".into(),
                    loc: command_loc.clone(),
                }),
            };
            out.private_endpoints.push(PrivateEndpoint {
                origin: origin(command_loc.clone()),
                provider,
                region: value_text(&inv, at, "region", false),
                remote_regions: Vec::new(),
            });
        }
        Action::CreatePeering(provider) => {
            let accepter_region = (provider == "AWS")
                .then(|| inv.value("region"))
                .flatten()
                .map(|v| match v.known() {
                    Some(known) => at.text(
                        &known.to_ascii_lowercase().replace('_', "-"),
                        v.span(),
                        &inv.pointer("region"),
                    ),
                    None => at.text(v.raw(), v.span(), &inv.pointer("region")),
                });
            out.peerings.push(NetworkPeering {
                origin: origin(command_loc.clone()),
                provider: Some(Text {
                    value: provider.into(),
                    loc: command_loc.clone(),
                }),
                accepter_region,
                container_id: None,
                container_region: None,
            });
        }
        Action::StartRestore => {
            let pointer = inv.pointer("targetProjectId");
            let target = match script.project_ref(inv.value("targetProjectId"), at, &pointer) {
                ProjectRef::Id(id) => Some(Text {
                    value: id.value,
                    loc: id.loc,
                }),
                ProjectRef::Key(key) => inv
                    .value("targetProjectId")
                    .map(|v| at.text(&key, v.span(), &pointer)),
                _ => None,
            };
            out.restore_jobs.push(RestoreJob {
                origin: origin(command_loc.clone()),
                target,
                target_project: None,
            });
        }
        Action::CreateExportBucket => {
            if let Some(provider) = value_text(&inv, at, "cloudProvider", false) {
                out.cloud_providers.push(CloudProviderUse {
                    what: "snapshot export bucket on",
                    provider,
                });
            }
        }
        Action::CreateProject => {
            let region_usage = match inv.flag("govCloudRegionsOnly") {
                Some(flag) => match &flag.value {
                    None => Some(at.text(
                        "GOV_REGIONS_ONLY",
                        flag.word.span,
                        &inv.pointer("govCloudRegionsOnly"),
                    )),
                    Some(v) => match v.known().map(parse_bool) {
                        Some(Some(true)) => Some(at.text(
                            "GOV_REGIONS_ONLY",
                            flag.word.span,
                            &inv.pointer("govCloudRegionsOnly"),
                        )),
                        // `--govCloudRegionsOnly=false`: standard regions, chosen in the
                        // only way the CLI has to say so (it then sends no restriction).
                        Some(Some(false)) => Some(at.text(
                            "COMMERCIAL_FEDRAMP_REGIONS_ONLY",
                            v.span(),
                            &inv.pointer("govCloudRegionsOnly"),
                        )),
                        Some(None) => None,
                        // Unknown: present, not absent.
                        None => {
                            Some(at.text(v.raw(), v.span(), &inv.pointer("govCloudRegionsOnly")))
                        }
                    },
                },
                // Absent, unless a word may give it (`"${COMMON_FLAGS[@]}"`).
                None => inv.hidden_value(at, 1, "govCloudRegionsOnly"),
            };
            out.projects.push(Project {
                origin: Origin {
                    body: command_loc,
                    project_ref: ProjectRef::Unknown,
                    project: None,
                },
                name: positional(&inv, at, 0),
                id: None,
                region_usage,
                region_usage_field: "regionUsageRestrictions (--govCloudRegionsOnly)",
                region_usage_choice: Some(crate::model::UsageChoice {
                    either: "pass --govCloudRegionsOnly for a gov project, or --govCloudRegionsOnly=false to make a standard project explicit",
                    gov: None,
                }),
                region_usage_removed: None,
                region_usage_slot: flag_slot(
                    &inv,
                    at,
                    words,
                    "govCloudRegionsOnly",
                    " --govCloudRegionsOnly",
                ),
                keys: Vec::new(),
                tags: Vec::new(),
                partial: false,
            });
        }
        Action::CreateOnlineArchive => product(
            Product::OnlineArchive,
            "online archive",
            Vec::new(),
            origin(command_loc.clone()),
            command_loc,
            out,
        ),
        Action::CreateStreamInstance => {
            let providers = known_text(&inv, at, "provider", false)
                .into_iter()
                .collect();
            product(
                Product::StreamProcessing,
                "stream processing instance",
                providers,
                origin(command_loc.clone()),
                command_loc,
                out,
            );
        }
        Action::CreateStreamConnection(what) => product(
            Product::StreamProcessing,
            what,
            Vec::new(),
            origin(command_loc.clone()),
            command_loc,
            out,
        ),
        Action::CreateDatadogIntegration => out.integrations.push(Integration {
            origin: origin(command_loc.clone()),
            kind: Text {
                value: "DATADOG".into(),
                loc: command_loc,
            },
            // Absent, the CLI sends its default, `US`: the rule says so.
            region: value_text(&inv, at, "region", false)
                .or_else(|| inv.hidden_value(at, 0, "region")),
            region_slot: flag_slot(&inv, at, words, "region", " --region US1_FED"),
            region_required: false,
        }),
        Action::CreateDataFederation(what) => product(
            Product::DataFederation,
            what,
            Vec::new(),
            origin(command_loc.clone()),
            command_loc,
            out,
        ),
        // `atlas login` is also the login of Ariga's Atlas, the schema migration tool
        // (`atlas login --token ...`, beside `atlas schema apply`, `atlas migrate apply`):
        // not judged when a flag MongoDB's has not is given, or the file uses Ariga's.
        Action::Login(_)
            if inv.spec.path == ["login"]
                && (inv.unknown_flag || !inv.positionals.is_empty() || uses_ariga(at.ctx.text)) => {
        }
        Action::Login(context) => {
            let gov = match inv.flag("gov") {
                None if inv.hiding_word(0).is_some() => None,
                None => Some(false),
                Some(flag) => match &flag.value {
                    None => Some(true),
                    Some(v) => v.known().and_then(parse_bool),
                },
            };
            if gov == Some(false) {
                out.endpoints.push(Endpoint::new(
                    Text {
                        value: COMMERCIAL_URL.into(),
                        loc: command_loc,
                    },
                    context,
                ));
            }
        }
        Action::ChangeTier { upper } => {
            // With `--file` the body is the cluster's new settings (read where it is).
            // `upgrade` sends the tier as typed: `m10` is no tier the API knows, not judged.
            let as_typed = inv
                .value("tier")
                .and_then(|t| t.known())
                .is_some_and(|t| t.bytes().any(|b| b.is_ascii_lowercase()));
            if inv.value("file").is_none() && inv.value("tier").is_some() && (upper || !as_typed) {
                let name = positional(&inv, at, 0);
                let body = body_at(name.as_ref(), &command_loc);
                out.clusters
                    .push(cluster(&inv, at, origin(body), command_loc, name));
            }
        }
        Action::DeploymentsSetup
            if !inv
                .value("type")
                .and_then(|t| t.known())
                .is_some_and(|t| t.eq_ignore_ascii_case("atlas")) => {}
        Action::Setup | Action::DeploymentsSetup => {
            let name = match inv.spec.action {
                Action::DeploymentsSetup => positional(&inv, at, 0),
                _ => None,
            }
            .or_else(|| value_text(&inv, at, "clusterName", false));
            let body = body_at(name.as_ref(), &command_loc);
            // AtlasGov's CLI makes the default tier, M0, an M30 (`setTier`), an explicit one too.
            let tier = inv.value("tier");
            let default_tier =
                tier.is_none_or(|t| t.known().is_some_and(|t| t.eq_ignore_ascii_case("M0")));
            if default_tier {
                out.clusters.push(Cluster {
                    origin: origin(body),
                    kind: ClusterKind::Advanced,
                    kind_loc: command_loc.clone().into(),
                    name,
                    regions: vec![RegionConfig {
                        provider: value_text(&inv, at, "provider", false),
                        backing_provider: None,
                        region: value_text(&inv, at, "region", true),
                        sizes: Vec::new(),
                    }],
                    encryption_at_rest_provider: None,
                    settings: None,
                });
            } else {
                out.clusters
                    .push(cluster(&inv, at, origin(body), command_loc, name));
            }
        }
        Action::ConfigSet => {
            let property = inv.positionals.first().and_then(|w| w.known());
            let (Some(property), Some(value)) = (property, inv.positionals.get(1)) else {
                return;
            };
            let pointer = inv.pointer(property);
            let end = value.value.len();
            if property == "service" {
                if let Some(v) = value.known() {
                    let loc = at.loc(value.span_of(0, v.len()), &pointer);
                    super::service_value(v, loc, out);
                } else if let Some((v, written)) =
                    script.setting_literal(value, 0, end, at, &pointer)
                {
                    super::service_value_written(&v.value, v.loc, Some(written), out);
                }
            } else if super::common::is_url_key(property) {
                script.url_setting(value, 0, end, at, &pointer, out);
            }
        }
    }
}

/// Whether a file runs Ariga's Atlas (`atlas schema ...`, `atlas migrate ...`, its GitHub
/// actions), whose `atlas login` is not MongoDB's.
fn uses_ariga(text: &str) -> bool {
    [
        "atlas schema ",
        "atlas migrate ",
        "ariga/",
        "atlasgo.io",
        "atlasgo.cloud",
    ]
    .iter()
    .any(|w| memchr::memmem::find(text.as_bytes(), w.as_bytes()).is_some())
}

/// `strconv.ParseBool`, which pflag uses for boolean flags.
fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// The `n`th positional argument, when known.
fn positional(inv: &Invocation<'_>, at: &Located<'_>, n: usize) -> Option<Text> {
    let word = inv.positionals.get(n)?;
    let value = word.known()?;
    Some(at.text(value, word.span_of(0, value.len()), &inv.pointer("")))
}

/// Where a created resource's body is: its name when the command gives one, else the command.
fn body_at(name: Option<&Text>, command: &Loc) -> Loc {
    name.map_or_else(|| command.clone(), |n| n.loc.clone())
}

/// A flag's value as located text: known (uppercased when the CLI uppercases it), or, when
/// expanded, a placeholder as written that no rule reads as a value.
fn value_text(inv: &Invocation<'_>, at: &Located<'_>, flag: &str, upper: bool) -> Option<Text> {
    let v = inv.value(flag)?;
    let pointer = inv.pointer(flag);
    let mut text = match v.known() {
        Some(known) if upper => at.text(&known.to_ascii_uppercase(), v.span(), &pointer),
        Some(known) => at.text(known, v.span(), &pointer),
        None => at.text(v.raw(), v.span(), &pointer),
    };
    // A variable's literal: used here, written at its assignment (where a fix edits it).
    if let Some(literal) = &v.literal {
        text.loc.via = Some(Box::new(literal.loc.clone()));
    }
    Some(text)
}

/// A flag's value when known.
fn known_text(inv: &Invocation<'_>, at: &Located<'_>, flag: &str, upper: bool) -> Option<Text> {
    inv.value(flag)?.known()?;
    value_text(inv, at, flag, upper)
}

fn product(
    product: Product,
    what: &'static str,
    providers: Vec<Text>,
    origin: Origin,
    loc: Loc,
    out: &mut Model,
) {
    out.products.push(ProductUse {
        origin,
        product,
        what,
        loc,
        providers,
    });
}

/// `atlas clusters create NAME --provider P --region R --tier T` (`clusters/create.go`): the
/// tier defaults to `FLEX`, which creates a Flex cluster; `M0`, `M2` and `M5` make the
/// provider `TENANT` with `--provider` as the backing provider; the region and tier are
/// uppercased, the provider is sent as typed.
fn cluster(
    inv: &Invocation<'_>,
    at: &Located<'_>,
    origin: Origin,
    command_loc: Loc,
    name: Option<Text>,
) -> Cluster {
    let provider = value_text(inv, at, "provider", false);
    let region = value_text(inv, at, "region", true);
    let tier = value_text(inv, at, "tier", true);
    // A `--tier` without a value is refused by the CLI ("flag needs an argument"); a word
    // past the name that the shell expands (`$(tier_flags prod)`, `$EXTRA_FLAGS`, `"$@"`) may
    // give any flag: no default then. (The name itself, `"$NAME"`, gives none.)
    let tier_known = match inv.flag("tier") {
        Some(flag) => flag.value.as_ref().is_some_and(|v| v.known().is_some()),
        None => !inv.positionals.iter().enumerate().any(|(i, w)| {
            w.known().is_none() && (i > 0 || matches!(w.value.as_str(), "$@" | "$*"))
        }),
    };
    let flex = tier.as_ref().is_none_or(|t| t.is("FLEX"));
    if flex && tier_known {
        let kind_loc = tier.map_or(command_loc, |t| t.loc);
        return Cluster {
            origin,
            kind: ClusterKind::Flex,
            kind_loc: kind_loc.into(),
            name,
            regions: vec![RegionConfig {
                provider: None,
                backing_provider: provider.map(Box::new),
                region,
                sizes: Vec::new(),
            }],
            encryption_at_rest_provider: None,
            settings: None,
        };
    }
    let tenant = tier
        .as_ref()
        .is_some_and(|t| t.is("M0") || t.is("M2") || t.is("M5"));
    let (provider, backing_provider) = match (&tier, tenant) {
        (Some(t), true) => (
            Some(Text {
                value: "TENANT".into(),
                loc: t.loc.clone(),
            }),
            provider,
        ),
        _ => (provider, None),
    };
    Cluster {
        origin,
        kind: ClusterKind::Advanced,
        kind_loc: command_loc.into(),
        name,
        regions: vec![RegionConfig {
            provider,
            backing_provider: backing_provider.map(Box::new),
            region,
            sizes: tier
                .into_iter()
                .map(|value| InstanceSize {
                    role: SizeRole::Electable,
                    value,
                })
                .collect(),
        }],
        encryption_at_rest_provider: None,
        settings: None,
    }
}

/// Where `text` (a flag named `flag`, with its value if any) can go in a command that leaves
/// the flag out: after its last word, in a script's own text (not inside a `sh -c` string or
/// a YAML scalar, whose bytes are not the file's one for one), when no `--` ends its flags
/// first, and when no flag lacks its value (`... --apiKey` at the end: the flag added would
/// be read as that value).
fn flag_slot(
    inv: &Invocation<'_>,
    at: &Located<'_>,
    words: &[Word],
    flag: &str,
    text: &str,
) -> Option<crate::model::Switch> {
    let incomplete = inv
        .flags
        .iter()
        .any(|f| f.value.is_none() && !is_bool(Some(inv.spec), f.name));
    if inv.flag(flag).is_some()
        || incomplete
        || !at.is_file()
        || words.iter().any(|w| w.value == "--")
    {
        return None;
    }
    let last = words.last()?;
    let end = last.span.end;
    // A last word that ends in a backslash escaping nothing (a continuation at the end of the
    // file): text after it would be escaped into that word.
    let raw = at
        .text
        .get(last.span.start as usize..end as usize)
        .unwrap_or("");
    if raw.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1 {
        return None;
    }
    Some(crate::model::Switch {
        loc: at.loc(Span { start: end, end }, &inv.pointer(flag)),
        expected: "".into(),
        text: text.to_string(),
    })
}
