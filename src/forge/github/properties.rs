//! The organisation's custom property values (`GET /orgs/{org}/properties/values`), REST only:
//! GraphQL has no custom-properties fields.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::client::{Call, GitHub};
use crate::forge::PropertyValues;
use crate::forge::error::{ForgeError, Operation};

#[derive(Deserialize)]
struct WireValues {
    repository_full_name: String,
    #[serde(default)]
    properties: Vec<WireProperty>,
}

#[derive(Deserialize)]
struct WireProperty {
    property_name: String,
    /// A string, a list of strings (multi-select) or null.
    value: serde_json::Value,
}

pub(super) async fn values(gh: &GitHub, org: &str) -> Result<PropertyValues, ForgeError> {
    let call = Call::get(
        gh.api(&format!("/orgs/{org}/properties/values?per_page=100")),
        Operation::CustomProperties,
        org,
        org,
    );
    let rows = gh.get_pages::<WireValues>(&call).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let props: BTreeMap<String, String> = row
                .properties
                .into_iter()
                .filter_map(|p| {
                    let value = match p.value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Array(items) => items
                            .iter()
                            .filter_map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(","),
                        serde_json::Value::Null => return None,
                        other => other.to_string(),
                    };
                    Some((p.property_name, value))
                })
                .collect();
            (row.repository_full_name, props)
        })
        .collect())
}
