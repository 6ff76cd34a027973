# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.76.0"
  constraints = "~> 5.76"
  hashes = [
    "h1:2H4jwIM/tbC5Es3FZTRM0fiRsGSbLBFYJ7DpDnG42Mc=",
  ]
}
