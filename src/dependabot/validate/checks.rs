//! The check behind each rule of [`super::RULES`].

use super::dirs;
use super::facts;
use super::schema::{self, Issue};
use super::yaml::{self, Node, Value};
use super::{Doc, Entry, Out};
use crate::detect::Ecosystem;
use crate::text::closest;
use std::collections::{BTreeMap, BTreeSet};

pub fn none(_: &Doc, _: &mut Out) {}

pub fn yaml_alias(doc: &Doc, out: &mut Out) {
    for anchor in &doc.parsed.anchors {
        out.line(
            anchor.line,
            Some(anchor.column),
            format!(
                "anchor `&{}`: GitHub rejects the aliases anchors exist for (\"YAML aliases are not supported\")",
                anchor.name
            ),
            None,
        );
    }
    for alias in &doc.parsed.aliases {
        out.line(
            alias.line,
            Some(alias.column),
            format!(
                "alias `*{}`: GitHub rejects YAML aliases (\"YAML aliases are not supported\")",
                alias.name
            ),
            None,
        );
    }
}

/// Tabs in indentation. The YAML 1.2 grammar allows a tab before a comment or after `- `; libyaml,
/// under Ruby's Psych on GitHub's side, does not ("found character that cannot start any token",
/// "found a tab character that violates indentation"; wallabag/wallabag#8023).
pub fn tab_whitespace(doc: &Doc, out: &mut Out) {
    for (i, line) in doc.text.trim_start_matches('\u{feff}').lines().enumerate() {
        let number = i + 1;
        if doc
            .parsed
            .scalar_continuations
            .iter()
            .any(|r| r.contains(&number))
        {
            continue;
        }
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let rest = line[indent.len()..].trim_end_matches('\r');
        // A whitespace-only line is rejected only when it starts with a tab.
        if let Some(tab) = indent.find('\t').filter(|t| !rest.is_empty() || *t == 0) {
            out.line(
                number,
                Some(tab + 1),
                "a tab in the indentation of this line; GitHub's YAML reader rejects the file"
                    .into(),
                None,
            );
        }
    }
    for (line, column) in &doc.parsed.tabs_after_indicators {
        out.line(
            *line,
            Some(*column),
            "a tab after `-` or `?`; GitHub's YAML reader (libyaml) rejects the file".into(),
            None,
        );
    }
}

pub fn multiple_documents(doc: &Doc, out: &mut Out) {
    if let Some(line) = doc.parsed.second_document {
        out.line(
            line,
            Some(1),
            "a second YAML document starts here; GitHub reads only the first, so everything from here on is ignored".into(),
            None,
        );
    }
}

pub fn duplicate_key(doc: &Doc, out: &mut Out) {
    for key in &doc.parsed.duplicate_keys {
        out.line(
            key.line,
            Some(key.column),
            format!("key `{}` appears a second time in the same mapping; only one of the two would be read", key.name),
            None,
        );
    }
}

pub fn version(doc: &Doc, out: &mut Out) {
    if doc.root.as_map().is_none() {
        return;
    }
    match doc.root.get("version") {
        None => out.line(1, Some(1), "`version: 2` is missing".into(), None),
        Some(v) if v.value == Value::Int(2) => {}
        Some(v) => out.at_with_fix(
            v,
            format!("`version` must be the integer 2, found {}", describe(v)),
            "Write `version: 2` (unquoted).".into(),
        ),
    }
}

fn issues<'d, 'a>(doc: &'d Doc<'a>) -> &'d [Issue<'a>] {
    &doc.issues
}

fn is_removed(obj: &schema::Obj, key: &str) -> bool {
    key == "reviewers" && (obj.name == schema::UPDATE.name || obj.name == "a multi-ecosystem group")
}

fn is_schema_only(obj: &schema::Obj, key: &str) -> bool {
    key == "name" && obj.name == schema::UPDATE.name
}

pub fn unknown_key(doc: &Doc, out: &mut Out) {
    for issue in issues(doc) {
        let Issue::UnknownKey { obj, key, path, .. } = issue else {
            continue;
        };
        let Some(name) = key.as_key() else {
            out.at(
                key,
                format!(
                    "{} is not a valid key in {}",
                    describe(key),
                    place(obj, path)
                ),
            );
            continue;
        };
        if is_removed(obj, name) || is_schema_only(obj, name) {
            continue;
        }
        let known = schema::KNOWN_MISTAKES
            .iter()
            .find(|(o, k, _)| *o == obj.name && *k == name);
        let fix = match known {
            Some((_, _, hint)) => hint.to_string(),
            None => match closest(name, obj.fields.iter().map(|(k, _)| *k)) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!(
                    "remove it; the keys of {} are {}",
                    obj.name,
                    field_list(obj)
                ),
            },
        };
        out.at_with_fix(
            key,
            format!("unknown key `{name}` in {}", place(obj, path)),
            fix,
        );
    }
}

