//! `/pkg/…`: the site's built assets (the WASM, its JavaScript glue, the stylesheet), served
//! from memory by their own route — never through the Leptos fallback.
//!
//! cargo-leptos names them by content hash (`hash-files`), so a name's bytes never change and
//! they are cached for a year (`immutable`); a name without a hash is revalidated every time.
//! Each file is compressed once at start (brotli and gzip) and sent in the best encoding the
//! browser accepts; its ETag answers `If-None-Match` with a 304.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

struct Asset {
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    etag: HeaderValue,
    content_type: &'static str,
    hashed: bool,
}

/// Every file under the site's `pkg` folder, by name.
#[derive(Clone, Default)]
pub struct Assets(Arc<HashMap<String, Asset>>);

/// The hash file cargo-leptos writes next to the server binary when it names files by hash.
pub fn hash_file_exists() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .is_some_and(|path| path.exists())
}

impl Assets {
    /// Read and compress the folder's files (a missing folder is an empty set: tests and
    /// command-line runs have no site).
    pub fn load(dir: &std::path::Path) -> std::io::Result<Self> {
        let mut files = HashMap::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Assets::default());
            }
            Err(error) => return Err(error),
        };
        for entry in entries {
            let path = entry?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            if !path.is_file() || name.ends_with(".br") || name.ends_with(".gz") {
                continue;
            }
            let identity = std::fs::read(&path)?;
            files.insert(name.clone(), Asset::new(&name, identity)?);
        }
        Ok(Assets(Arc::new(files)))
    }
}

impl Asset {
    fn new(name: &str, identity: Vec<u8>) -> std::io::Result<Self> {
        use sha2::{Digest, Sha256};
        let content_type = content_type(name);
        let compressible = content_type != "application/octet-stream";
        let (brotli, gzip) = if compressible {
            (
                Some(Bytes::from(brotli(&identity)?)),
                Some(Bytes::from(gzip(&identity)?)),
            )
        } else {
            (None, None)
        };
        let digest: String = Sha256::digest(&identity)[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let etag = HeaderValue::from_str(&format!("\"{digest}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"-\""));
        Ok(Asset {
            identity: Bytes::from(identity),
            brotli,
            gzip,
            etag,
            content_type,
            hashed: is_hashed(name),
        })
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// `olivine.1a2b3c….wasm`: a name with a content hash between its stem and extension.
fn is_hashed(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[parts.len() - 2].len() >= 8
        && parts[parts.len() - 2]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn brotli(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    // Quality 9: most of brotli's gain at a fraction of 11's time, once per start; an
    // unoptimised development build's large WASM gets a quicker 5.
    let quality = if bytes.len() > 4 * 1024 * 1024 { 5 } else { 9 };
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
        writer.write_all(bytes)?;
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// What the browser accepts, best first: brotli, gzip, or neither.
fn accepts(headers: &HeaderMap, encoding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut pieces = part.split(';');
            let name = pieces.next().unwrap_or_default().trim();
            let refused = pieces.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(encoding) && !refused
        })
}

pub async fn serve(
    State(assets): State<Assets>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = assets.0.get(&name) else {
        return (StatusCode::NOT_FOUND, "No such file.").into_response();
    };
    let cache = if asset.hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = Response::builder()
        .header(header::CACHE_CONTROL, cache)
        .header(header::ETAG, asset.etag.clone())
        .header(header::VARY, "accept-encoding")
        .header(header::CONTENT_TYPE, asset.content_type);
    let revalidated = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == asset.etag.to_str().unwrap_or_default()
        });
    if revalidated {
        return response
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    let body = match (&asset.brotli, &asset.gzip) {
        (Some(br), _) if accepts(&headers, "br") => {
            response = response.header(header::CONTENT_ENCODING, "br");
            br.clone()
        }
        (_, Some(gz)) if accepts(&headers, "gzip") => {
            response = response.header(header::CONTENT_ENCODING, "gzip");
            gz.clone()
        }
        _ => asset.identity.clone(),
    };
    response
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_apart() {
        assert!(is_hashed("olivine.Fx3kT9qLm2.wasm"));
        assert!(is_hashed("olivine.a1b2c3d4e5f6.css"));
        assert!(!is_hashed("olivine.wasm"));
        assert!(!is_hashed("olivine_bg.wasm"));
    }

    #[test]
    fn encodings_follow_accept_encoding() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br;q=0"),
        );
        assert!(accepts(&headers, "gzip"));
        assert!(!accepts(&headers, "br"));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        assert!(accepts(&headers, "br"));
    }
}
