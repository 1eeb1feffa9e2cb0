//! Prepares the web app for embedding: every file under `web/` is
//! compressed once here (Brotli at its best setting and gzip), so serving
//! it costs no compression work, and `src/web.rs` gets a table of them.
//!
//! The app's version is a hash of all its files. The pages (`*.html`) name
//! their scripts and stylesheets under `/v/<version>/`, which the server
//! marks immutable: a repeat visit asks for the page and nothing else, and
//! a new version changes every address at once. Modules import each other
//! by relative paths, so they stay under that prefix by themselves.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let web = manifest.join("../web");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=../web");

    let mut names = Vec::new();
    walk(&web, &web, &mut names);
    let mut files: Vec<(String, Vec<u8>)> = names
        .into_iter()
        .map(|name| {
            let bytes =
                std::fs::read(web.join(&name)).unwrap_or_else(|e| panic!("web/{name}: {e}"));
            (name, bytes)
        })
        .collect();
    files.sort();

    let mut hasher = blake3::Hasher::new();
    for (name, bytes) in &files {
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    let version = hasher.finalize().to_hex()[..12].to_owned();

    let pages: Vec<String> = files
        .iter()
        .map(|(name, _)| name.clone())
        .filter(|name| {
            Path::new(name)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("html"))
        })
        .collect();
    for page in pages {
        prepare_page(&mut files, &page, &version);
    }
    files.sort();

    let mut table = String::new();
    let _ = writeln!(table, "const VERSION: &str = {version:?};");
    let _ = writeln!(table, "static FILES: &[WebFile] = &[");
    for (name, bytes) in &files {
        let mime = mime(name);
        let etag = blake3::hash(bytes).to_hex()[..32].to_owned();
        let stem = out.join("web").join(name);
        let raw = write(&stem, "", bytes);
        let (br, gz) = if compressible(mime) {
            let br = brotli(bytes);
            let gz = gzip(bytes);
            (
                (br.len() < bytes.len()).then(|| write(&stem, ".br", &br)),
                (gz.len() < bytes.len()).then(|| write(&stem, ".gz", &gz)),
            )
        } else {
            (None, None)
        };
        let include = |path: Option<String>| {
            path.map_or_else(
                || "None".to_owned(),
                |p| format!("Some(include_bytes!({p:?}))"),
            )
        };
        let _ = writeln!(
            table,
            "    WebFile {{ path: {name:?}, mime: {mime:?}, etag: \"\\\"{etag}\\\"\", raw: include_bytes!({raw:?}), br: {}, gz: {} }},",
            include(br),
            include(gz),
        );
    }
    let _ = writeln!(table, "];");
    std::fs::write(out.join("web_files.rs"), table).unwrap_or_else(|e| panic!("web_files.rs: {e}"));
}

/// Every file below `dir`, as a path relative to `root` with `/`.
fn walk(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let parts: Vec<_> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push(parts.join("/"));
        }
    }
}

/// Readies a page for a phone's first visit: its stylesheets become one
/// (`styles/page-<name>.css`, in their order), its module script's static
/// imports are preloaded at once (`modulepreload`, so the browser need not
/// discover them level by level), and its own files are named under
/// `/v/<version>/`.
fn prepare_page(files: &mut Vec<(String, Vec<u8>)>, page: &str, version: &str) {
    let text = String::from_utf8_lossy(&content(files, page)).into_owned();
    let stem = page.trim_end_matches(".html");
    let bundle = format!("styles/page-{stem}.css");
    assert!(
        !files.iter().any(|(name, _)| *name == bundle),
        "web/{bundle} is a name the build makes"
    );
    let mut css = Vec::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        if let Some(href) = attribute(line, "<link rel=\"stylesheet\" href=\"/") {
            css.extend_from_slice(format!("/* {href} */\n").as_bytes());
            css.extend_from_slice(&content(files, href));
            if css.last() != Some(&b'\n') {
                css.push(b'\n');
            }
            if !lines.iter().any(|l: &String| l.contains(&bundle)) {
                lines.push(format!("  <link rel=\"stylesheet\" href=\"/{bundle}\">"));
            }
        } else if let Some(src) = attribute(line, "<script type=\"module\" src=\"/") {
            let mut modules = Vec::new();
            imports(files, src, &mut modules);
            for module in modules.iter().filter(|m| *m != src) {
                lines.push(format!("  <link rel=\"modulepreload\" href=\"/{module}\">"));
            }
            lines.push(line.to_owned());
        } else {
            lines.push(line.to_owned());
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    if !css.is_empty() {
        files.push((bundle, css));
    }
    let names: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    let versioned = versioned(&text, &names, version);
    if let Some(entry) = files.iter_mut().find(|(name, _)| name == page) {
        entry.1 = versioned.into_bytes();
    }
}

fn content(files: &[(String, Vec<u8>)], name: &str) -> Vec<u8> {
    files.iter().find(|(n, _)| n == name).map_or_else(
        || panic!("web/{name} is referenced but missing"),
        |(_, bytes)| bytes.clone(),
    )
}

/// The value after `prefix` up to its closing quote, when `line` has it.
fn attribute<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = &line[line.find(prefix)? + prefix.len()..];
    rest.find('"').map(|end| &rest[..end])
}

/// `module` and every module it imports statically (`import ... from
/// './x.js'` at the start of a line), each once, in first-seen order.
fn imports(files: &[(String, Vec<u8>)], module: &str, seen: &mut Vec<String>) {
    if seen.iter().any(|m| m == module) {
        return;
    }
    seen.push(module.to_owned());
    let text = String::from_utf8_lossy(&content(files, module)).into_owned();
    let dir: Vec<&str> = module.split('/').collect();
    let dir = &dir[..dir.len() - 1];
    for line in text.lines().filter(|l| l.starts_with("import ")) {
        let Some(spec) = line.rsplit(['\'', '"']).nth(1) else {
            continue;
        };
        let mut parts: Vec<&str> = dir.to_vec();
        for part in spec.split('/') {
            match part {
                "." => {}
                ".." => {
                    parts.pop();
                }
                other => parts.push(other),
            }
        }
        imports(files, &parts.join("/"), seen);
    }
}

/// A page with `href="/x"` and `src="/x"` for our own files turned into
/// `/v/<version>/x`.
fn versioned(text: &str, files: &[String], version: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1024);
    let mut rest = text;
    while let Some(at) = rest.find("=\"/") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let end = after.find('"').unwrap_or(after.len());
        let target = &after[..end];
        let attribute = before[..at]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or_default();
        if (attribute == "href" || attribute == "src") && files.iter().any(|f| f == target) {
            let _ = write!(out, "v/{version}/");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn mime(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "png" => "image/png",
        "woff2" => "font/woff2",
        other => panic!("web/{name}: no media type known for .{other}; add it to build.rs"),
    }
}

fn compressible(mime: &str) -> bool {
    mime.starts_with("text/") || mime.contains("json") || mime.contains("svg")
}

/// Writes `bytes` next to `stem` with `suffix`; returns the path.
fn write(stem: &Path, suffix: &str, bytes: &[u8]) -> String {
    let mut path = stem.as_os_str().to_owned();
    path.push(suffix);
    let path = PathBuf::from(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path.to_string_lossy().into_owned()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)
        .unwrap_or_else(|e| panic!("brotli: {e}"));
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .unwrap_or_else(|e| panic!("gzip: {e}"))
}