pub fn removed_key(doc: &Doc, out: &mut Out) {
    for issue in issues(doc) {
        let Issue::UnknownKey {
            obj,
            key,
            value,
            path,
        } = issue
        else {
            continue;
        };
        if !key.as_key().is_some_and(|k| is_removed(obj, k)) {
            continue;
        }
        let people: Vec<&str> = value
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let fix = if people.is_empty() {
            "Delete the key; request reviews with .github/CODEOWNERS.".to_string()
        } else {
            format!(
                "Add {} to .github/CODEOWNERS for the manifests of this entry, then delete the key.",
                people.join(", ")
            )
        };
        out.at_with_fix(
            key,
            format!(
                "`reviewers` in {} was removed by GitHub; Dependabot rejects it",
                place(obj, path)
            ),
            fix,
        );
    }
}

pub fn schema_only_key(doc: &Doc, out: &mut Out) {
    for issue in issues(doc) {
        let Issue::UnknownKey { obj, key, path, .. } = issue else {
            continue;
        };
        if key.as_key().is_some_and(|k| is_schema_only(obj, k)) {
            out.at(
                key,
                format!(
                    "`name` in {} is only in SchemaStore's schema, not in GitHub's options",
                    place(obj, path)
                ),
            );
        }
    }
}

pub fn missing_key(doc: &Doc, out: &mut Out) {
    for issue in issues(doc) {
        if let Issue::Missing { map, path, key } = issue {
            let what = if path.is_empty() {
                "the file".to_string()
            } else {
                format!("`{path}`")
            };
            out.at(map, format!("{what} has no `{key}`"));
        }
    }
    for entry in &doc.updates {
        let node = entry.node;
        if entry.group.is_none() && node.get("schedule").is_none() {
            out.at(
                node,
                format!(
                    "{} has no `schedule` (required unless it is in a multi-ecosystem group)",
                    entry.name()
                ),
            );
        }
        if entry.group.is_some() && node.get("patterns").is_none() {
            out.at(
                node,
                format!(
                    "{} is in a multi-ecosystem group but has no `patterns` (use [\"*\"] for all)",
                    entry.name()
                ),
            );
        }
    }
    for (name, registry) in map_entries(doc.root.get("registries")) {
        let hex_org = registry.get("type").and_then(Node::as_str) == Some("hex-organization");
        if registry.as_map().is_some() && !hex_org && registry.get("url").is_none() {
            out.at(registry, format!("registry `{name}` has no `url`"));
        }
    }
}

pub fn invalid_value(doc: &Doc, out: &mut Out) {
    for issue in issues(doc) {
        if let Issue::BadValue {
            node,
            path,
            expected,
            choices,
        } = issue
        {
            let what = if path.is_empty() {
                "the file".to_string()
            } else {
                format!("`{path}`")
            };
            let suggestion = node.as_str().and_then(|s| {
                choices
                    .iter()
                    .copied()
                    .find(|c| c.eq_ignore_ascii_case(s.trim()))
                    .or_else(|| closest(s, choices.iter().copied()))
            });
            let fix = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("Write {expected}."),
            };
            out.at_with_fix(
                node,
                format!("{what} must be {expected}, found {}", describe(node)),
                fix,
            );
        }
    }
}

pub fn unknown_ecosystem(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(node) = entry.node.get("package-ecosystem") else {
            continue;
        };
        let Some(value) = node.as_str() else { continue };
        if value.parse::<Ecosystem>().is_ok() {
            continue;
        }
        let lower = value.trim().to_ascii_lowercase();
        let meant = Ecosystem::ALL
            .iter()
            .map(|e| e.as_str())
            .find(|e| *e == lower)
            .or_else(|| {
                facts::ECOSYSTEM_ALIASES
                    .iter()
                    .find(|(a, _)| *a == lower)
                    .map(|(_, e)| e.as_str())
            })
            .or_else(|| closest(&lower, Ecosystem::ALL.iter().map(|e| e.as_str())));
        let fix = match meant {
            Some(e) => format!("did you mean `{e}`?"),
            None => "Use one of the package-ecosystem values listed in GitHub's options reference."
                .into(),
        };
        let message = if value.is_empty() {
            format!("`package-ecosystem` of {} is empty", entry.name())
        } else {
            format!(
                "`{value}` is not a Dependabot package-ecosystem ({})",
                entry.name()
            )
        };
        out.at_with_fix(node, message, fix);
    }
}

