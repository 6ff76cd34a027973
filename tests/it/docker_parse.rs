//! Dockerfile parsing: one test per syntax feature, FROM expansion as BuildKit does it, stages and
//! external images, the BuildKit parser corpus (tests/corpus/buildkit), and robustness.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use drydock::docker::{Base, Dockerfile, ImageRef, UseKind};
use proptest::prelude::*;

fn parse(text: &str) -> Dockerfile {
    Dockerfile::parse(text, &BTreeMap::new())
        .unwrap_or_else(|e| panic!("parse failed: {e}\n{text}"))
}

fn parse_with(text: &str, args: &[(&str, &str)]) -> Dockerfile {
    let args = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Dockerfile::parse(text, &args).unwrap_or_else(|e| panic!("parse failed: {e}\n{text}"))
}

fn image(r: &str) -> Base {
    Base::Image(ImageRef::parse(r).unwrap())
}

fn bases(df: &Dockerfile) -> Vec<Base> {
    df.stages.iter().map(|s| s.from.base.clone()).collect()
}

fn unresolved_reason(base: &Base) -> &str {
    match base {
        Base::Unresolved { reason, .. } => reason,
        other => panic!("expected unresolved, got {other:?}"),
    }
}

// ---------------------------------------------------------------- syntax

#[test]
fn escape_directive_switches_continuation() {
    let df = parse(
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo a `\n  b\nCOPY C:\\a C:\\b\n",
    );
    assert_eq!(df.escape, '`');
    let run = &df.stages[0].instructions[0];
    assert_eq!(run.arguments, "echo a   b");
    assert_eq!(df.stages[0].instructions[1].arguments, "C:\\a C:\\b");
    assert_eq!(df.stages[0].instructions[1].line, 5);
}

#[test]
fn syntax_directive_is_recorded_and_directives_stop_at_first_other_line() {
    let df = parse("# syntax=docker/dockerfile:1.7\n# escape=\\\nFROM alpine:3.20\n");
    assert_eq!(df.syntax.as_deref(), Some("docker/dockerfile:1.7"));
    let df = parse("# licence header\n# syntax=docker/dockerfile:1\nFROM alpine:3.20\n");
    assert_eq!(df.syntax, None);
    let df = parse("# hello\n# escape=`\nFROM alpine:3.20\nRUN a \\\n b\n");
    assert_eq!(df.escape, '\\');
    assert_eq!(df.stages[0].instructions[0].arguments, "a  b");
}

#[test]
fn invalid_escape_directive_is_an_error() {
    let err = Dockerfile::parse("# escape=x\nFROM alpine\n", &BTreeMap::new()).unwrap_err();
    assert_eq!(err.line, 1, "{err}");
}

#[test]
fn continuations_and_comments_inside_them() {
    let df = parse(
        "FROM debian:12-slim\nRUN apt-get update \\\n# install curl\n    && apt-get install -y curl \\\n\n    && rm -rf /var/lib/apt/lists/*\nUSER app\n",
    );
    let run = &df.stages[0].instructions[0];
    assert_eq!(run.keyword, "RUN");
    assert_eq!(
        run.arguments,
        "apt-get update     && apt-get install -y curl     && rm -rf /var/lib/apt/lists/*"
    );
    assert_eq!(run.line, 2);
    let user = &df.stages[0].instructions[1];
    assert_eq!((user.keyword.as_str(), user.line), ("USER", 7));
}

#[test]
fn heredocs_are_not_scanned_for_instructions() {
    let text = "FROM alpine:3.20\nRUN <<EOF\nFROM ubuntu:20.04\napk add curl\nEOF\nCOPY <<-CONF /etc/app.conf\n\tFROM x\n\tCONF\nFROM scratch\n";
    let df = parse(text);
    assert_eq!(df.stages.len(), 2);
    assert_eq!(bases(&df), vec![image("alpine:3.20"), Base::Scratch]);
    let run = &df.stages[0].instructions[0];
    assert!(
        run.arguments.contains("apk add curl"),
        "{:?}",
        run.arguments
    );
    assert_eq!(df.stages[0].instructions[1].keyword, "COPY");
    assert_eq!(df.stages[1].line, 9);
}

#[test]
fn heredoc_after_a_command_and_quoted_delimiters() {
    let df = parse(
        "FROM python:3.12-slim\nRUN python3 - <<'PY' && cat <<EOF >/x\nprint('FROM x')\nPY\nhi\nEOF\nCMD [\"python3\"]\n",
    );
    let ins = &df.stages[0].instructions;
    assert_eq!(ins.len(), 2);
    assert_eq!(
        ins[0].arguments,
        "python3 - <<'PY' && cat <<EOF >/x\nprint('FROM x')\nPY\nhi\nEOF"
    );
    assert_eq!(ins[1].line, 7);
}

#[test]
fn several_heredocs_on_one_line() {
    let df = parse("FROM alpine:3.20\nRUN <<A cat >a && <<B cat >b\none\nA\ntwo\nB\nUSER x\n");
    let run = &df.stages[0].instructions[0];
    assert!(run.arguments.contains("one") && run.arguments.contains("two"));
    assert_eq!(df.stages[0].instructions[1].line, 7);
}

#[test]
fn unterminated_heredoc_is_an_error() {
    assert!(Dockerfile::parse("FROM alpine\nRUN <<EOF\necho\n", &BTreeMap::new()).is_err());
}

#[test]
fn json_and_shell_forms() {
    let df =
        parse("FROM alpine:3.20\nCMD [\"echo\", \"a\"]\nENTRYPOINT echo b\nRUN ['bad json']\n");
    let ins = &df.stages[0].instructions;
    assert_eq!(ins[0].arguments, "[\"echo\", \"a\"]");
    assert_eq!(ins[0].exec, Some(vec!["echo".to_string(), "a".to_string()]));
    assert_eq!(ins[1].exec, None);
    assert_eq!(ins[2].exec, None);
    assert_eq!(ins[1].arguments, "echo b");
    assert_eq!(ins[2].arguments, "['bad json']");
}

#[test]
fn lowercase_instructions_and_as() {
    let df = parse(
        "from golang:1.23 as Builder\nrun go build\nfrom gcr.io/distroless/static-debian12 AS final\ncopy --from=BUILDER /app /app\n",
    );
    assert_eq!(df.stages[0].name.as_deref(), Some("builder"));
    assert_eq!(df.stages[0].instructions[0].keyword, "RUN");
    assert_eq!(
        df.stages[1].instructions[0].flags,
        vec!["--from=BUILDER".to_string()]
    );
    assert!(df.external_images().iter().all(|u| u.kind == UseKind::From));
}

#[test]
fn bom_and_crlf() {
    let text = "\u{feff}FROM alpine:3.20 AS base\r\nRUN echo a \\\r\n  b\r\nFROM base\r\n";
    let df = parse(text);
    assert_eq!(bases(&df), vec![image("alpine:3.20"), Base::Stage(0)]);
    let from = &df.stages[0].from;
    assert_eq!(&text[from.span.clone()], "alpine:3.20");
    assert_eq!(df.stages[0].instructions[0].arguments, "echo a   b");
    assert_eq!(df.stages[1].line, 4);
}

#[test]
fn leading_whitespace_and_continue_at_eof() {
    let df = parse("  FROM alpine:3.20\n\t RUN echo \\");
    assert_eq!(df.stages[0].instructions[0].arguments, "echo");
}

#[test]
fn errors_have_lines() {
    let err = Dockerfile::parse("FROM alpine\nBOGUS thing\n", &BTreeMap::new()).unwrap_err();
    assert_eq!(err.line, 2, "{err}");
    let err = Dockerfile::parse("RUN echo\nFROM alpine\n", &BTreeMap::new()).unwrap_err();
    assert_eq!(err.line, 1, "{err}");
    let err = Dockerfile::parse("", &BTreeMap::new()).unwrap_err();
    assert!(err.message.contains("FROM"), "{err}");
    let err = Dockerfile::parse("FROM a AS x\nFROM b AS X\n", &BTreeMap::new()).unwrap_err();
    assert_eq!(err.line, 2, "{err}");
    let err = Dockerfile::parse("FROM a AS 1x\n", &BTreeMap::new()).unwrap_err();
    assert!(err.message.contains("stage name"), "{err}");
}

// ---------------------------------------------------------------- ARG and FROM

#[test]
fn global_arg_defaults_expand_in_from() {
    let text = "ARG PY=3.12\nARG VARIANT=slim\nFROM python:${PY}-${VARIANT}\n";
    let df = parse(text);
    assert_eq!(bases(&df), vec![image("python:3.12-slim")]);
    assert_eq!(
        df.stages[0].from.args_used,
        vec!["PY".to_string(), "VARIANT".to_string()]
    );
    assert_eq!(df.stages[0].from.raw, "python:${PY}-${VARIANT}");
    let py = &df.global_args[0];
    assert_eq!(
        (py.name.as_str(), py.default.as_deref(), py.line),
        ("PY", Some("3.12"), 1)
    );
    assert_eq!(&text[py.default_span.clone().unwrap()], "3.12");
}

#[test]
fn quoted_arg_default_span_excludes_quotes() {
    let text = "ARG BASE=\"alpine:3.20\" OTHER='x y'\nFROM $BASE\n";
    let df = parse(text);
    assert_eq!(bases(&df), vec![image("alpine:3.20")]);
    let base = &df.global_args[0];
    assert_eq!(base.default.as_deref(), Some("alpine:3.20"));
    assert_eq!(&text[base.default_span.clone().unwrap()], "alpine:3.20");
    assert_eq!(df.global_args[1].default.as_deref(), Some("x y"));
}

#[test]
fn build_args_override_declared_args_only() {
    let text = "ARG TAG=3.19\nFROM alpine:${TAG}\n";
    assert_eq!(
        bases(&parse_with(text, &[("TAG", "3.20")])),
        vec![image("alpine:3.20")]
    );
    // An undeclared build arg is not visible.
    let text = "FROM alpine:${TAG}\n";
    let df = parse_with(text, &[("TAG", "3.20")]);
    assert!(unresolved_reason(&df.stages[0].from.base).contains("not declared"));
}

#[test]
fn args_inside_a_stage_do_not_reach_a_later_from() {
    let df = parse("FROM alpine:3.20\nARG TAG=12\nFROM debian:${TAG}\n");
    assert!(unresolved_reason(&df.stages[1].from.base).contains("TAG"));
    assert_eq!(df.global_args.len(), 0);
}

#[test]
fn every_substitution_form() {
    let cases = [
        ("ARG V=3.20\nFROM alpine:${V}", "alpine:3.20"),
        ("ARG V=3.20\nFROM alpine:$V", "alpine:3.20"),
        ("ARG V\nFROM alpine:${V:-3.19}", "alpine:3.19"),
        ("ARG V=\nFROM alpine:${V:-3.19}", "alpine:3.19"),
        ("ARG V=\nFROM alpine${V-:3.18}", "alpine"),
        ("ARG V\nFROM alpine:${V-3.18}", "alpine:3.18"),
        ("ARG V=x\nFROM alpine:3.20${V:+-slim}", "alpine:3.20-slim"),
        ("ARG V\nFROM alpine:3.20${V:+-slim}", "alpine:3.20"),
        ("ARG V=\nFROM alpine:3.20${V+-edge}", "alpine:3.20-edge"),
        ("ARG V\nFROM alpine:3.20${V+-edge}", "alpine:3.20"),
        (
            "ARG REG\nARG IMG=app\nARG TAG=1\nFROM ${REG:-}${REG:+/}${IMG}:${TAG}",
            "app:1",
        ),
        (
            "ARG REG=ghcr.io/o\nARG IMG=app\nARG TAG=1\nFROM ${REG:-}${REG:+/}${IMG}:${TAG}",
            "ghcr.io/o/app:1",
        ),
        (
            "ARG SERVER=registry.example.com\nFROM $SERVER:8099/x",
            "registry.example.com:8099/x",
        ),
        ("ARG VARIANT\nFROM node:22${VARIANT}", "node:22"),
        ("ARG A=3\nARG B=${A}.20\nFROM alpine:$B", "alpine:3.20"),
        ("ARG V=python:3.12-slim\nFROM ${V%-slim}", "python:3.12"),
    ];
    for (text, want) in cases {
        assert_eq!(bases(&parse(text)), vec![image(want)], "{text}");
    }
    let digest = format!("sha256:{}", "a".repeat(64));
    let df = parse(&format!(
        "ARG IMG=python:3.12-slim@{digest}\nFROM ${{IMG}}\n"
    ));
    assert_eq!(
        bases(&df),
        vec![image(&format!("python:3.12-slim@{digest}"))]
    );
}

#[test]
fn unresolvable_from_is_reported_not_guessed() {
    let df = parse("ARG BASE\nFROM $BASE\n");
    let Base::Unresolved { expression, reason } = &df.stages[0].from.base else {
        panic!()
    };
    assert_eq!(expression, "$BASE");
    assert!(
        reason.contains("BASE") && reason.contains("build arg"),
        "{reason}"
    );

    let df = parse("ARG TAG\nFROM busybox:${TAG}\n");
    assert!(unresolved_reason(&df.stages[0].from.base).contains("TAG"));

    let df =
        parse("FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM base-${TARGETARCH}\n");
    assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(bases(&df)[0], image("golang:1.23"));
    assert!(unresolved_reason(&df.stages[1].from.base).contains("platform"));
    let df = parse_with("FROM base-${TARGETARCH}\n", &[("TARGETARCH", "amd64")]);
    assert_eq!(bases(&df), vec![image("base-amd64")]);

    let df = parse("ARG V\nFROM alpine:${V:?setV}\n");
    assert!(unresolved_reason(&df.stages[0].from.base).contains("setV"));
    let df = parse("FROM UBUNTU\n");
    assert!(unresolved_reason(&df.stages[0].from.base).contains("lowercase"));
}

// ---------------------------------------------------------------- stages and images

#[test]
fn stages_scratch_and_references() {
    let text = "FROM golang:1.23 AS build\nRUN go build\nFROM build AS test\nFROM scratch\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=nginx:1.27-alpine /etc/nginx /etc/nginx\n";
    let df = parse(text);
    assert_eq!(
        bases(&df),
        vec![image("golang:1.23"), Base::Stage(0), Base::Scratch]
    );
    assert_eq!(df.final_stage().unwrap().index, 2);
    assert_eq!(df.stage("BUILD").unwrap().index, 0);
    let uses = df.external_images();
    let got: Vec<(UseKind, usize, usize, String)> = uses
        .iter()
        .map(|u| (u.kind, u.stage, u.line, u.image.familiar()))
        .collect();
    assert_eq!(
        got,
        vec![
            (UseKind::From, 0, 1, "golang:1.23".into()),
            (UseKind::CopyFrom, 2, 7, "nginx:1.27-alpine".into())
        ]
    );
}

#[test]
fn from_a_later_stage_name_is_an_image() {
    let df = parse("FROM app\nFROM alpine:3.20 AS app\n");
    assert_eq!(bases(&df)[0], image("app"));
}

#[test]
fn run_mount_from_images() {
    let text = "FROM rust:1.82 AS build\nRUN --mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=bind,from=ghcr.io/acme/tools:2,source=/bin/tool,target=/tool \\\n    --mount=type=bind,from=build,target=/x \\\n    cargo build\nONBUILD COPY --from=busybox:1.36 /bin/sh /sh\n";
    let df = parse(text);
    let uses = df.external_images();
    let got: Vec<(UseKind, usize, String)> = uses
        .iter()
        .map(|u| (u.kind, u.line, u.image.familiar()))
        .collect();
    assert_eq!(
        got,
        vec![
            (UseKind::From, 1, "rust:1.82".into()),
            (UseKind::MountFrom, 2, "ghcr.io/acme/tools:2".into()),
            (UseKind::CopyFrom, 6, "busybox:1.36".into()),
        ]
    );
    let run = &df.stages[0].instructions[0];
    assert_eq!(run.flags.len(), 3);
    assert_eq!(run.arguments, "cargo build");
    for (flag, span) in run.flags.iter().zip(&run.flag_spans) {
        assert_eq!(&text[span.clone()], flag);
    }
    // Where bump would rewrite each reference.
    assert_eq!(&text[uses[0].span.clone()], "rust:1.82");
    assert_eq!(&text[uses[1].span.clone()], "ghcr.io/acme/tools:2");
    assert!(text[uses[2].span.clone()].starts_with("ONBUILD COPY"));
}

#[test]
fn copy_from_spans_without_quotes() {
    let text = "FROM scratch\nCOPY --chown=1:1 --from=\"nginx:1.27\" /a /b\nADD --from=busybox:1.36 /bin/sh /sh\n";
    let df = parse(text);
    let spans: Vec<&str> = df
        .external_images()
        .iter()
        .map(|u| &text[u.span.clone()])
        .collect();
    assert_eq!(spans, ["nginx:1.27", "busybox:1.36"]);
}

#[test]
fn spans_point_into_the_original_text() {
    let text = "# syntax=docker/dockerfile:1\nARG TAG=3.12-slim\n\nFROM   --platform=linux/amd64 python:${TAG} as app\nRUN pip install x\n";
    let df = parse(text);
    let from = &df.stages[0].from;
    assert_eq!(&text[from.span.clone()], "python:${TAG}");
    assert_eq!(df.stages[0].line, 4);
    let tag = &df.global_args[0];
    assert_eq!(&text[tag.default_span.clone().unwrap()], "3.12-slim");
    let run = &df.stages[0].instructions[0];
    assert_eq!(&text[run.span.clone()], "RUN pip install x");
    // Rewriting the span gives the file bump would write.
    let mut bumped = text.to_string();
    bumped.replace_range(tag.default_span.clone().unwrap(), "3.13-slim");
    assert_eq!(bases(&parse(&bumped)), vec![image("python:3.13-slim")]);
}

// ---------------------------------------------------------------- BuildKit corpus

fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/buildkit/frontend/dockerfile/parser")
}

