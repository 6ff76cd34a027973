//! The GitHub a fleet lives on: typed in `forge::host` (the adapter that talks to it), re-exported
//! here so the inventory and its readers keep one name for it.

pub use crate::forge::auth::token_from_env as github_token;
pub use crate::forge::host::{DEFAULT_API_URL, GitHubHost};