pub fn directory_or_directories(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        match (
            entry.node.entry("directory"),
            entry.node.entry("directories"),
        ) {
            (Some((a, _)), Some((b, _))) => {
                let later = if (a.line, a.column) > (b.line, b.column) {
                    a
                } else {
                    b
                };
                out.at(
                    later,
                    format!("{} has both `directory` and `directories`", entry.name()),
                );
            }
            (None, None) => out.at(
                entry.node,
                format!("{} has neither `directory` nor `directories`", entry.name()),
            ),
            _ => {}
        }
    }
}

pub fn glob_in_directory(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(node) = entry.node.get("directory") else {
            continue;
        };
        if let Some(dir) = node.as_str().filter(|d| dirs::has_glob(d)) {
            out.at_with_fix(
                node,
                format!("`directory` of {} is the glob `{dir}`; GitHub allows globs only in `directories`", entry.name()),
                format!("Replace `directory: {dir}` with `directories: [\"{dir}\"]`."),
            );
        }
    }
}

/// Entries GitHub compares with each other (same ecosystem and target branch), in file order.
fn comparable_groups<'d, 'a>(doc: &'d Doc<'a>) -> Vec<Vec<&'d Entry<'a>>> {
    let mut groups: BTreeMap<(&str, Option<&str>), Vec<&Entry>> = BTreeMap::new();
    for entry in &doc.updates {
        if let Some(ecosystem) = entry.ecosystem {
            groups
                .entry((ecosystem, entry.target_branch))
                .or_default()
                .push(entry);
        }
    }
    groups.into_values().collect()
}

fn branch_name(entry: &Entry) -> String {
    match entry.target_branch {
        Some(b) => format!("target-branch `{b}`"),
        None => "the default branch".into(),
    }
}

pub fn duplicate_update(doc: &Doc, out: &mut Out) {
    for group in comparable_groups(doc) {
        let mut first: BTreeMap<&BTreeSet<String>, &Entry> = BTreeMap::new();
        for b in group.into_iter().filter(|e| !e.dirs.is_empty()) {
            let Some(a) = first.get(&b.dir_set) else {
                first.insert(&b.dir_set, b);
                continue;
            };
            out.at(
                b.node,
                format!(
                    "{} repeats {}: same package-ecosystem `{}`, directories {} and {}",
                    b.name(),
                    a.name(),
                    b.ecosystem.unwrap_or_default(),
                    dir_list(b),
                    branch_name(b)
                ),
            );
        }
    }
}

/// The first pair of directories (as written in `a`, and in `b` with its node) that overlap.
fn first_overlap<'a>(a: &Entry<'a>, b: &Entry<'a>) -> Option<(&'a str, &'a str, &'a Node)> {
    b.patterns.iter().find_map(|(bi, bp)| {
        a.patterns
            .iter()
            .find(|(_, ap)| ap.overlaps(bp))
            .map(|(ai, _)| (a.dirs[*ai].0, b.dirs[*bi].0, b.dirs[*bi].1))
    })
}

/// Every pair of entries of a group whose directories overlap, without comparing every pair: a
/// literal directory can only meet the same literal or a glob.
pub fn overlapping_directories(doc: &Doc, out: &mut Out) {
    for group in comparable_groups(doc) {
        let mut by_literal: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut with_globs: Vec<usize> = Vec::new();
        for (j, b) in group.iter().enumerate() {
            let mut candidates: BTreeSet<usize> = with_globs.iter().copied().collect();
            for (_, pattern) in &b.patterns {
                if pattern.is_literal() {
                    candidates.extend(by_literal.get(pattern.text.as_str()).into_iter().flatten());
                } else {
                    candidates.extend(0..j);
                }
            }
            for a in candidates.into_iter().map(|i| group[i]) {
                if a.dir_set == b.dir_set {
                    continue; // duplicate-update's
                }
                if let Some((ad, bd, node)) = first_overlap(a, b) {
                    let ecosystem = b.ecosystem.unwrap_or_default();
                    out.at(
                        node,
                        format!(
                            "`{bd}` of {} overlaps `{ad}` of {} (ecosystem `{ecosystem}`, {}): GitHub rejects overlapping directories",
                            b.name(),
                            a.name(),
                            branch_name(b)
                        ),
                    );
                }
            }
            for (_, pattern) in &b.patterns {
                if pattern.is_literal() {
                    by_literal.entry(pattern.text.as_str()).or_default().push(j);
                }
            }
            if b.patterns.iter().any(|(_, p)| !p.is_literal()) {
                with_globs.push(j);
            }
        }
    }
}

