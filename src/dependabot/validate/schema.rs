//! The shape of dependabot.yml as GitHub accepts it today: which keys exist at each level, what
//! type each value has, which keys are required, and the usual misspellings. The walker reports
//! what does not fit as [`Issue`]s; the rules decide which of them to report and how.
//!
//! Based on the options reference and SchemaStore (`dependabot.md` §1, §5), with GitHub's
//! behaviour where the two differ: the extended `pull-request-branch-name`, cooldown lists of
//! 150, `reviewers` removed, `name` schema-only.

use super::yaml::{Node, Value};

/// What a value must be.
#[derive(Debug)]
pub enum Ty {
    /// Anything; another rule looks at it.
    Any,
    Str,
    /// A non-empty string of at most this many characters.
    ShortStr(usize),
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    Enum(&'static [&'static str]),
    List(&'static Ty),
    ListMax(&'static Ty, usize),
    /// A string or a list of them (`ignore.versions`, npm `scope`).
    StrOrList,
    /// `updates[].registries`: a list of names or the string `"*"`.
    RegistryRefs,
    Obj(&'static Obj),
    /// A mapping from user-chosen names to values of one type (`groups`, `registries`).
    MapOf(&'static Ty),
}

/// A mapping with a fixed set of keys.
#[derive(Debug)]
pub struct Obj {
    /// How the object is named in messages (`an update entry`, `schedule`).
    pub name: &'static str,
    pub fields: &'static [(&'static str, Ty)],
    /// Keys that must always be present (conditional requirements live in the rules).
    pub required: &'static [&'static str],
}

const STR_LIST: Ty = Ty::List(&Ty::Str);
const UPDATE_TYPES: &[&str] = &[
    "version-update:semver-major",
    "version-update:semver-minor",
    "version-update:semver-patch",
];
const DAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
pub const INTERVALS: &[&str] = &[
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "semiannually",
    "yearly",
    "cron",
];
pub const REGISTRY_TYPES: &[&str] = &[
    "cargo-registry",
    "composer-repository",
    "docker-registry",
    "git",
    "goproxy-server",
    "helm-registry",
    "hex-organization",
    "hex-repository",
    "maven-repository",
    "npm-registry",
    "nuget-feed",
    "pub-repository",
    "python-index",
    "rubygems-server",
    "terraform-registry",
];

pub static SCHEDULE: Obj = Obj {
    name: "schedule",
    fields: &[
        ("interval", Ty::Enum(INTERVALS)),
        ("day", Ty::Enum(DAYS)),
        ("time", Ty::Str),
        ("timezone", Ty::Str),
        ("cronjob", Ty::Str),
    ],
    required: &["interval"],
};

static COMMIT_MESSAGE: Obj = Obj {
    name: "commit-message",
    fields: &[
        ("prefix", Ty::ShortStr(50)),
        ("prefix-development", Ty::ShortStr(50)),
        ("include", Ty::Enum(&["scope"])),
    ],
    required: &[],
};

static BRANCH_NAME: Obj = Obj {
    name: "pull-request-branch-name",
    fields: &[
        ("separator", Ty::Enum(&["-", "_", "/"])),
        ("prefix", Ty::ShortStr(50)),
        ("max-length", Ty::Int { min: 20, max: 244 }),
        ("word-separator", Ty::Str),
        ("branch-name-case", Ty::Enum(&["lowercase", "uppercase"])),
        ("template", Ty::ShortStr(200)),
    ],
    required: &[],
};

static ALLOW: Obj = Obj {
    name: "an allow rule",
    fields: &[
        ("dependency-name", Ty::Str),
        (
            "dependency-type",
            Ty::Enum(&["direct", "indirect", "all", "production", "development"]),
        ),
        ("update-types", Ty::List(&Ty::Enum(UPDATE_TYPES))),
    ],
    required: &[],
};

static IGNORE: Obj = Obj {
    name: "an ignore rule",
    fields: &[
        ("dependency-name", Ty::Str),
        ("versions", Ty::StrOrList),
        ("update-types", Ty::List(&Ty::Enum(UPDATE_TYPES))),
    ],
    required: &[],
};

