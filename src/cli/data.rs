//! `drydock data update`: the flags, and what `app::data::update` wrote, said in one line.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{ExitStatus, Global};
use crate::app::data::{
    DEFAULT_ENDOFLIFE_API, DEFAULT_OFFICIAL_IMAGES_API, DEFAULT_OFFICIAL_IMAGES_RAW, Sources,
    update,
};

/// The image data `check` reads: Docker Official Images and endoflife.date.
#[derive(Debug, Args)]
pub struct DataArgs {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Fetch fresh image data over HTTPS, validate it and write a directory for `check --data-dir`.
    Update(UpdateArgs),
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Where to write official-images.json and lifecycle.json.
    #[arg(long, value_name = "DIR", default_value = "drydock-data")]
    pub out: PathBuf,
    /// GitHub API URL of the official-images repository (commit and library listing).
    #[arg(long, value_name = "URL", default_value = DEFAULT_OFFICIAL_IMAGES_API)]
    pub official_images_api: String,
    /// Raw-file URL of the official-images repository (`COMMIT/library/NAME` below it).
    #[arg(long, value_name = "URL", default_value = DEFAULT_OFFICIAL_IMAGES_RAW)]
    pub official_images_raw: String,
    /// endoflife.date API v1 (`products/PRODUCT` below it).
    #[arg(long, value_name = "URL", default_value = DEFAULT_ENDOFLIFE_API)]
    pub endoflife_api: String,
}

pub fn run(global: &Global, args: DataArgs) -> anyhow::Result<ExitStatus> {
    let DataCommand::Update(args) = args.command;
    let sources = Sources {
        official_images_api: args.official_images_api,
        official_images_raw: args.official_images_raw,
        endoflife_api: args.endoflife_api,
    };
    let updated = update(&sources, &args.out, chrono::Utc::now().date_naive())?;
    if !global.quiet {
        println!(
            "wrote {}: {} official images (docker-library/official-images at {}, {}), {} endoflife.date products",
            updated.dir.display(),
            updated.images,
            &updated.commit[..updated.commit.len().min(12)],
            updated.date,
            updated.products,
        );
        println!(
            "use it with `drydock check --data-dir {}`",
            updated.dir.display()
        );
    }
    Ok(ExitStatus::Success)
}