pub fn too_many_updates(doc: &Doc, out: &mut Out) {
    let Some((key, list)) = doc.root.entry("updates") else {
        return;
    };
    let count = list.as_seq().map_or(0, <[Node]>::len);
    if count > 200 {
        out.at(
            key,
            format!("`updates` has {count} entries; GitHub allows at most 200"),
        );
    }
}

fn map_entries(node: Option<&Node>) -> Vec<(&str, &Node)> {
    node.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, v)| k.as_key().map(|k| (k, v)))
        .collect()
}

fn map_keys(node: Option<&Node>) -> Vec<(&str, &Node)> {
    node.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, _)| k.as_key().map(|name| (name, k)))
        .collect()
}

pub fn unused_registry(doc: &Doc, out: &mut Out) {
    let mut all = false;
    let mut used = BTreeSet::new();
    for entry in &doc.updates {
        match entry.node.get("registries").map(|n| &n.value) {
            Some(Value::Str { text, .. }) if text == "*" => all = true,
            // A single name instead of a list is invalid-value's; count it as a use here.
            Some(Value::Str { text, .. }) => {
                used.insert(text.as_str());
            }
            Some(Value::Seq(items)) => used.extend(items.iter().filter_map(Node::as_str)),
            _ => {}
        }
    }
    if all {
        return;
    }
    for (name, key) in map_keys(doc.root.get("registries")) {
        if !used.contains(name) {
            out.at(key, format!("registry `{name}` is not used by any update entry; GitHub rejects unused registries"));
        }
    }
}

pub fn undefined_registry(doc: &Doc, out: &mut Out) {
    let defined: Vec<&str> = map_keys(doc.root.get("registries"))
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for entry in &doc.updates {
        let Some(items) = entry.node.get("registries").and_then(Node::as_seq) else {
            continue;
        };
        for item in items {
            let Some(name) = item.as_str() else { continue };
            if !defined.contains(&name) {
                let fix = match closest(name, defined.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("Define `{name}` under the top-level `registries:`."),
                };
                out.at_with_fix(
                    item,
                    format!(
                        "{} uses registry `{name}`, which is not defined",
                        entry.name()
                    ),
                    fix,
                );
            }
        }
    }
}

pub fn duplicate_ignore(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(rules) = entry.node.get("ignore").and_then(Node::as_seq) else {
            continue;
        };
        let mut seen: BTreeMap<(String, Vec<String>), usize> = BTreeMap::new();
        for (i, rule) in rules.iter().enumerate() {
            let Some(name) = rule.get("dependency-name").and_then(Node::as_str) else {
                continue;
            };
            let versions = match rule.get("versions").map(|v| &v.value) {
                Some(Value::Str { text, .. }) => vec![text.clone()],
                Some(Value::Seq(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            if let Some(first) = seen.insert((name.to_string(), versions.clone()), i) {
                let node = rule.get("dependency-name").unwrap_or(rule);
                let versions = if versions.is_empty() {
                    "no versions".to_string()
                } else {
                    versions.join(", ")
                };
                out.at(
                    node,
                    format!(
                        "{}.ignore[{i}] repeats ignore[{first}] (dependency-name `{name}`, {versions}); GitHub requires unique dependency-name and versions",
                        entry.name()
                    ),
                );
            }
        }
    }
}

pub fn cooldown_semver(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(ecosystem) = entry.ecosystem.and_then(|e| e.parse::<Ecosystem>().ok()) else {
            continue;
        };
        if ecosystem.supports_semver_cooldown() {
            continue;
        }
        for (name, key) in map_keys(entry.node.get("cooldown")) {
            if schema::SEMVER_COOLDOWN_KEYS.contains(&name) {
                out.at(
                    key,
                    format!("`cooldown.{name}` is not supported for `{ecosystem}` ({}): only `default-days` is", entry.name()),
                );
            }
        }
    }
}

pub fn group_only_key(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(group) = entry.group else { continue };
        for (name, key) in map_keys(Some(entry.node)) {
            if schema::GROUP_ONLY_KEYS.contains(&name) {
                out.at(
                    key,
                    format!(
                        "`{name}` is set on {}, a member of multi-ecosystem group `{group}`; it belongs to the group",
                        entry.name()
                    ),
                );
            }
        }
    }
}

