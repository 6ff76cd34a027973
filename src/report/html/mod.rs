//! `drydock report html`: check and status reports in, one self-contained HTML page out. Pure:
//! [`parse`] reads a report's JSON, [`Dashboard::build`] puts the reports together (one row per
//! repository), [`render`] writes the page as a string.
//!
//! The page makes no request of any kind: its CSS and script are inline (`page.css`, `page.js`,
//! compiled in with `include_str!`), there are no fonts, images or URLs to load, and a
//! Content-Security-Policy `<meta>` allows nothing but those two inline blocks, by their sha256
//! (so even an injected `<script>` would not run). What the page shows without its script, the
//! totals, the data's age and the findings by rule, is rendered here with every value
//! HTML-escaped ([`escape`]); the repository table is rendered by the script from the embedded
//! JSON (`<script type="application/json">`, with `<`, `>` and `&` written as `\u003c` ...,
//! so `</script>` and `<!--` in a message cannot end or comment out the block) through
//! `textContent`, never `innerHTML`, one page of rows at a time: 2,000 repositories stay
//! responsive. The initial filter, sort and page come from `location.hash`
//! (`#state=open&severity=error&rule=base-image/eol&q=api&sort=errors&dir=desc&page=2`).

mod input;
mod links;
mod model;

use std::fmt::Write;

use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

pub use input::{InputError, Report, parse};
pub use links::Links;
pub use model::{Dashboard, Source, Totals};

const CSS: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// The page's `id` of the embedded data, read by `page.js`.
const DATA_ID: &str = "drydock-data";

/// The page for `dashboard`, generated at `now`.
pub fn render(dashboard: &Dashboard, now: DateTime<Utc>) -> String {
    let mut page = String::with_capacity(64 * 1024 + dashboard.rows.len() * 512);
    let generated = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src 'none'; \
         connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'",
        sha256_base64(SCRIPT),
        sha256_base64(CSS)
    );
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"drydock {}\">\n\
         <title>drydock: fleet dashboard</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&csp),
        escape(env!("CARGO_PKG_VERSION")),
    );
    header(&mut page, dashboard, &generated);
    totals(&mut page, &dashboard.totals);
    rules(&mut page, dashboard);
    table(&mut page, dashboard);
    let _ = write!(
        page,
        "<script type=\"application/json\" id=\"{DATA_ID}\">{}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        embedded_json(&dashboard.rows)
    );
    page
}

/// `value` safe as HTML text and inside a double- or single-quoted attribute.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `value` as JSON that can sit inside `<script>`: `<`, `>`, `&` and the line separators
/// U+2028/U+2029 as `\u` escapes. They can only occur inside JSON strings, where the escape
/// means the same character, so the data is unchanged and `</script>` or `<!--` never appears.
fn embedded_json(value: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(value).expect("the dashboard serialises");
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn sha256_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// `<time>` the script completes with how long ago it was.
fn time(at: &str) -> String {
    format!("<time datetime=\"{0}\" data-ago>{0}</time>", escape(at))
}

fn header(page: &mut String, d: &Dashboard, generated: &str) {
    let _ = write!(
        page,
        "<header>\n<h1>drydock: fleet dashboard</h1>\n<p class=\"age\">Generated {}.",
        time(generated)
    );
    for data in &d.image_data {
        let _ = write!(page, " Image data: {}", escape(&data.source));
        match (data.generated, data.age_days) {
            (Some(g), Some(age)) => {
                let _ = write!(page, " from {g} ({age} days old when checked)");
            }
            _ => page.push_str(" (undated)"),
        }
        if data.stale {
            page.push_str(" <strong class=\"warn\">stale: pass <code>--data-dir</code> with newer data</strong>");
        }
        page.push('.');
    }
    if let Some((oldest, newest)) = &d.measured {
        let _ = write!(
            page,
            " Compliance of the default branches measured between {} and {} (<code>drydock sync</code> refreshes it).",
            time(oldest),
            time(newest)
        );
    }
    page.push_str("</p>\n");
    for (kind, count, missing) in d.missing_shards() {
        if count == 0 {
            let _ = writeln!(
                page,
                "<p class=\"warn\">The {kind} reports are shards of runs with different shard counts.</p>"
            );
        } else {
            let list: Vec<String> = missing.iter().map(u32::to_string).collect();
            let _ = writeln!(
                page,
                "<p class=\"warn\">The {kind} reports miss shard {} of {count}: those repositories are not shown.</p>",
                list.join(", ")
            );
        }
    }
    page.push_str("<details class=\"inputs\"><summary>Reports read</summary>\n<table>\n<thead><tr><th>file</th><th>kind</th><th>repositories</th><th>shard</th><th>written</th></tr></thead>\n<tbody>\n");
    for input in &d.inputs {
        let shard = input
            .shard
            .map_or(String::new(), |s| format!("{}/{}", s.index, s.count));
        let written = input.written.as_deref().map_or(String::new(), time);
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{shard}</td><td>{written}</td></tr>",
            escape(&input.file),
            input.kind,
            input.repositories,
        );
    }
    page.push_str("</tbody>\n</table>\n</details>\n</header>\n");
}

