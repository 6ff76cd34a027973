//! Directory patterns as Dependabot reads them: `directory` is a plain path, `directories`
//! entries may be globs (`*`, `**`, `?`, `[...]`) expanded like Ruby's `Dir.glob` with dot-files
//! matched. Two questions matter: does a pattern cover a directory, and can two patterns match
//! the same directory (GitHub's "overlapping directories").

/// Dependabot's form of a directory: leading `/`, no trailing `/`, no `.` segments.
pub fn normalise(dir: &str) -> String {
    let segments: Vec<&str> = dir
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    format!("/{}", segments.join("/"))
}

pub fn has_glob(dir: &str) -> bool {
    dir.contains(['*', '?', '[', '{'])
}

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    /// `**`: any number of directories, including none.
    AnyDepth,
    Glob(Vec<Tok>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(char),
    /// `?`
    One,
    /// `*`
    Star,
    /// `[...]`: the listed characters and ranges, or all others when negated.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

fn segments(pattern: &str) -> Vec<Seg> {
    normalise(pattern)
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s == "**" {
                Seg::AnyDepth
            } else {
                Seg::Glob(tokens(s))
            }
        })
        .collect()
}

fn tokens(segment: &str) -> Vec<Tok> {
    let chars: Vec<char> = segment.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                if out.last() != Some(&Tok::Star) {
                    out.push(Tok::Star);
                }
            }
            '?' => out.push(Tok::One),
            '[' => {
                if let Some(close) = chars[i + 1..]
                    .iter()
                    .position(|c| *c == ']')
                    .map(|p| p + i + 1)
                {
                    let mut body = &chars[i + 1..close];
                    let negated = matches!(body.first(), Some('!' | '^'));
                    if negated {
                        body = &body[1..];
                    }
                    let mut ranges = Vec::new();
                    let mut j = 0;
                    while j < body.len() {
                        if j + 2 < body.len() && body[j + 1] == '-' {
                            ranges.push((body[j], body[j + 2]));
                            j += 3;
                        } else {
                            ranges.push((body[j], body[j]));
                            j += 1;
                        }
                    }
                    out.push(Tok::Class { negated, ranges });
                    i = close;
                } else {
                    out.push(Tok::Lit('['));
                }
            }
            '\\' if i + 1 < chars.len() => {
                i += 1;
                out.push(Tok::Lit(chars[i]));
            }
            c => out.push(Tok::Lit(c)),
        }
        i += 1;
    }
    out
}

/// Whether `pattern` (a `directory` or a `directories` entry) covers the directory `dir`.
pub fn covers(pattern: &str, dir: &str) -> bool {
    let literal: Vec<Seg> = normalise(dir)
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| Seg::Glob(s.chars().map(Tok::Lit).collect()))
        .collect();
    intersects(&segments(pattern), &literal)
}

/// Whether some directory is matched by both patterns.
pub fn overlap(a: &str, b: &str) -> bool {
    intersects(&segments(a), &segments(b))
}

/// Intersection of two segment sequences, by search over pairs of positions: a `**` on either
/// side may match nothing (skip it) or swallow one segment of the other side (stay).
fn intersects(a: &[Seg], b: &[Seg]) -> bool {
    let mut seen = vec![vec![false; b.len() + 1]; a.len() + 1];
    let mut todo = vec![(0usize, 0usize)];
    while let Some((i, j)) = todo.pop() {
        if std::mem::replace(&mut seen[i][j], true) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        let next = |todo: &mut Vec<(usize, usize)>, i, j| todo.push((i, j));
        if a.get(i) == Some(&Seg::AnyDepth) {
            next(&mut todo, i + 1, j);
            if j < b.len() {
                next(&mut todo, i, j + 1);
            }
        }
        if b.get(j) == Some(&Seg::AnyDepth) {
            next(&mut todo, i, j + 1);
            if i < a.len() {
                next(&mut todo, i + 1, j);
            }
        }
        if let (Some(Seg::Glob(x)), Some(Seg::Glob(y))) = (a.get(i), b.get(j))
            && segment_intersects(x, y)
        {
            next(&mut todo, i + 1, j + 1);
        }
    }
    false
}

