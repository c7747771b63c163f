//! Report formats, each with its name on the command line and its line of help: the command
//! line offers every format listed here, and the report writes it.

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Aligned columns and a summary line, for people.
    Table,
    /// One JSON object, for other programs.
    Json,
    /// Comma-separated values with the table's columns, for spreadsheets.
    Csv,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub(crate) const ALL: [Format; 3] = [Format::Table, Format::Json, Format::Csv];

    /// Its name on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// Its line in `--help`.
    pub(crate) fn help(self) -> &'static str {
        match self {
            Format::Table => "Aligned columns and a summary",
            Format::Json => "One JSON object",
            Format::Csv => "Comma-separated values, one row per session",
        }
    }

    /// The format of that name.
    pub(crate) fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_found_by_its_name() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("xml"), None);
    }
}