/// Reads a Go `%q` string starting at `s[0] == '"'`; returns it and the rest.
fn go_string(s: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (out, &s[i + 1..]),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some(c @ ('x' | 'u')) => {
                    let digits: String = (0..if c == 'x' { 2 } else { 4 })
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    out.push(char::from_u32(u32::from_str_radix(&digits, 16).unwrap()).unwrap());
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    (out, "")
}

#[test]
fn buildkit_corpus_positive_cases_parse_as_expected() {
    let dir = corpus_dir().join("testfiles");
    let mut cases = 0;
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let case = entry.unwrap().path();
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let mut text = std::fs::read_to_string(case.join("Dockerfile")).unwrap();
        let result = std::fs::read_to_string(case.join("result")).unwrap();
        // BuildKit's parser tests include bare instruction lists; a build (and drydock) needs a
        // stage, so those cases get one, and the expected dump gains its `from`.
        let stageless = !result.lines().any(|l| l.starts_with("(from "));
        let result = if stageless {
            text.insert_str(0, "FROM scratch\n");
            format!("(from \"scratch\")\n{result}")
        } else {
            result
        };
        let df =
            Dockerfile::parse(&text, &BTreeMap::new()).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Every instruction of the expected dump, in order: its keyword; the FROM image; the
        // command of RUN/CMD/ENTRYPOINT, as one shell string or as the exec form's words.
        let mut ours: Vec<(String, String, Option<Vec<String>>)> = Vec::new();
        let mut arg_lines = Vec::new();
        for arg in &df.global_args {
            if arg_lines.last() != Some(&arg.line) {
                arg_lines.push(arg.line);
                ours.push(("arg".to_string(), arg.name.clone(), None));
            }
        }
        for stage in &df.stages {
            ours.push(("from".to_string(), stage.from.raw.clone(), None));
            for ins in &stage.instructions {
                ours.push((
                    ins.keyword.to_ascii_lowercase(),
                    ins.arguments.clone(),
                    ins.exec.clone(),
                ));
            }
        }
        let expected: Vec<&str> = result.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(
            expected.len(),
            ours.len(),
            "{name}: instruction count\n{expected:#?}\n{ours:#?}"
        );
        for (line, (keyword, arguments, exec)) in expected.iter().zip(&ours) {
            let want_keyword = line
                .trim_start_matches('(')
                .split([' ', ')'])
                .next()
                .unwrap();
            assert_eq!(want_keyword, keyword, "{name}: {line}");
            if !matches!(keyword.as_str(), "from" | "run" | "cmd" | "entrypoint") {
                continue;
            }
            let mut rest = line[1 + want_keyword.len()..].trim_start();
            if rest.starts_with('[') {
                // The dump's flag list, `["--doit"]`.
                rest = rest[rest.find(']').unwrap() + 1..].trim_start();
            }
            let mut words = Vec::new();
            while rest.starts_with('"') {
                let (word, after) = go_string(rest);
                words.push(word);
                rest = after.trim_start();
            }
            assert_eq!(rest, ")", "{name}: {line}");
            match exec {
                Some(exec) => assert_eq!(&words, exec, "{name}: {line}"),
                None => assert_eq!(words, vec![arguments.clone()], "{name}: {line}"),
            }
            compared += 1;
        }
        cases += 1;
    }
    assert!(
        cases >= 30,
        "only {cases} corpus cases found in {}",
        dir.display()
    );
    assert!(compared >= 100, "only {compared} commands compared");
}