fn totals(page: &mut String, t: &Totals) {
    let item = |page: &mut String, key: &str, label: &str, value: u64, class: &str| {
        let _ = write!(
            page,
            "<div class=\"total {class}\"><dt>{}</dt><dd data-total=\"{}\">{value}</dd></div>",
            escape(label),
            escape(key)
        );
    };
    page.push_str("<section id=\"totals\" aria-label=\"totals\">\n<dl>");
    item(page, "repositories", "repositories", t.repositories, "");
    if t.checked > 0 {
        item(page, "passing", "passing check", t.passing, "ok");
        item(page, "errors", "errors", t.errors, "error");
        item(page, "warnings", "warnings", t.warnings, "warning");
        item(page, "notes", "notes", t.notes, "note");
        item(page, "waived", "waived", t.waived, "");
        item(page, "check_failed", "not checked", t.check_failed, "error");
        item(
            page,
            "monitor_missing",
            "no monitor",
            t.monitor_missing,
            "warning",
        );
        item(
            page,
            "dependabot_gaps",
            "dependabot gaps",
            t.dependabot_gaps,
            "warning",
        );
    }
    page.push_str("</dl>\n");
    if t.with_status > 0 {
        page.push_str("<dl>");
        for (state, n) in &t.pr_states {
            item(page, &format!("pr:{state}"), &format!("PR {state}"), *n, "");
        }
        for (checks, n) in &t.pr_checks {
            item(
                page,
                &format!("checks:{checks}"),
                &format!("checks {checks}"),
                *n,
                "",
            );
        }
        for (compliant, n) in &t.compliant {
            item(
                page,
                &format!("compliant:{compliant}"),
                &format!("compliant: {compliant}"),
                *n,
                "",
            );
        }
        item(
            page,
            "needs_human",
            "needs a human",
            t.needs_human,
            "warning",
        );
        item(
            page,
            "status_failed",
            "status unread",
            t.status_failed,
            "error",
        );
        page.push_str("</dl>\n");
    }
    page.push_str("</section>\n");
}

fn rules(page: &mut String, d: &Dashboard) {
    if d.rules.is_empty() {
        return;
    }
    page.push_str("<details class=\"rules\" open><summary>Findings by rule</summary>\n<table>\n<thead><tr><th>rule</th><th>errors</th><th>warnings</th><th>notes</th><th>repositories</th></tr></thead>\n<tbody>\n");
    for r in &d.rules {
        let _ = writeln!(
            page,
            "<tr><td><a href=\"#rule={}\">{}</a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&hash_value(&r.rule)),
            escape(&r.rule),
            r.errors,
            r.warnings,
            r.notes,
            r.repositories
        );
    }
    page.push_str("</tbody>\n</table>\n</details>\n");
}

/// A value in the location hash as `URLSearchParams` reads it back.
fn hash_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b'*') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn option(page: &mut String, value: &str, label: &str) {
    let _ = write!(
        page,
        "<option value=\"{}\">{}</option>",
        escape(value),
        escape(label)
    );
}

fn table(page: &mut String, d: &Dashboard) {
    page.push_str("<section id=\"fleet\">\n<form id=\"filters\" role=\"search\">\n");
    page.push_str("<label>PR state <select id=\"f-state\" name=\"state\">");
    option(page, "", "any");
    for state in d.totals.pr_states.keys() {
        option(page, state, state);
    }
    if d.totals.with_status < d.totals.repositories {
        option(page, "no-status", "no status report");
    }
    page.push_str("</select></label>\n");
    if d.totals.with_status > 0 {
        page.push_str("<label>Needs a human <select id=\"f-attention\" name=\"attention\">");
        option(page, "", "any");
        option(page, "human", "for any reason");
        for reason in d.totals.attention.keys() {
            option(page, reason, &reason.replace('_', " "));
        }
        page.push_str("</select></label>\n");
    }
    page.push_str("<label>Severity <select id=\"f-severity\" name=\"severity\">");
    option(page, "", "any");
    for (value, label) in [
        ("error", "has errors"),
        ("warning", "has warnings"),
        ("note", "has notes"),
        ("clean", "no findings"),
        ("failed", "not checked"),
    ] {
        option(page, value, label);
    }
    page.push_str("</select></label>\n<label>Rule <select id=\"f-rule\" name=\"rule\">");
    option(page, "", "any");
    let mut rule_ids: Vec<&str> = d.rules.iter().map(|r| r.rule.as_str()).collect();
    rule_ids.sort_unstable();
    for rule in rule_ids {
        option(page, rule, rule);
    }
    page.push_str("</select></label>\n<label>Search <input id=\"f-q\" name=\"q\" type=\"search\" placeholder=\"repository, rule, path or message\" size=\"32\"></label>\n<button type=\"reset\" id=\"f-reset\">Clear</button>\n</form>\n");
    let _ = write!(
        page,
        "<p id=\"shown\"><span id=\"shown-count\">{0}</span> of {0} repositories</p>\n\
         <p id=\"errors\" class=\"error\" hidden></p>\n\
         <noscript><p class=\"warn\">The repository table needs JavaScript; the totals above do not.</p></noscript>\n\
         <table id=\"repos\">\n<thead><tr>\
         <th><button type=\"button\" data-sort=\"name\">repository</button></th>\
         <th><button type=\"button\" data-sort=\"errors\">check</button></th>\
         <th>findings</th>\
         <th><button type=\"button\" data-sort=\"monitor\">monitor</button></th>\
         <th><button type=\"button\" data-sort=\"dependabot\">dependabot</button></th>\
         <th><button type=\"button\" data-sort=\"state\">pull request</button></th>\
         <th><button type=\"button\" data-sort=\"checks\">checks</button></th>\
         <th>review</th>\
         <th><button type=\"button\" data-sort=\"age\">PR age</button></th>\
         <th><button type=\"button\" data-sort=\"compliant\">compliant</button></th>\
         <th><button type=\"button\" data-sort=\"measured\">measured</button></th>\
         </tr></thead>\n<tbody id=\"rows\"></tbody>\n</table>\n\
         <nav id=\"pager\" aria-label=\"pages\"><button type=\"button\" id=\"prev\">previous</button> <span id=\"page\"></span> <button type=\"button\" id=\"next\">next</button></nav>\n\
         </section>\n",
        d.rows.len()
    );
}

#[cfg(test)]
mod tests;
