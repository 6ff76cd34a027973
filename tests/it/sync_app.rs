//! `drydock sync` with a GitHub App against the GitHub stand-in: git over its smart HTTP gets
//! each owner's installation token through the credential callback (user `x-access-token`),
//! minted once per owner, and the token shows up nowhere: not in stdout or stderr (debug logs
//! on), not in `.git/config`, not in any file of the fleet directory or the workspace.

use serde_json::{Value, json};

use crate::support::standin::{Standin, app_key_pair};
use crate::support::{drydock, files_under};

/// Every installation token the stand-in mints starts so (`ghs_` and 36 hex digits, as GitHub's).
const TOKEN_PREFIX: &str = "ghs_";

fn routes(log: &[Value], route: &str) -> usize {
    log.iter().filter(|e| e["route"] == route).count()
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn app_installation_tokens_authenticate_git_and_never_show() {
    let standin = Standin::start();
    let (private, public) = app_key_pair();
    standin.control(
        "POST",
        "app",
        json!({"id": 42, "slug": "drydock-test", "public_key": public, "token_lifetime": 3600}),
    );
    for owner in ["acme", "beta"] {
        standin.control(
            "POST",
            "installations",
            json!({"owner": owner, "permissions": {"metadata": "read", "contents": "read"}}),
        );
    }
    // Private repositories: an anonymous fetch is refused, only the token gets them.
    let private_repo = |name: &str| json!({"name": name, "private": true, "files": {"README.md": format!("{name}\n")}});
    standin.org("acme", vec![private_repo("web"), private_repo("api")]);
    standin.org("beta", vec![private_repo("tool")]);
    standin.org("gamma", vec![private_repo("lost")]);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.pem"), &private).unwrap();
    let base = &standin.base;
    let repos: String = ["acme/web", "acme/api", "beta/tool", "gamma/lost"]
        .iter()
        .map(|name| format!("[[repo]]\nname = \"{name}\"\nurl = \"{base}/{name}.git\"\n\n"))
        .collect();
    std::fs::write(
        dir.path().join("fleet.toml"),
        format!(
            "[fleet]\nworkspace = \"ws\"\n\n[github]\napi_url = \"{base}\"\napp_id = 42\nprivate_key = \"app.pem\"\n\n{repos}"
        ),
    )
    .unwrap();

    let output = drydock()
        .current_dir(dir.path())
        .env("DRYDOCK_LOG", "drydock=debug")
        .args(["sync", "--jobs", "4"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    // gamma has no installation: that repository fails with the reason, the others are synced.
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
    for name in ["acme/web", "acme/api", "beta/tool"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{stdout}"));
        assert!(row.contains("cloned"), "{row}\n{stderr}");
        let readme = dir.path().join("ws/repos").join(name).join("README.md");
        let repo = name.split('/').nth(1).unwrap();
        assert_eq!(
            std::fs::read_to_string(&readme).unwrap_or_default(),
            format!("{repo}\n"),
            "{}",
            readme.display()
        );
    }
    let lost = stdout
        .lines()
        .find(|l| l.starts_with("gamma/lost"))
        .unwrap();
    assert!(
        lost.contains("failed") && lost.contains("the App is not installed on gamma"),
        "{lost}"
    );

    let log = standin.log();
    let fetched: Vec<&Value> = log
        .iter()
        .filter(|e| e["kind"] == "git-fetch" && e["status"] == 200)
        .collect();
    for name in ["acme/web", "acme/api", "beta/tool"] {
        assert!(
            fetched.iter().any(|e| e["repo"] == name),
            "{name} was not fetched with a token: {log:#?}"
        );
    }
    // One token per owner with an installation, shared by that owner's repositories.
    assert_eq!(
        routes(&log, "/app/installations/{installation_id}/access_tokens"),
        2,
        "{log:#?}"
    );
    assert_eq!(routes(&log, "/orgs/{org}/installation"), 3, "{log:#?}");

    assert!(!stdout.contains(TOKEN_PREFIX), "{stdout}");
    assert!(!stderr.contains(TOKEN_PREFIX), "{stderr}");
    assert!(!stderr.contains("BEGIN RSA"), "{stderr}");
    for file in files_under(dir.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).to_string();
        assert!(
            !text.contains(TOKEN_PREFIX) && !text.contains("x-access-token"),
            "a token in {}",
            file.display()
        );
    }
    let config = std::fs::read_to_string(dir.path().join("ws/repos/acme/web/.git/config"))
        .unwrap_or_default();
    assert!(
        config.contains(&format!("url = {base}/acme/web.git")),
        "{config}"
    );
}