pub fn undefined_group(doc: &Doc, out: &mut Out) {
    let defined: Vec<&str> = map_keys(doc.root.get("multi-ecosystem-groups"))
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for entry in &doc.updates {
        let Some(group) = entry.group else { continue };
        if !defined.contains(&group) {
            let node = entry
                .node
                .get("multi-ecosystem-group")
                .unwrap_or(entry.node);
            let fix = match closest(group, defined.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("Define `{group}` under the top-level `multi-ecosystem-groups:`."),
            };
            out.at_with_fix(
                node,
                format!(
                    "{} names multi-ecosystem group `{group}`, which is not defined",
                    entry.name()
                ),
                fix,
            );
        }
    }
}

/// Every schedule in the file, with a name for messages.
fn schedules<'a>(doc: &Doc<'a>) -> Vec<(String, &'a Node)> {
    let mut found: Vec<(String, &Node)> = doc
        .updates
        .iter()
        .filter_map(|e| {
            e.node
                .get("schedule")
                .map(|s| (format!("{}.schedule", e.name()), s))
        })
        .collect();
    for (name, group) in map_entries(doc.root.get("multi-ecosystem-groups")) {
        if let Some(schedule) = group.get("schedule") {
            found.push((format!("multi-ecosystem-groups.{name}.schedule"), schedule));
        }
    }
    found.retain(|(_, s)| s.as_map().is_some());
    found
}

pub fn cronjob(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let interval = schedule.entry("interval");
        let is_cron = interval.is_some_and(|(_, v)| v.as_str() == Some("cron"));
        match (schedule.entry("cronjob"), is_cron) {
            (Some((key, _)), false) if interval.is_some() => {
                out.at(key, format!("`{name}` has a `cronjob` but its interval is not `cron`, so the cronjob is ignored"))
            }
            (None, true) => {
                let key = interval.map_or(schedule, |(k, _)| k);
                out.at(key, format!("`{name}` has `interval: cron` but no `cronjob`"))
            }
            (Some((_, value)), true) => {
                if let Some(text) = value.as_str()
                    && let Some(problem) = cron_problem(text)
                {
                    out.at(value, format!("`cronjob` of `{name}` {problem}"));
                }
            }
            _ => {}
        }
    }
}

/// What is wrong with a cron expression that looks like one (phrases such as "every day at 5pm"
/// are GitHub's to judge).
fn cron_problem(text: &str) -> Option<String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let looks_like_cron = fields
        .first()
        .is_some_and(|f| f.starts_with(|c: char| c.is_ascii_digit() || c == '*'));
    if !looks_like_cron || has_timezone(text) {
        return None;
    }
    if fields.len() != 5 {
        return Some(format!(
            "has {} fields; GitHub takes 5 (minute hour day month weekday)",
            fields.len()
        ));
    }
    let ok = fields.iter().all(|f| {
        f.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/'))
    });
    (!ok).then(|| format!("`{text}` is not a cron expression"))
}

fn has_timezone(text: &str) -> bool {
    const ABBREVIATIONS: &[&str] = &[
        "utc", "gmt", "z", "cet", "cest", "eet", "eest", "wet", "west", "bst", "ist", "jst", "kst",
        "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "aest", "aedt",
    ];
    text.split_whitespace().any(|token| {
        let lower = token.to_ascii_lowercase();
        lower.starts_with("cron_tz=")
            || lower.starts_with("tz=")
            || ABBREVIATIONS.contains(&lower.as_str())
            || (token.contains('/') && token.starts_with(|c: char| c.is_ascii_uppercase()))
            || ((lower.starts_with("utc") || lower.starts_with("gmt"))
                && lower[3..].starts_with(['+', '-']))
    })
}