/// The `semver-*-days` keys, which only some ecosystems accept.
pub const SEMVER_COOLDOWN_KEYS: &[&str] = &[
    "semver-major-days",
    "semver-minor-days",
    "semver-patch-days",
];

static COOLDOWN: Obj = Obj {
    name: "cooldown",
    fields: &[
        // 0 opts out of the 3-day default GitHub applies since 2026-07 (dependabot.md §1.3).
        ("default-days", Ty::Int { min: 0, max: 90 }),
        ("semver-major-days", Ty::Int { min: 0, max: 90 }),
        ("semver-minor-days", Ty::Int { min: 0, max: 90 }),
        ("semver-patch-days", Ty::Int { min: 0, max: 90 }),
        ("include", Ty::ListMax(&Ty::Str, 150)),
        ("exclude", Ty::ListMax(&Ty::Str, 150)),
    ],
    required: &[],
};

static GROUP: Obj = Obj {
    name: "a group",
    fields: &[
        (
            "applies-to",
            Ty::Enum(&["version-updates", "security-updates"]),
        ),
        ("dependency-type", Ty::Enum(&["production", "development"])),
        ("patterns", STR_LIST),
        ("exclude-patterns", STR_LIST),
        (
            "update-types",
            Ty::List(&Ty::Enum(&["major", "minor", "patch"])),
        ),
        ("group-by", Ty::Enum(&["dependency-name"])),
    ],
    required: &[],
};

/// Keys a multi-ecosystem group owns; on a member entry they are an error (§1.5).
pub const GROUP_ONLY_KEYS: &[&str] = &[
    "milestone",
    "target-branch",
    "commit-message",
    "pull-request-branch-name",
];

pub static UPDATE: Obj = Obj {
    name: "an update entry",
    fields: &[
        ("package-ecosystem", Ty::Str),
        ("directory", Ty::Str),
        ("directories", STR_LIST),
        ("schedule", Ty::Obj(&SCHEDULE)),
        ("allow", Ty::List(&Ty::Obj(&ALLOW))),
        ("ignore", Ty::List(&Ty::Obj(&IGNORE))),
        ("assignees", STR_LIST),
        ("commit-message", Ty::Obj(&COMMIT_MESSAGE)),
        ("cooldown", Ty::Obj(&COOLDOWN)),
        ("exclude-paths", STR_LIST),
        ("groups", Ty::MapOf(&Ty::Obj(&GROUP))),
        (
            "insecure-external-code-execution",
            Ty::Enum(&["allow", "deny"]),
        ),
        ("labels", STR_LIST),
        (
            "milestone",
            Ty::Int {
                min: 1,
                max: i64::MAX,
            },
        ),
        (
            "open-pull-requests-limit",
            Ty::Int {
                min: 0,
                max: i64::MAX,
            },
        ),
        ("pull-request-branch-name", Ty::Obj(&BRANCH_NAME)),
        ("rebase-strategy", Ty::Enum(&["auto", "disabled"])),
        ("registries", Ty::RegistryRefs),
        ("target-branch", Ty::ShortStr(usize::MAX)),
        ("vendor", Ty::Bool),
        (
            "versioning-strategy",
            Ty::Enum(&[
                "auto",
                "increase",
                "increase-if-necessary",
                "lockfile-only",
                "widen",
            ]),
        ),
        ("multi-ecosystem-group", Ty::Str),
        ("patterns", STR_LIST),
    ],
    required: &["package-ecosystem"],
};

static MULTI_ECOSYSTEM_GROUP: Obj = Obj {
    name: "a multi-ecosystem group",
    fields: &[
        ("schedule", Ty::Obj(&SCHEDULE)),
        ("labels", STR_LIST),
        ("assignees", STR_LIST),
        (
            "milestone",
            Ty::Int {
                min: 1,
                max: i64::MAX,
            },
        ),
        ("target-branch", Ty::ShortStr(usize::MAX)),
        ("commit-message", Ty::Obj(&COMMIT_MESSAGE)),
        ("pull-request-branch-name", Ty::Obj(&BRANCH_NAME)),
        // In SchemaStore, not in GitHub's table (dependabot.md §1.5): accepted, not emitted.
        (
            "open-pull-requests-limit",
            Ty::Int {
                min: 0,
                max: i64::MAX,
            },
        ),
        (
            "update-types",
            Ty::List(&Ty::Enum(&["major", "minor", "patch"])),
        ),
        ("dependency-type", Ty::Enum(&["production", "development"])),
        ("exclude-patterns", STR_LIST),
    ],
    required: &["schedule"],
};

