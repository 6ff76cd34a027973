//! Infrastructure as code: `terraform` or `opentofu`, decided per directory: a directory is
//! OpenTofu's when it holds `*.tofu` files or its lock file names `registry.opentofu.org`, or when
//! a directory above it is (a root module's own modules); every other one is Terraform's. Two
//! `.tofu` fixtures no longer turn a thousand Terraform directories into OpenTofu ones.

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::{Files, at_or_under};

const LOCK_FILE: &str = ".terraform.lock.hcl";

fn is_module_file(name: &str) -> bool {
    name.ends_with(".tf")
        || name.ends_with(".tofu")
        || name == "terragrunt.hcl"
        || name == LOCK_FILE
}

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    let dirs = files.dirs_with(is_module_file);
    if dirs.is_empty() {
        return;
    }
    // Both tools read `*.tf`; only OpenTofu reads `*.tofu` or locks providers from its registry.
    let tofu_here = |d: &str| {
        files.has_any(d, |n| n.ends_with(".tofu"))
            || (files.has(d, LOCK_FILE)
                && files
                    .read(d, LOCK_FILE)
                    .is_some_and(|t| t.contains("registry.opentofu.org")))
    };
    let tofu_dirs: Vec<&str> = dirs.iter().copied().filter(|d| tofu_here(d)).collect();
    for dir in dirs {
        let ecosystem = if tofu_dirs.iter().any(|t| at_or_under(dir, t)) {
            Ecosystem::Opentofu
        } else {
            Ecosystem::Terraform
        };
        out.add(ecosystem, dir);
    }
}
