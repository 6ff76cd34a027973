//! Markdown escaping for pull-request bodies: anything read from a repository (paths,
//! directories, image references, finding messages) must render as the text it is, never as
//! Markdown, HTML, a mention that pings someone or a cross-reference that links another issue.
//! Code spans are [`crate::text::markdown_code`]; this module adds plain text and fenced blocks.

use crate::text::escape_terminal;

/// A zero-width space, as an entity: breaks `@name` and `#123` so GitHub neither mentions nor
/// links, while the text reads the same (Renovate does the same).
const BREAK: &str = "&#8203;";

/// `value` as inline Markdown text: control characters shown as by
/// [`crate::text::escape_terminal`] (so a newline cannot start a heading or a list), the ASCII
/// characters that mean something inline on GitHub backslash-escaped (emphasis, code, links and
/// images, HTML and comments, table cells, strikethrough, entities, `$` math), and `@`/`#` broken
/// so they neither mention nor link. Block syntax (`-`, `+`, `1.` at a line start) needs no
/// escape: the value is always written after other text on its line.
pub fn text(value: &str) -> String {
    let shown = escape_terminal(value);
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        match c {
            '@' | '#' => {
                out.push(c);
                out.push_str(BREAK);
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '!' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `value` as a code span outside a table: as [`crate::text::markdown_code`], but a `|` stays as
/// it is (outside a table GitHub would show the backslash of `\|`).
pub fn code(value: &str) -> String {
    if !value.contains('|') {
        return crate::text::markdown_code(value);
    }
    let shown = escape_terminal(value);
    let mut longest = 0;
    let mut run = 0;
    for c in shown.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if shown.starts_with('`') || shown.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{shown}{pad}{fence}")
}

/// `body` as a fenced code block tagged `info`: the fence is longer than any run of backticks in
/// the body (at least three), so no line of it can close the block early.
pub fn fenced(info: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{info}\n{body}{newline}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_cannot_become_markdown() {
        assert_eq!(text("apps/web"), "apps/web");
        assert_eq!(text("a*b_c"), "a\\*b\\_c");
        assert_eq!(text("<!-- x -->"), "\\<\\!-- x --\\>");
        assert_eq!(text("![x](http://e)"), "\\!\\[x\\](http://e)");
        assert_eq!(text("$x$ ~~y~~"), "\\$x\\$ \\~\\~y\\~\\~");
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("line\n# heading"), "line\\\\n#&#8203; heading");
        assert_eq!(text("@org/team #12"), "@&#8203;org/team #&#8203;12");
        assert_eq!(text("&amp;"), "\\&amp;");
    }

    #[test]
    fn a_code_span_outside_a_table_keeps_its_pipes() {
        assert_eq!(code("a|b"), "`a|b`");
        assert_eq!(code("`a|b"), "`` `a|b ``");
        assert_eq!(code("plain"), crate::text::markdown_code("plain"));
    }

    #[test]
    fn a_fence_outlasts_the_backticks_inside() {
        assert_eq!(fenced("diff", "+a\n"), "```diff\n+a\n```");
        assert_eq!(fenced("", "x ````` y"), "``````\nx ````` y\n``````");
    }
}