static REGISTRY: Obj = Obj {
    name: "a registry",
    fields: &[
        ("type", Ty::Enum(REGISTRY_TYPES)),
        ("url", Ty::Str),
        ("username", Ty::Str),
        ("password", Ty::Str),
        ("key", Ty::Str),
        ("token", Ty::Str),
        ("replaces-base", Ty::Bool),
        ("scope", Ty::StrOrList),
        ("organization", Ty::Str),
        ("repo", Ty::Str),
        ("auth-key", Ty::Str),
        ("public-key-fingerprint", Ty::Str),
        ("registry", Ty::Str),
        // OIDC (2026-02): Azure, AWS CodeArtifact, JFrog, Cloudsmith, GCP.
        ("tenant-id", Ty::Str),
        ("client-id", Ty::Str),
        ("aws-region", Ty::Str),
        ("account-id", Ty::Str),
        ("role-name", Ty::Str),
        ("domain", Ty::Str),
        ("domain-owner", Ty::Str),
        ("audience", Ty::Str),
        ("jfrog-oidc-provider-name", Ty::Str),
        ("identity-mapping-name", Ty::Str),
        ("namespace", Ty::Str),
        ("service-slug", Ty::Str),
        ("api-host", Ty::Str),
        ("workload-identity-provider", Ty::Str),
        ("service-account", Ty::Str),
    ],
    // `url` is required except for hex-organization; the missing-key rule knows.
    required: &["type"],
};

pub static TOP: Obj = Obj {
    name: "the top level",
    fields: &[
        ("version", Ty::Any),
        ("updates", Ty::List(&Ty::Obj(&UPDATE))),
        ("registries", Ty::MapOf(&Ty::Obj(&REGISTRY))),
        (
            "multi-ecosystem-groups",
            Ty::MapOf(&Ty::Obj(&MULTI_ECOSYSTEM_GROUP)),
        ),
        ("enable-beta-ecosystems", Ty::Bool),
    ],
    // `version` has its own rule.
    required: &["updates"],
};

/// Keys people write that are not keys, with what to say instead of a plain did-you-mean.
/// (object name, key, hint).
pub const KNOWN_MISTAKES: &[(&str, &str, &str)] = &[
    (
        "an update entry",
        "pull-request-title",
        "there is no such option: set the title's start with `commit-message.prefix`",
    ),
    (
        "an update entry",
        "default-days",
        "`default-days` belongs under `cooldown:` (`cooldown: {default-days: N}`)",
    ),
    (
        "an update entry",
        "semver-major-days",
        "`semver-major-days` belongs under `cooldown:`",
    ),
    (
        "an update entry",
        "semver-minor-days",
        "`semver-minor-days` belongs under `cooldown:`",
    ),
    (
        "an update entry",
        "semver-patch-days",
        "`semver-patch-days` belongs under `cooldown:`",
    ),
    (
        "an update entry",
        "interval",
        "`interval` belongs under `schedule:`",
    ),
    (
        "an update entry",
        "cronjob",
        "`cronjob` belongs under `schedule:`",
    ),
    ("cooldown", "days", "did you mean `default-days`?"),
    (
        "schedule",
        "cron",
        "did you mean `cronjob`? (with `interval: cron`)",
    ),
    ("schedule", "tz", "did you mean `timezone`?"),
    ("the top level", "update", "did you mean `updates`?"),
    (
        "the top level",
        "schedule",
        "`schedule` belongs to each entry under `updates:`",
    ),
];

/// Something that does not fit the shape.
#[derive(Debug)]
pub enum Issue<'a> {
    UnknownKey {
        obj: &'static Obj,
        key: &'a Node,
        path: String,
    },
    BadValue {
        node: &'a Node,
        path: String,
        expected: String,
    },
    Missing {
        map: &'a Node,
        path: String,
        key: &'static str,
    },
}

