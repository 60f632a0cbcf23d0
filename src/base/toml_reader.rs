//! Reading TOML with positions, collecting every problem instead of stopping at the first.
//!
//! Both the checklist loader and the project configuration loader walk a spanned TOML
//! tree ([`toml::de::DeTable`]) with a [`TomlReader`], which turns type errors, missing
//! keys and unknown keys into [`Diagnostic`]s that point at the offending text.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::base::diagnostic::{Diagnostic, Diagnostics, SourceFile, did_you_mean};

/// A table in the spanned tree.
pub type Table<'i> = DeTable<'i>;
/// A value in the spanned tree, with its byte range.
pub type Value<'i> = Spanned<DeValue<'i>>;

/// Parses a whole document, or returns its syntax error as a diagnostic.
pub fn parse_document(source: &SourceFile) -> Result<Spanned<Table<'_>>, Diagnostics> {
    DeTable::parse(&source.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().to_string();
        Diagnostics(vec![Diagnostic::at(
            source,
            span,
            format!("invalid TOML: {message}"),
        )])
    })
}

/// The TOML name of a value's type, for messages.
pub fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The integer a TOML integer literal denotes, whatever its radix.
pub fn integer_value(value: &DeValue<'_>) -> Option<i64> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

/// Walks a spanned tree and records every problem it meets.
pub struct TomlReader<'s> {
    /// The file being read.
    pub source: &'s SourceFile,
    /// Problems found so far.
    pub diagnostics: Diagnostics,
}

impl<'s> TomlReader<'s> {
    /// A reader for one file.
    pub fn new(source: &'s SourceFile) -> Self {
        TomlReader {
            source,
            diagnostics: Diagnostics::default(),
        }
    }

    /// Records a problem at a byte range.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let d = Diagnostic::at(self.source, span, message);
        self.diagnostics.push(d);
    }

    /// Records a problem with a suggestion.
    pub fn error_with_help(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::at(self.source, span, message).with_help(help);
        self.diagnostics.push(d);
    }

    /// Records a problem about a value that may be secret: the snippet is masked.
    pub fn secret_error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::at(self.source, span, message)
            .masked()
            .with_help(help);
        self.diagnostics.push(d);
    }

    /// Reports every key of `table` that is not in `allowed`, suggesting the nearest one.
    pub fn reject_unknown_keys(&mut self, table: &Table<'_>, allowed: &[&str], context: &str) {
        for (key, _) in table.iter() {
            let name = key.get_ref().as_ref();
            if allowed.contains(&name) {
                continue;
            }
            let message = format!("unknown key `{name}` in {context}");
            match did_you_mean(name, allowed.iter().copied()) {
                Some(near) => {
                    self.error_with_help(key.span(), message, format!("did you mean `{near}`?"))
                }
                None => self.error_with_help(
                    key.span(),
                    message,
                    format!("expected one of: {}", allowed.join(", ")),
                ),
            }
        }
    }

    /// A string value; reports a missing required key at `table_span` and a wrong type at the value.
    pub fn string(
        &mut self,
        table: &Table<'_>,
        table_span: Range<usize>,
        key: &str,
        required: bool,
        context: &str,
    ) -> Option<String> {
        let Some(value) = table.get(key) else {
            if required {
                self.error(
                    table_span,
                    format!("missing required key `{key}` in {context}"),
                );
            }
            return None;
        };
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                let found = type_name(other);
                self.error(
                    value.span(),
                    format!("`{key}` in {context} must be a string, found {found}"),
                );
                None
            }
        }
    }

    /// A list of strings; a single string is not accepted, to keep files uniform.
    pub fn string_list(
        &mut self,
        table: &Table<'_>,
        key: &str,
        context: &str,
    ) -> Option<Vec<String>> {
        let value = table.get(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            let found = type_name(value.get_ref());
            self.error(
                value.span(),
                format!("`{key}` in {context} must be an array of strings, found {found}"),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(s.to_string()),
                other => {
                    let found = type_name(other);
                    self.error(
                        item.span(),
                        format!("`{key}` in {context} must contain only strings, found {found}"),
                    );
                }
            }
        }
        Some(out)
    }

    /// The tables of an array of tables (`[[header]]`), each with the span of its header;
    /// reports a value that is not an array and entries that are not tables.
    pub fn array_of_tables<'t, 'i>(
        &mut self,
        value: &'t Value<'i>,
        key: &str,
        header: &str,
        context: &str,
    ) -> Option<Vec<(&'t Table<'i>, Range<usize>)>> {
        let DeValue::Array(entries) = value.get_ref() else {
            let found = type_name(value.get_ref());
            self.error(
                value.span(),
                format!(
                    "`{key}` in {context} must be an array of tables (`[[{header}]]`), found {found}"
                ),
            );
            return None;
        };
        let mut tables = Vec::with_capacity(entries.len());
        for entry in entries.iter() {
            match entry.get_ref() {
                DeValue::Table(table) => {
                    tables.push((table, header_span(self.source, entry.span())))
                }
                other => {
                    let found = type_name(other);
                    self.error(
                        entry.span(),
                        format!("each `{key}` in {context} must be a table, found {found}"),
                    );
                }
            }
        }
        Some(tables)
    }

    /// Finishes reading: the problems, ordered as they appear in the file.
    pub fn finish(mut self) -> Diagnostics {
        self.diagnostics.sort();
        self.diagnostics
    }
}

/// The byte range to point at for a table: its header line when it has one.
pub fn header_span(source: &SourceFile, table_span: Range<usize>) -> Range<usize> {
    let text = &source.text;
    let start = table_span.start.min(text.len());
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    start..end
}