pub fn cronjob_timezone(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let Some(value) = schedule.get("cronjob") else {
            continue;
        };
        if value.as_str().is_some_and(has_timezone) {
            out.at(
                value,
                format!("`cronjob` of `{name}` includes a timezone; GitHub rejects it"),
            );
        }
    }
}

pub fn time_format(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let Some(value) = schedule.get("time") else {
            continue;
        };
        let Some(text) = value.as_str() else { continue };
        let unquoted_non_string = matches!(value.value, Value::Str { plain: true, .. })
            && yaml::yaml11_reading(text).is_some();
        if !is_hh_mm(text) && !unquoted_non_string {
            out.at(
                value,
                format!("`time` of `{name}` is \"{text}\"; GitHub wants hh:mm (00:00 to 23:59)"),
            );
        }
    }
}

fn is_hh_mm(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && (b[0] - b'0') * 10 + (b[1] - b'0') < 24
        && b[3] < b'6'
}

pub fn unknown_timezone(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let Some(value) = schedule.get("timezone") else {
            continue;
        };
        let Some(text) = value.as_str() else { continue };
        if facts::timezones().any(|tz| tz == text) {
            continue;
        }
        let fix = match closest(text, facts::timezones()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "Use an IANA name such as \"Europe/Berlin\" or \"UTC\".".into(),
        };
        out.at_with_fix(
            value,
            format!("`timezone` of `{name}` is \"{text}\", which is not a time zone GitHub knows"),
            fix,
        );
    }
}

pub fn day_without_weekly(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let Some((key, _)) = schedule.entry("day") else {
            continue;
        };
        let interval = schedule.get("interval").and_then(Node::as_str);
        // An interval that is not valid at all is invalid-value's to report.
        if let Some(interval) = interval.filter(|i| *i != "weekly" && schema::INTERVALS.contains(i))
        {
            out.at(
                key,
                format!("`day` of `{name}` is ignored with `interval: {interval}`"),
            );
        }
    }
}

pub fn ambiguous_boolean(doc: &Doc, out: &mut Out) {
    for issue in issues(doc) {
        if let Issue::Yaml11Bool { node, path } = issue {
            let text = node.as_str().unwrap_or_default();
            out.at(
                node,
                format!("`{path}: {text}` is a boolean to GitHub (YAML 1.1) but a string to YAML 1.2 tools and schemas"),
            );
        }
    }
}

pub fn yaml11_type(doc: &Doc, out: &mut Out) {
    for issue in issues(doc) {
        if let Issue::Yaml11 {
            node,
            path,
            reads_as,
        } = issue
        {
            let text = node.as_str().unwrap_or_default();
            out.at_with_fix(
                node,
                format!(
                    "unquoted `{text}` in `{path}` is {reads_as} to GitHub's YAML 1.1 reader, which wants a string (\"of type {} did not match the following type: string\")",
                    reads_as.trim_start_matches("an ").trim_start_matches("a ")
                ),
                format!("Quote it: \"{text}\"."),
            );
        }
    }
}

/// The schedule that applies to an entry: its own, or its multi-ecosystem group's.
fn effective_schedule<'a>(doc: &Doc<'a>, entry: &Entry<'a>) -> Option<&'a Node> {
    entry.node.get("schedule").or_else(|| {
        let group = entry.group?;
        doc.root
            .get("multi-ecosystem-groups")?
            .get(group)?
            .get("schedule")
    })
}

/// Whether a schedule runs at least weekly: `None` when drydock cannot tell (a cron phrase).
fn at_least_weekly(schedule: &Node) -> Option<bool> {
    let interval = schedule.get("interval").and_then(Node::as_str)?;
    if interval != "cron" {
        return Some(facts::AT_LEAST_WEEKLY.contains(&interval));
    }
    let cron = schedule.get("cronjob").and_then(Node::as_str)?;
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 5 || cron_problem(cron).is_some() {
        return None;
    }
    // A restricted day of month or month means monthly at best; otherwise it fires every week
    // (every day, every few days, or on the listed weekdays).
    let every_few_days = |f: &str| {
        f == "*"
            || f.strip_prefix("*/")
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n <= 7)
    };
    Some(every_few_days(fields[2]) && fields[3] == "*")
}

