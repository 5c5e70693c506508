use clap::ValueEnum;

/// Every reporting command takes `--format`; table is for people, csv and json for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
}
