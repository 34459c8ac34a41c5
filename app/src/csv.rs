//! CSV files people open in a spreadsheet (RFC 4180, lines ending CRLF).

/// One row: each field quoted where it must be and guarded against formulas.
pub fn row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// One CSV field: quoted when it holds a separator, a quote or a line break, and guarded
/// against spreadsheet formulas (a text starting with `=`, `+`, `-` or `@` gets a `'`).
pub fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err()
    {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("Night shift"), "Night shift");
        assert_eq!(field("Packing, Ghent"), "\"Packing, Ghent\"");
        assert_eq!(field("The \"big\" one"), "\"The \"\"big\"\" one\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-12.50"), "-12.50");
        assert_eq!(field("@cmd"), "'@cmd");
        assert_eq!(row(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }
}
