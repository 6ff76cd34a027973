//! Links from the dashboard to GitHub: a repository, and a finding's file and line
//! (`https://github.com/OWNER/REPO/blob/BRANCH/PATH#L12`). The web base comes from the caller
//! (github.com, or the Enterprise Server of the fleet's `[github]`); the branch per repository
//! from the fleet when it names one, else `HEAD`, which GitHub resolves to the default branch.
//! Only names that are GitHub repository names get links (a `check --path` report names a
//! directory), and every path segment is percent-encoded, so a path cannot leave the
//! repository's tree or carry a query.

use std::collections::BTreeMap;
use std::fmt::Write;

/// Where links point.
#[derive(Debug, Clone)]
pub struct Links {
    /// `https://github.com`, or `https://HOST` of an Enterprise Server; no trailing `/`.
    pub web: String,
    /// `owner/repo` → the branch the fleet checks out, when it names one.
    pub branches: BTreeMap<String, String>,
}

impl Default for Links {
    fn default() -> Self {
        Links {
            web: "https://github.com".into(),
            branches: BTreeMap::new(),
        }
    }
}

impl Links {
    /// The repository's page, when `name` is `owner/repo`.
    pub fn repo(&self, name: &str) -> Option<String> {
        is_repo_name(name).then(|| format!("{}/{}", self.web, name))
    }

    /// A file of the repository at the fleet's branch, at a line when there is one.
    pub fn file(&self, name: &str, path: &str, line: Option<u64>) -> Option<String> {
        let repo = self.repo(name)?;
        if path.is_empty()
            || path
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return None;
        }
        let branch = self.branches.get(name).map_or("HEAD", String::as_str);
        let mut url = format!("{repo}/blob/{}/{}", encode_path(branch), encode_path(path));
        if let Some(line) = line {
            let _ = write!(url, "#L{line}");
        }
        Some(url)
    }
}

/// `owner/repo` as GitHub allows them: letters, digits, `-`, `_`, `.`; not `.` or `..`.
fn is_repo_name(name: &str) -> bool {
    let ok = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    matches!(name.split_once('/'), Some((owner, repo)) if ok(owner) && ok(repo))
}

/// Each `/`-separated segment percent-encoded (RFC 3986 unreserved characters kept).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `url` when it is an http(s) URL (a pull request's), else `None`: a report's URL never becomes
/// a `javascript:` or `data:` link.
pub fn http_url(url: &str) -> Option<String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_links_point_at_the_line() {
        let links = Links::default();
        assert_eq!(
            links
                .file("acme/api", "services/a b/Dockerfile", Some(12))
                .as_deref(),
            Some("https://github.com/acme/api/blob/HEAD/services/a%20b/Dockerfile#L12")
        );
        let mut links = Links {
            web: "https://ghe.example.com".into(),
            ..Links::default()
        };
        links.branches.insert("acme/api".into(), "release/2".into());
        assert_eq!(
            links.file("acme/api", "Dockerfile", None).as_deref(),
            Some("https://ghe.example.com/acme/api/blob/release/2/Dockerfile")
        );
    }

    #[test]
    fn hostile_names_paths_and_urls_get_no_link() {
        let links = Links::default();
        assert_eq!(links.repo("acme/<b>"), None);
        assert_eq!(links.repo("/tmp/checkout"), None);
        assert_eq!(links.repo("acme/.."), None);
        assert_eq!(links.file("acme/api", "../../x", Some(1)), None);
        assert_eq!(
            links.file("acme/api", "a?b#c\"<", None).as_deref(),
            Some("https://github.com/acme/api/blob/HEAD/a%3Fb%23c%22%3C")
        );
        assert_eq!(http_url("javascript:alert(1)"), None);
        assert_eq!(http_url(" https://x"), None);
        assert_eq!(http_url("JaVaScRiPt:alert(1)//https://"), None);
        assert_eq!(
            http_url("https://github.com/acme/api/pull/3").as_deref(),
            Some("https://github.com/acme/api/pull/3")
        );
    }
}
