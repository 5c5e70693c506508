use thiserror::Error;

/// Everything that can go wrong with user-supplied energy data. Messages name the field and the
/// offending value so a planner can fix the file without reading code.
#[derive(Debug, Error)]
pub enum EnergyError {
    /// The JSON itself is malformed, a field is missing, or a value has the wrong type
    /// (serde_json reports line and column; NaN and Infinity are not JSON and land here too).
    /// `field` is where in the document it went wrong (`fleet[0].count`), when that is known.
    #[error("cannot read {what}: {}{source}", field_prefix(field.as_deref()))]
    Parse {
        what: &'static str,
        field: Option<String>,
        #[source]
        source: serde_json::Error,
    },
    /// The JSON is well formed but a value is outside what the model allows.
    #[error("{field} = {value}: {reason}")]
    Invalid {
        field: String,
        value: String,
        reason: String,
    },
}

impl EnergyError {
    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            field: field.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

fn field_prefix(field: Option<&str>) -> String {
    field.map(|f| format!("{f}: ")).unwrap_or_default()
}

/// Parses JSON, naming the field a wrong value is in: serde_json alone says "invalid value:
/// integer `-3`, expected u32 at line 7 column 60", which leaves the reader to count columns.
pub(crate) fn parse_json<'de, T: serde::Deserialize<'de>>(
    what: &'static str,
    bytes: &'de [u8],
) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        EnergyError::Parse {
            what,
            // "." is the document itself (empty input, a top-level array …): nothing to name.
            field: (path != ".").then_some(path),
            source: e.into_inner(),
        }
    })?;
    // Trailing text after the document is an error too, as in serde_json::from_slice.
    de.end().map_err(|source| EnergyError::Parse {
        what,
        field: None,
        source,
    })?;
    Ok(value)
}

pub type Result<T> = std::result::Result<T, EnergyError>;
