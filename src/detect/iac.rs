//! Infrastructure as code: `terraform` or `opentofu`, decided once per repository.

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::Files;

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
    let tofu = files.iter().any(|(_, n)| n.ends_with(".tofu"))
        || dirs.iter().any(|d| {
            files.has(d, LOCK_FILE)
                && files
                    .read(d, LOCK_FILE)
                    .is_some_and(|t| t.contains("registry.opentofu.org"))
        });
    let ecosystem = if tofu {
        Ecosystem::Opentofu
    } else {
        Ecosystem::Terraform
    };
    for dir in dirs {
        out.add(ecosystem, dir);
    }
}