/// Whether some non-empty segment name matches both segment globs.
fn segment_intersects(a: &[Tok], b: &[Tok]) -> bool {
    let mut seen = vec![vec![false; b.len() + 1]; a.len() + 1];
    let mut todo = vec![(0usize, 0usize)];
    while let Some((i, j)) = todo.pop() {
        if std::mem::replace(&mut seen[i][j], true) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        match (a.get(i), b.get(j)) {
            (Some(Tok::Star), _) | (_, Some(Tok::Star)) => {
                let a_star = a.get(i) == Some(&Tok::Star);
                let b_star = b.get(j) == Some(&Tok::Star);
                if a_star {
                    todo.push((i + 1, j));
                }
                if b_star {
                    todo.push((i, j + 1));
                }
                // A star eats the character the other side's token matches.
                if a_star && j < b.len() && !b_star {
                    todo.push((i, j + 1));
                }
                if b_star && i < a.len() && !a_star {
                    todo.push((i + 1, j));
                }
            }
            (Some(x), Some(y)) if tokens_share_a_char(x, y) => todo.push((i + 1, j + 1)),
            _ => {}
        }
    }
    false
}

fn tokens_share_a_char(x: &Tok, y: &Tok) -> bool {
    match (x, y) {
        (Tok::Lit(c), other) | (other, Tok::Lit(c)) => token_matches(other, *c),
        (Tok::One, _) | (_, Tok::One) => true,
        (
            Tok::Class {
                negated: false,
                ranges: r1,
            },
            Tok::Class {
                negated: false,
                ranges: r2,
            },
        ) => r1
            .iter()
            .any(|(lo1, hi1)| r2.iter().any(|(lo2, hi2)| lo1 <= hi2 && lo2 <= hi1)),
        // A negated class excludes finitely many characters, so it meets any other class
        // except in contrived cases; treat it as overlapping.
        _ => true,
    }
}

fn token_matches(tok: &Tok, c: char) -> bool {
    match tok {
        Tok::Lit(l) => *l == c,
        Tok::One | Tok::Star => true,
        Tok::Class { negated, ranges } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_dependabot() {
        assert_eq!(normalise("/"), "/");
        assert_eq!(normalise(""), "/");
        assert_eq!(normalise("apps/web/"), "/apps/web");
        assert_eq!(normalise("./apps//web"), "/apps/web");
    }

    #[test]
    fn overlap_is_glob_aware() {
        assert!(overlap("/", "/**"));
        assert!(overlap("/apps/*", "/apps/web"));
        assert!(overlap("/apps/web/", "/apps/web"));
        assert!(overlap("/**/*", "/apps/web"));
        assert!(overlap("/apps/w*", "/apps/*b"));
        assert!(overlap("/svc-[a-c]", "/svc-b"));
        assert!(!overlap("/svc-[a-c]", "/svc-d"));
        assert!(!overlap("/apps/*", "/apps"));
        assert!(!overlap("/apps/*", "/apps/web/api"));
        assert!(!overlap("/apps/web", "/apps/api"));
        assert!(!overlap("/", "/apps"));
        assert!(!overlap("/**/*", "/"));
        assert!(!overlap("/apps/a*", "/apps/b*"));
        assert!(overlap("/**/docker", "/services/**"));
    }

    #[test]
    fn covers_matches_directories() {
        assert!(covers("/", "/"));
        assert!(covers("/**", "/"));
        assert!(covers("/**/*", "/a/b"));
        assert!(!covers("/**/*", "/"));
        assert!(covers("/services/*", "/services/api"));
        assert!(!covers("/services/*", "/services/api/v2"));
        assert!(covers("/.github/*", "/.github/actions"));
    }
}