#[test]
fn buildkit_corpus_negative_cases_are_rejected() {
    let dir = corpus_dir().join("testfiles-negative");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let case = entry.unwrap().path();
        let text = std::fs::read_to_string(case.join("Dockerfile")).unwrap();
        let err =
            Dockerfile::parse(&text, &BTreeMap::new()).expect_err(&case.display().to_string());
        assert!(
            err.line >= 1 && !err.message.is_empty(),
            "{}: {err:?}",
            case.display()
        );
        cases += 1;
    }
    assert_eq!(cases, 4);
}

// ---------------------------------------------------------------- robustness

fn bounded_parse(text: &str) {
    let start = Instant::now();
    if let Ok(df) = Dockerfile::parse(text, &BTreeMap::new()) {
        let _ = df.external_images();
        let _ = df.final_stage();
        for stage in &df.stages {
            assert!(stage.from.span.end <= text.len());
            assert!(
                text.is_char_boundary(stage.from.span.start)
                    && text.is_char_boundary(stage.from.span.end)
            );
        }
        for arg in &df.global_args {
            if let Some(span) = &arg.default_span {
                assert!(text.get(span.clone()).is_some());
            }
        }
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "parse took {:?}",
        start.elapsed()
    );
}

const SEED: &str = "# syntax=docker/dockerfile:1\n# escape=\\\nARG BASE=python:3.12-slim\nARG REG\nFROM ${REG:-}${REG:+/}${BASE} AS build\nRUN --mount=type=cache,target=/c \\\n  # comment\n  pip install -r req.txt\nCOPY <<EOF /x\nhello\nEOF\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=build /app /app\nCMD [\"app\"]\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn references_and_tags_never_panic(s in "[a-zA-Z0-9:/@._\\-\\[\\]]{0,80}|\\PC{0,40}") {
        if let Ok(r) = ImageRef::parse(&s) {
            // A parsed reference survives a round trip through its full form.
            prop_assert_eq!(ImageRef::parse(&r.to_string()).unwrap(), r.clone());
            let _ = drydock::docker::tag::Tag::parse(r.effective_tag());
        }
        let _ = drydock::docker::tag::Tag::parse(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        bounded_parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_dockerfiles_never_panic(
        edits in proptest::collection::vec((0usize..400, prop_oneof![
            Just("\\"), Just("`"), Just("$"), Just("${"), Just("}"), Just("\n"), Just("\r\n"), Just("\""),
            Just("'"), Just("<<EOF"), Just("#"), Just(" AS "), Just("FROM "), Just("@"), Just(":"), Just("\u{feff}"), Just("é"),
        ]), 0..12),
        cut in 0usize..400,
    ) {
        let mut text = SEED.to_string();
        for (at, insert) in edits {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) { at -= 1; }
            text.insert_str(at, insert);
        }
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) { cut -= 1; }
        bounded_parse(&text);
        bounded_parse(&text[..cut]);
    }
}