pub fn docker_coverage(doc: &Doc, out: &mut Out) {
    let Some(scan) = doc.scan else { return };
    let docker = Ecosystem::Docker.as_str();
    let mut dockerfile_dirs: BTreeMap<String, &str> = BTreeMap::new();
    for file in &scan.dockerfiles {
        let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
        dockerfile_dirs
            .entry(dirs::normalise(dir))
            .or_insert(&file.path);
    }
    let anchor = doc
        .root
        .entry("updates")
        .map(|(k, _)| k)
        .unwrap_or(doc.root);
    for (dir, dockerfile) in &dockerfile_dirs {
        let covering: Vec<&Entry> = doc
            .updates
            .iter()
            .filter(|e| e.ecosystem == Some(docker))
            .filter(|e| e.patterns.iter().any(|(_, p)| p.covers(dir)))
            .collect();
        if covering.is_empty() {
            out.at_with_fix(
                anchor,
                format!("no `docker` entry covers `{dir}` ({dockerfile})"),
                format!("Add a `docker` entry for `{dir}` (weekly, labels dependencies, docker, security)."),
            );
            continue;
        }
        for entry in covering {
            match effective_schedule(doc, entry) {
                Some(schedule) if at_least_weekly(schedule) == Some(false) => {
                    let node = schedule.get("interval").unwrap_or(schedule);
                    out.at_with_fix(
                        node,
                        format!(
                            "the `docker` entry {} for `{dir}` runs less often than weekly",
                            entry.name()
                        ),
                        "Use `interval: weekly` (or daily) for docker entries.".into(),
                    );
                }
                _ => {}
            }
            let mut labels: BTreeSet<&str> = BTreeSet::new();
            let own = entry.node.get("labels");
            let group_labels = entry.group.and_then(|g| {
                doc.root
                    .get("multi-ecosystem-groups")?
                    .get(g)?
                    .get("labels")
            });
            for list in [own, group_labels].into_iter().flatten() {
                labels.extend(list.as_seq().unwrap_or(&[]).iter().filter_map(Node::as_str));
            }
            if own.is_none() && group_labels.is_none() {
                // GitHub's defaults: `dependencies` plus the language label.
                labels.extend(["dependencies", "docker"]);
            }
            let missing: Vec<&str> = facts::DOCKER_POLICY_LABELS
                .iter()
                .copied()
                .filter(|l| !labels.contains(l))
                .collect();
            if !missing.is_empty() {
                let node = own.unwrap_or(entry.node);
                out.at_with_fix(
                    node,
                    format!(
                        "the `docker` entry {} for `{dir}` lacks the label{} {}",
                        entry.name(),
                        if missing.len() > 1 { "s" } else { "" },
                        schema::quoted_list(&missing)
                    ),
                    format!("Add {} to `labels`.", schema::quoted_list(&missing)),
                );
            }
        }
    }
}

pub fn missing_ecosystem(doc: &Doc, out: &mut Out) {
    let Some(scan) = doc.scan else { return };
    let anchor = doc
        .root
        .entry("updates")
        .map(|(k, _)| k)
        .unwrap_or(doc.root);
    let docker_dirs: BTreeSet<String> = scan
        .dockerfiles
        .iter()
        .map(|f| dirs::normalise(f.path.rsplit_once('/').map_or("", |(d, _)| d)))
        .collect();
    for found in &scan.ecosystems {
        let ecosystem = found.ecosystem.as_str();
        let dir = dirs::normalise(&found.directory);
        if found.ecosystem == Ecosystem::Docker && docker_dirs.contains(&dir) {
            continue; // docker-coverage reports these, with the policy's details
        }
        let covered = doc
            .updates
            .iter()
            .filter(|e| e.ecosystem == Some(ecosystem))
            .any(|e| {
                // An entry at `/.github/workflows` reads what github-actions at `/` reads.
                let mut targets = std::iter::once(dir.as_str())
                    .chain(facts::implied_directories(ecosystem, &dir).iter().copied());
                targets.any(|target| e.patterns.iter().any(|(_, p)| p.covers(target)))
            });
        if !covered {
            out.at_with_fix(
                anchor,
                format!("the repository has `{ecosystem}` at `{dir}`, but no entry covers it"),
                format!("Add an update entry with `package-ecosystem: {ecosystem}` and `directory: {dir}`."),
            );
        }
    }
}

/// How a value reads in a message: its kind, and the text for scalars.
fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str { text, .. } => format!("the string \"{text}\""),
        Value::Int(i) => format!("the integer {i}"),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Float(f) => format!("the number {f}"),
        _ => node.kind().to_string(),
    }
}

fn place(obj: &schema::Obj, path: &str) -> String {
    if path.is_empty() {
        obj.name.to_string()
    } else {
        format!("`{path}`")
    }
}

