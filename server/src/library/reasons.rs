//! Why a file was not imported, in words for the family. The decoders'
//! own reason ("Hit end of file before finding size", "'unci'") is kept
//! beside it as the detail, for whoever looks after the server.

/// What a technical reason means for the family, and what to do.
#[must_use]
pub fn in_plain_words(reason: &str) -> String {
    let lower = reason.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| lower.contains(word));
    let words = if has(&["larger than any photo", "more than the limit of"]) {
        "It is larger than Hearth takes (the owner can raise the limit in the configuration)."
    } else if has(&[
        "end of file",
        "cut off",
        "premature end",
        "truncated",
        "unexpected eof",
        "short pixel buffer",
        "not enough data",
        "incomplete",
    ]) {
        "The file is incomplete: it ends before the picture does, as when a copy or download did not finish. Copy it again from where it came from."
    } else if has(&[
        "no pixels",
        "does not say its size",
        "invalid",
        "corrupt",
        "damaged",
        "could not be read",
        "checksum",
    ]) {
        "The file is damaged: the picture in it cannot be read. If there is another copy of it, try that one."
    } else if has(&[
        "cannot be shown yet",
        "unsupported",
        "not supported",
        "unknown",
        "no decoder",
        "unci",
        "tiff with",
    ]) {
        "Hearth cannot read this kind of file yet. It stays where it is; nothing was lost."
    } else if has(&["its first frame", "ffmpeg", "ffprobe", "video"]) {
        "The video could not be read: its first picture could not be made."
    } else {
        "Hearth could not read this file."
    };
    words.to_owned()
}
