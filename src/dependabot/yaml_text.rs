//! Writing YAML text that cannot change meaning: every string is a double-quoted scalar with
//! JSON escaping (a JSON string is a valid YAML double-quoted scalar), so `yes`, `on`, `14:30`
//! or `area: ui #1` stay strings for every YAML reader, 1.1 or 1.2.

use serde_json::Value;

/// A string as a YAML double-quoted scalar.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serializes")
}

/// A scalar value on one line; collections in flow style (only used for empty ones).
pub fn inline(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        other => serde_json::to_string(other).expect("json serializes"),
    }
}

/// A value in block style, each line starting with `indent` spaces, without a final newline.
/// Null members of mappings are left out.
pub fn block(v: &Value, indent: usize) -> String {
    let mut lines = Vec::new();
    write_block(v, indent, &mut lines);
    lines.join("\n")
}

fn write_block(v: &Value, indent: usize, out: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter().filter(|(_, v)| !v.is_null()) {
                let key = plain_key(k);
                if is_nested(val) {
                    out.push(format!("{pad}{key}:"));
                    write_block(val, indent + 2, out);
                } else {
                    out.push(format!("{pad}{key}: {}", inline(val)));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_nested(item) {
                    let mut inner = Vec::new();
                    write_block(item, indent + 2, &mut inner);
                    if let Some(first) = inner.first_mut() {
                        first.replace_range(..indent + 2, &format!("{pad}- "));
                    }
                    if matches!(item, Value::Array(_)) {
                        // A nested sequence cannot start on the dash line in every reader.
                        out.push(format!("{pad}-"));
                        let mut again = Vec::new();
                        write_block(item, indent + 2, &mut again);
                        out.extend(again);
                    } else {
                        out.extend(inner);
                    }
                } else {
                    out.push(format!("{pad}- {}", inline(item)));
                }
            }
        }
        scalar => out.push(format!("{pad}{}", inline(scalar))),
    }
}

fn is_nested(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => o.values().any(|v| !v.is_null()),
        _ => false,
    }
}

/// Keys are written plain when that is unambiguous (dependabot.yml keys and group or registry
/// names usually are), quoted otherwise.
pub fn plain_key(k: &str) -> String {
    let safe = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '|'))
        && k.starts_with(|c: char| c.is_ascii_alphabetic())
        && !matches!(
            k.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if safe { k.to_string() } else { quote(k) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ambiguous_strings_stay_strings() {
        for s in [
            "yes",
            "on",
            "14:30",
            "area: ui #1",
            "012",
            "~",
            "- x",
            "${{ secrets.X }}",
            "\"q\"\n",
        ] {
            let text = format!("k: {}\n", quote(s));
            let back: std::collections::BTreeMap<String, String> =
                serde_saphyr::from_str(&text).unwrap();
            assert_eq!(back["k"], s);
        }
    }

    #[test]
    fn block_nests_maps_and_lists() {
        let v = json!({"a": {"b": ["x", "y"]}, "c": [{"d": 1, "e": true}], "z": null, "f": []});
        assert_eq!(
            block(&v, 2),
            "  a:\n    b:\n      - \"x\"\n      - \"y\"\n  c:\n    - d: 1\n      e: true\n  f: []"
        );
    }

    #[test]
    fn keys_that_yaml_1_1_reads_as_booleans_are_quoted() {
        assert_eq!(plain_key("on"), "\"on\"");
        assert_eq!(plain_key("npm-deps"), "npm-deps");
    }
}