fn field_list(obj: &schema::Obj) -> String {
    obj.fields
        .iter()
        .map(|(k, _)| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn dir_list(entry: &Entry) -> String {
    entry
        .dirs
        .iter()
        .map(|(d, _)| format!("`{d}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every `pull-request-branch-name` with its owner's name, and whether it is a multi-ecosystem
/// group's.
fn branch_name_settings<'a>(doc: &Doc<'a>) -> Vec<(String, &'a Node, bool)> {
    let mut found: Vec<(String, &Node, bool)> = doc
        .updates
        .iter()
        .filter_map(|e| {
            e.node
                .get("pull-request-branch-name")
                .map(|b| (e.name(), b, false))
        })
        .collect();
    for (name, group) in map_entries(doc.root.get("multi-ecosystem-groups")) {
        if let Some(b) = group.get("pull-request-branch-name") {
            found.push((format!("multi-ecosystem-groups.{name}"), b, true));
        }
    }
    found
}

pub fn branch_name_template(doc: &Doc, out: &mut Out) {
    for (owner, settings, in_group) in branch_name_settings(doc) {
        let Some(node) = settings.get("template") else {
            continue;
        };
        let Some(template) = node.as_str() else {
            continue;
        };
        if let Some(problem) = template_problem(template, in_group) {
            out.at(
                node,
                format!("`pull-request-branch-name.template` of {owner} {problem}"),
            );
        }
    }
}

pub(super) fn template_problem(template: &str, in_group: bool) -> Option<String> {
    let mut rest = template;
    let mut literal = String::new();
    while let Some(open) = rest.find(['{', '}']) {
        literal.push_str(&rest[..open]);
        if rest[open..].starts_with('}') {
            return Some("has a `}` without a matching `{`".into());
        }
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            return Some("has a `{` without a matching `}`".into());
        };
        let name = &rest[open + 1..close];
        if !facts::BRANCH_TEMPLATE_PLACEHOLDERS.contains(&name) {
            let hint = closest(name, facts::BRANCH_TEMPLATE_PLACEHOLDERS.iter().copied())
                .map(|s| format!(" (did you mean `{{{s}}}`?)"))
                .unwrap_or_default();
            return Some(format!("uses the unknown placeholder `{{{name}}}`{hint}"));
        }
        if in_group && name == "package_manager" {
            return Some(
                "uses `{package_manager}`, which a multi-ecosystem group cannot have".into(),
            );
        }
        literal.push('x');
        rest = &rest[close + 1..];
    }
    literal.push_str(rest);
    let bad_char = literal
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(*c));
    if let Some(c) = bad_char {
        return Some(format!(
            "contains {c:?}, which a git branch name cannot hold"
        ));
    }
    if literal.contains("..") || literal.contains("//") || literal.contains("@{") {
        return Some("contains `..`, `//` or `@{`, which a git branch name cannot hold".into());
    }
    None
}

pub fn unsupported_option(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(ecosystem) = entry.ecosystem.filter(|e| e.parse::<Ecosystem>().is_ok()) else {
            continue;
        };
        for (option, value, supported) in facts::OPTION_SUPPORT {
            if supported.contains(&ecosystem) {
                continue;
            }
            for node in option_nodes(entry.node, option) {
                if value.is_none_or(|v| node.as_str() == Some(v)) {
                    let what = match value {
                        Some(v) => format!("`{option}: {v}`"),
                        None => format!("`{option}`"),
                    };
                    out.at(
                        node,
                        format!(
                            "{what} has no effect for `{ecosystem}` ({}); it applies to {}",
                            entry.name(),
                            supported.join(", ")
                        ),
                    );
                }
            }
        }
    }
}

/// The values at a dotted option path, going through lists (`allow`) and named maps (`groups`).
fn option_nodes<'a>(node: &'a Node, path: &str) -> Vec<&'a Node> {
    let mut current = vec![node];
    for part in path.split('.') {
        let mut next = Vec::new();
        for n in current {
            let Some(child) = n.get(part) else { continue };
            match &child.value {
                Value::Seq(items) => next.extend(items.iter()),
                Value::Map(_) if part == "groups" => {
                    next.extend(child.as_map().unwrap_or(&[]).iter().map(|(_, v)| v))
                }
                _ => next.push(child),
            }
        }
        current = next;
    }
    current
}
