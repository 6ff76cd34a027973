//! Render + validate + repair over 1,000 dependabot.yml configs, against the floor of only
//! parsing the same configs with serde-saphyr. Run with `bench/dependabot.sh` (or
//! `cargo bench --bench dependabot`); prints per-config times and the ratio.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use drydock::dependabot::desired::desired;
use drydock::dependabot::render::Renderer;
use drydock::dependabot::repair::{Inputs, repair};
use drydock::dependabot::settings::Settings;
use drydock::dependabot::validate::validate;
use drydock::detect::{Ecosystem, EcosystemDir, FoundFile, RepoScan};

const CONFIGS: usize = 1000;
const ROUNDS: usize = 5;

/// A repository of `n` services: npm at the root, go and a Dockerfile per service.
fn scan(n: usize) -> RepoScan {
    let mut ecosystems = vec![
        EcosystemDir {
            ecosystem: Ecosystem::Npm,
            directory: "/".into(),
        },
        EcosystemDir {
            ecosystem: Ecosystem::GithubActions,
            directory: "/".into(),
        },
    ];
    let mut dockerfiles = vec![FoundFile {
        path: "Dockerfile".into(),
    }];
    for i in 0..n {
        ecosystems.push(EcosystemDir {
            ecosystem: Ecosystem::Gomod,
            directory: format!("/services/s{i}"),
        });
        dockerfiles.push(FoundFile {
            path: format!("services/s{i}/Dockerfile"),
        });
    }
    ecosystems.sort();
    RepoScan {
        ecosystems,
        dockerfiles,
        compose_files: Vec::new(),
    }
}

fn main() {
    let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dependabot");
    let mut corpus: Vec<String> = std::fs::read_dir(&corpus_dir)
        .expect("tests/corpus/dependabot")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    corpus.sort();
    let renderer = Renderer::builtin();
    let settings = Settings::default();
    // 1,000 configs: the existing files owners wrote (the corpus, cycled) for repositories of
    // 0 to 9 services.
    let work: Vec<(RepoScan, String)> = (0..CONFIGS)
        .map(|i| (scan(i % 10), corpus[i % corpus.len()].clone()))
        .collect();

    let floor = best_of(|| {
        for (_, text) in &work {
            let _ = black_box(serde_saphyr::from_str::<serde_json::Value>(
                text.trim_start_matches('\u{feff}'),
            ));
        }
    });
    let drydock = best_of(|| {
        for (scan, text) in &work {
            let generated = renderer.render(&desired(scan, &settings)).unwrap();
            black_box(validate(&generated, ".github/dependabot.yml", Some(scan)));
            black_box(validate(text, ".github/dependabot.yml", Some(scan)));
            let r = repair(
                text,
                ".github/dependabot.yml",
                Inputs {
                    scan,
                    settings: &settings,
                    renderer: &renderer,
                    monitor_workflow: None,
                },
            );
            black_box(r);
        }
    });
    let render = best_of(|| {
        for (scan, _) in &work {
            black_box(renderer.render(&desired(scan, &settings)).unwrap());
        }
    });
    let validate_only = best_of(|| {
        for (scan, text) in &work {
            black_box(validate(text, ".github/dependabot.yml", Some(scan)));
        }
    });
    let repair_only = best_of(|| {
        for (scan, text) in &work {
            black_box(repair(
                text,
                ".github/dependabot.yml",
                Inputs {
                    scan,
                    settings: &settings,
                    renderer: &renderer,
                    monitor_workflow: None,
                },
            ));
        }
    });
    let per = |d: Duration| d.as_secs_f64() * 1e6 / CONFIGS as f64;
    println!(
        "  of which render:                      {:>9.1} µs/config",
        per(render)
    );
    println!(
        "  of which validate (one file):         {:>9.1} µs/config",
        per(validate_only)
    );
    println!(
        "  of which repair (incl. its re-check): {:>9.1} µs/config",
        per(repair_only)
    );
    println!("configs: {CONFIGS} (best of {ROUNDS} rounds)");
    println!(
        "serde-saphyr parse only (floor):        {:>9.1} µs/config",
        per(floor)
    );
    println!(
        "drydock render + validate + repair:     {:>9.1} µs/config",
        per(drydock)
    );
    println!(
        "ratio drydock / floor:                  {:>9.1}x",
        drydock.as_secs_f64() / floor.as_secs_f64()
    );
}

fn best_of(mut f: impl FnMut()) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}
