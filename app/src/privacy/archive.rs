//! The ZIP a person downloads: a README, one JSON file per domain, then their files.

use super::Part;
use std::io::Write;
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

const README: &str = "Your data at Olivine\n\
\n\
Each .json file holds what one part of Olivine keeps about you: one entry per table, each \
row as its columns. Ids (long letters and digits) link rows across files; times are UTC.\n\
Left out: password and link hashes, the secret of your authenticator app, and the keys \
that protect your data.\n\
Files you gave us (certificate documents) are in files/.\n";

/// The ZIP of `parts` (`(name, part)`): `README.txt`, `<name>.json` each, then the files.
pub fn build(parts: &[(&'static str, Part)]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.start_file("README.txt", options)?;
    zip.write_all(README.as_bytes())?;
    for (name, part) in parts {
        let tables: serde_json::Map<String, serde_json::Value> = part
            .tables
            .iter()
            .map(|(table, rows)| ((*table).to_owned(), serde_json::Value::from(rows.clone())))
            .collect();
        zip.start_file(format!("{name}.json"), options)?;
        serde_json::to_writer_pretty(&mut zip, &tables)
            .map_err(|error| zip::result::ZipError::Io(error.into()))?;
    }
    for (_, part) in parts {
        for (path, bytes) in &part.files {
            zip.start_file(format!("files/{path}"), options)?;
            zip.write_all(bytes)?;
        }
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_zip_holds_the_readme_the_json_of_each_part_and_the_files() {
        let mut part = Part::default().table(
            "users",
            vec![serde_json::json!({ "email": "ann@olivine.test" })],
        );
        part.file(
            "certificates/food-hygiene.pdf".to_owned(),
            b"%PDF-1.4".to_vec(),
        );
        let bytes = build(&[("account", part)]).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = archive
            .file_names()
            .map(|name| name.unwrap().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "README.txt",
                "account.json",
                "files/certificates/food-hygiene.pdf"
            ]
        );
        let mut json = String::new();
        archive
            .by_name("account.json")
            .unwrap()
            .read_to_string(&mut json)
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["users"][0]["email"], "ann@olivine.test");
    }
}
