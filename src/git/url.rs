//! Credentials written into a fleet URL (`https://user:token@host/o/r.git`): taken out of the URL
//! before libgit2 or `.git/config` ever see it, handed to the credential callback instead, and
//! redacted wherever a URL is shown.

use secrecy::{ExposeSecret, SecretString};

/// A fleet URL split into what may be stored and shown, and the credentials it carried.
#[derive(Clone, Debug)]
pub(crate) struct RemoteUrl {
    /// The URL without credentials: what `.git/config` records and libgit2 connects to.
    pub clean: String,
    pub credentials: Option<UrlCredentials>,
}

/// User name and password from a URL's user info, percent-decoded.
#[derive(Clone)]
pub(crate) struct UrlCredentials {
    /// The host they were written for: a redirect elsewhere does not get them.
    pub host: String,
    pub user: String,
    pub password: Option<SecretString>,
}

impl std::fmt::Debug for UrlCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UrlCredentials(<redacted>)")
    }
}

impl UrlCredentials {
    /// Strings to remove from any message: the password, and a user name long enough to be a
    /// token (a short one like `git` would mangle every message).
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        let user = Some(self.user.as_str()).filter(|u| u.len() >= 8);
        let password = self
            .password
            .as_ref()
            .map(|p| p.expose_secret())
            .filter(|p| !p.is_empty());
        user.into_iter().chain(password)
    }
}

/// Schemes whose user name is part of the address (SSH logs in as it), so only a password is
/// taken out.
fn keeps_user(scheme: &str) -> bool {
    ["ssh", "git+ssh", "ssh+git"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
}

/// Splits the user info off `scheme://userinfo@host/...`. Scp-like `user@host:path` and plain
/// paths carry no password and are returned as they are.
pub(crate) fn split_credentials(url: &str) -> RemoteUrl {
    let unchanged = || RemoteUrl {
        clean: url.to_string(),
        credentials: None,
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return unchanged();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return unchanged();
    };
    let (userinfo, host_and_path) = (&rest[..at], &rest[at + 1..]);
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (percent_decode(u), Some(percent_decode(p))),
        None => (percent_decode(userinfo), None),
    };
    let clean = if keeps_user(scheme) {
        if password.is_none() {
            return unchanged();
        }
        let login = &userinfo[..userinfo.find(':').unwrap_or(userinfo.len())];
        format!("{scheme}://{login}@{host_and_path}")
    } else {
        format!("{scheme}://{host_and_path}")
    };
    RemoteUrl {
        credentials: Some(UrlCredentials {
            host: super::auth::host_of(&clean).to_string(),
            user,
            password: password.map(SecretString::from),
        }),
        clean,
    }
}

/// `https://token@host/x` → `https://***@host/x`: any user info is redacted, except SSH's
/// conventional `git` login, which is an address and not a secret.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (prefix, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let authority_end = if prefix.is_empty() {
        // Scp-like `user@host:path`: the user info ends before the first `:` or `/`.
        match rest.find([':', '/']) {
            Some(i) => i,
            None => return url.to_string(),
        }
    } else {
        rest.find(['/', '?', '#']).unwrap_or(rest.len())
    };
    match rest[..authority_end].rfind('@') {
        Some(at) if &rest[..at] == "git" => url.to_string(),
        Some(at) => format!("{prefix}***@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_redacted() {
        for (url, shown) in [
            ("https://u:pw@github.com/o/r", "https://***@github.com/o/r"),
            ("https://ghp_xxx@host/repo.git", "https://***@host/repo.git"),
            ("ssh://git@github.com/o/r", "ssh://git@github.com/o/r"),
            ("ssh://deploy:pw@h/o/r", "ssh://***@h/o/r"),
            ("git@github.com:o/r.git", "git@github.com:o/r.git"),
            ("ghp_tok@github.com:o/r.git", "***@github.com:o/r.git"),
            ("/srv/git/r", "/srv/git/r"),
            ("/srv/a@b/r", "/srv/a@b/r"),
            ("https://host/o/r@v2", "https://host/o/r@v2"),
        ] {
            assert_eq!(redact_userinfo(url), shown, "{url}");
        }
    }

    #[test]
    fn credentials_leave_the_url() {
        let r = split_credentials("https://x-access-token:s%40cret@host:8443/o/r.git");
        assert_eq!(r.clean, "https://host:8443/o/r.git");
        let c = r.credentials.unwrap();
        assert_eq!(c.user, "x-access-token");
        assert_eq!(c.password.unwrap().expose_secret(), "s@cret");

        let r = split_credentials("https://ghp_abcdefgh@host/o/r.git");
        assert_eq!(r.clean, "https://host/o/r.git");
        assert_eq!(r.credentials.unwrap().user, "ghp_abcdefgh");

        let r = split_credentials("ssh://deploy:pw@host/o/r.git");
        assert_eq!(r.clean, "ssh://deploy@host/o/r.git");
        assert!(r.credentials.is_some());

        for url in [
            "ssh://git@host/o/r",
            "git@host:o/r",
            "file:///srv/r.git",
            "https://host/o/r",
        ] {
            let r = split_credentials(url);
            assert_eq!(r.clean, url);
            assert!(r.credentials.is_none(), "{url}");
        }
        assert!(!format!("{:?}", split_credentials("https://a:b@h/x")).contains(":b"));
    }
}
