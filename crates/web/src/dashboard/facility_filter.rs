//! The facilities list's search: words in the name, place or id, and the current operating
//! status. Applied to the same table the page and its exports draw, after the public view's
//! blur, so a search can never match a hidden coordinate.

use serde::Deserialize;

use crate::tables::Table;

#[derive(Debug, Default, Clone, Deserialize)]
pub struct FacilityFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
}

/// Columns a search looks in (never the coordinates).
const SEARCHED: &[&str] = &["id", "name", "country", "region", "city"];

impl FacilityFilter {
    /// Keeps the rows where every word of `q` appears (any case) in a searched column and
    /// whose status is `status` (`none`: no status recorded); empty parts match everything.
    pub fn apply(&self, mut table: Table) -> Table {
        let words: Vec<String> = self.q.split_whitespace().map(str::to_lowercase).collect();
        let columns: Vec<usize> = table
            .headers
            .iter()
            .enumerate()
            .filter(|(_, h)| SEARCHED.contains(h))
            .map(|(i, _)| i)
            .collect();
        let status_col = table.headers.iter().position(|h| *h == "status");
        let status = self.status.trim();
        table.rows.retain(|row| {
            let text: String = columns
                .iter()
                .filter_map(|i| row.get(*i))
                .map(|c| c.to_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            let words_ok = words.iter().all(|w| text.contains(w.as_str()));
            let status_ok = match (status, status_col.and_then(|i| row.get(i))) {
                ("", _) => true,
                ("none", cell) => cell.is_none_or(String::is_empty),
                (s, Some(cell)) => cell == s,
                (_, None) => false,
            };
            words_ok && status_ok
        });
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            name: "facilities".into(),
            headers: vec!["id", "name", "country", "city", "status", "lat"],
            rows: vec![
                vec![
                    "fac-a".into(),
                    "Semey City Hospital".into(),
                    "KZ".into(),
                    "Semey".into(),
                    "operational".into(),
                    "50.41".into(),
                ],
                vec![
                    "fac-b".into(),
                    "Kharkiv Clinic".into(),
                    "UA".into(),
                    "Kharkiv".into(),
                    "damaged".into(),
                    "49.99".into(),
                ],
                vec![
                    "fac-c".into(),
                    "Blood centre".into(),
                    "KZ".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            ],
        }
    }

    fn ids(t: &Table) -> Vec<&str> {
        t.rows.iter().map(|r| r[0].as_str()).collect()
    }

    #[test]
    fn words_match_in_any_case_and_all_must_match() {
        let f = FacilityFilter {
            q: "semey HOSPITAL".into(),
            status: String::new(),
        };
        assert_eq!(ids(&f.apply(table())), ["fac-a"]);
    }

    #[test]
    fn coordinates_are_not_searched() {
        let f = FacilityFilter {
            q: "49.99".into(),
            status: String::new(),
        };
        assert!(f.apply(table()).rows.is_empty());
    }

    #[test]
    fn status_filters_and_none_means_unrecorded() {
        let f = FacilityFilter {
            q: String::new(),
            status: "damaged".into(),
        };
        assert_eq!(ids(&f.apply(table())), ["fac-b"]);
        let f = FacilityFilter {
            q: String::new(),
            status: "none".into(),
        };
        assert_eq!(ids(&f.apply(table())), ["fac-c"]);
    }

    #[test]
    fn an_empty_filter_keeps_everything() {
        assert_eq!(FacilityFilter::default().apply(table()).rows.len(), 3);
    }
}