/// Walk `node` against `ty`, reporting every issue to `out`.
pub fn walk<'a>(node: &'a Node, ty: &'static Ty, path: &str, out: &mut dyn FnMut(Issue<'a>)) {
    let bad = |expected: String, out: &mut dyn FnMut(Issue<'a>)| {
        out(Issue::BadValue {
            node,
            path: path.to_string(),
            expected,
        })
    };
    match ty {
        Ty::Any => {}
        Ty::Str => {
            if node.as_str().is_none() {
                bad("a string".into(), out);
            }
        }
        Ty::ShortStr(max) => match node.as_str() {
            Some(s) if !s.is_empty() && s.chars().count() <= *max => {}
            Some("") => bad("a non-empty string".into(), out),
            Some(_) => bad(format!("a string of at most {max} characters"), out),
            None => bad("a string".into(), out),
        },
        Ty::Int { min, max } => match node.value {
            Value::Int(i) if i >= *min && i <= *max => {}
            _ if *max == i64::MAX => bad(format!("an integer of at least {min}"), out),
            _ => bad(format!("an integer from {min} to {max}"), out),
        },
        Ty::Bool => {
            if !matches!(node.value, Value::Bool(_)) {
                bad("`true` or `false`".into(), out);
            }
        }
        Ty::Enum(values) => {
            if !node.as_str().is_some_and(|s| values.contains(&s)) {
                bad(format!("one of {}", quoted_list(values)), out);
            }
        }
        Ty::List(item) => walk_list(node, item, None, path, out),
        Ty::ListMax(item, max) => walk_list(node, item, Some(*max), path, out),
        Ty::StrOrList => {
            if node.as_str().is_none() {
                walk_list(node, &Ty::Str, None, path, out);
            }
        }
        Ty::RegistryRefs => match &node.value {
            Value::Str { text, .. } if text == "*" => {}
            Value::Seq(_) => walk_list(node, &Ty::Str, None, path, out),
            _ => bad("a list of registry names or the string \"*\"".into(), out),
        },
        Ty::Obj(obj) => walk_obj(node, obj, path, out),
        Ty::MapOf(item) => match node.as_map() {
            Some(entries) => {
                for (key, value) in entries {
                    let name = key.as_key().unwrap_or("?");
                    walk(value, item, &format!("{path}.{name}"), out);
                }
            }
            None => bad("a mapping".into(), out),
        },
    }
}

fn walk_list<'a>(
    node: &'a Node,
    item: &'static Ty,
    max: Option<usize>,
    path: &str,
    out: &mut dyn FnMut(Issue<'a>),
) {
    let Some(items) = node.as_seq() else {
        let expected = match item {
            Ty::Str => "a list of strings".to_string(),
            _ => "a list".to_string(),
        };
        out(Issue::BadValue {
            node,
            path: path.to_string(),
            expected,
        });
        return;
    };
    if let Some(max) = max.filter(|max| items.len() > *max) {
        out(Issue::BadValue {
            node,
            path: path.to_string(),
            expected: format!("a list of at most {max} items"),
        });
    }
    for (i, child) in items.iter().enumerate() {
        walk(child, item, &format!("{path}[{i}]"), out);
    }
}

fn walk_obj<'a>(node: &'a Node, obj: &'static Obj, path: &str, out: &mut dyn FnMut(Issue<'a>)) {
    let Some(entries) = node.as_map() else {
        out(Issue::BadValue {
            node,
            path: path.to_string(),
            expected: "a mapping".into(),
        });
        return;
    };
    for (key, value) in entries {
        let field = key
            .as_key()
            .and_then(|k| obj.fields.iter().find(|(name, _)| *name == k));
        match field {
            Some((name, ty)) => walk(value, ty, &join(path, name), out),
            None => out(Issue::UnknownKey {
                obj,
                key,
                path: path.to_string(),
            }),
        }
    }
    for required in obj.required {
        if node.get(required).is_none() {
            out(Issue::Missing {
                map: node,
                path: path.to_string(),
                key: required,
            });
        }
    }
}

pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub fn quoted_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