// ---------------------------------------------------------------- realistic files

#[test]
fn windows_dockerfile_with_backtick_escape() {
    let text = "# escape=`\r\nFROM mcr.microsoft.com/dotnet/framework/sdk:4.8-windowsservercore-ltsc2022 AS build\r\nWORKDIR C:\\src\r\nCOPY . .\r\nRUN msbuild /p:Configuration=Release `\r\n    /p:Platform=x64\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\r\nCOPY --from=build C:\\src\\bin C:\\app\r\nSHELL [\"powershell\", \"-Command\"]\r\n";
    let df = parse(text);
    assert_eq!(df.escape, '`');
    assert_eq!(
        bases(&df),
        vec![
            image("mcr.microsoft.com/dotnet/framework/sdk:4.8-windowsservercore-ltsc2022"),
            image("mcr.microsoft.com/windows/servercore:ltsc2022")
        ]
    );
    assert_eq!(
        df.stages[0].instructions[2].arguments,
        "msbuild /p:Configuration=Release     /p:Platform=x64"
    );
    assert_eq!(df.stages[1].line, 7);
    assert_eq!(df.external_images().len(), 2);
}

#[test]
fn cross_compiling_go_build() {
    let text = r#"# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.23
ARG DISTROLESS=static-debian12:nonroot

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download
COPY <<EOF /src/version.txt
FROM this-is-not-an-instruction
EOF
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app

FROM gcr.io/distroless/${DISTROLESS}
COPY --from=build /out/app /app
USER nonroot:nonroot
ENTRYPOINT ["/app"]
"#;
    let df = parse(text);
    assert_eq!(df.syntax.as_deref(), Some("docker/dockerfile:1.7"));
    assert_eq!(
        bases(&df),
        vec![
            image("golang:1.23-alpine"),
            image("gcr.io/distroless/static-debian12:nonroot")
        ]
    );
    assert_eq!(df.stages[0].name.as_deref(), Some("build"));
    assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(df.stages[0].line, 5);
    assert_eq!(df.stages[1].line, 16);
    assert_eq!(df.stages[1].from.args_used, vec!["DISTROLESS".to_string()]);
    let keywords: Vec<&str> = df.stages[0]
        .instructions
        .iter()
        .map(|i| i.keyword.as_str())
        .collect();
    assert_eq!(keywords, ["ARG", "WORKDIR", "RUN", "COPY", "RUN"]);
    assert_eq!(
        df.final_stage()
            .unwrap()
            .instructions
            .last()
            .unwrap()
            .arguments,
        "[\"/app\"]"
    );
    let distroless = &df.global_args[1];
    assert_eq!(
        &text[distroless.default_span.clone().unwrap()],
        "static-debian12:nonroot"
    );
}

#[test]
fn arg_spread_over_lines_keeps_its_value() {
    let df = parse("ARG BASE=alpine \\\n    TAG=3.20\nFROM ${BASE}:${TAG}\n");
    assert_eq!(bases(&df), vec![image("alpine:3.20")]);
    assert_eq!(df.global_args.len(), 2);
    assert!(df.global_args[0].default_span.is_some());
    assert_eq!(df.global_args[1].default.as_deref(), Some("3.20"));
}

#[test]
fn deep_substitution_nesting_is_unresolved_not_a_crash() {
    let text = format!(
        "ARG V\nFROM alpine:{}3.20{}\n",
        "${V:-".repeat(5000),
        "}".repeat(5000)
    );
    let df = parse(&text);
    assert!(unresolved_reason(&df.stages[0].from.base).contains("nested"));
}
