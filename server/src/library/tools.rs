//! `ffprobe` and `ffmpeg`, when the system has them: facts about videos the
//! container parser cannot read (Matroska, AVI) and a poster frame. Without
//! them videos still import with what their container says.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use hearth_media::video::VideoInfo;
use serde::Deserialize;
use tokio::io::AsyncReadExt as _;
use tokio::process::Command;

/// A probe or a poster taking longer than this is abandoned.
const TIME_LIMIT: Duration = Duration::from_mins(1);
/// A poster frame larger than this is not a poster frame.
const MAX_POSTER: u64 = 64 * 1024 * 1024;

/// Whether `program` runs (`-version`), for the start-up log.
pub async fn available(program: &str) -> bool {
    if program.is_empty() {
        return false;
    }
    let run = Command::new(program)
        .arg("-version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .status();
    matches!(tokio::time::timeout(TIME_LIMIT, run).await, Ok(Ok(status)) if status.success())
}

/// Runs a program and returns its standard output (at most `limit` bytes),
/// or why there is none in a short sentence.
async fn output(program: &str, args: &[&std::ffi::OsStr], limit: u64) -> Result<Vec<u8>, String> {
    if program.is_empty() {
        return Err("no ffmpeg is configured".into());
    }
    let name = Path::new(program)
        .file_name()
        .map_or_else(|| program.to_owned(), |n| n.to_string_lossy().into_owned());
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| format!("{name} could not be run ({err})"))?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(format!("{name} could not be run"));
    };
    let work = async {
        let mut bytes = Vec::new();
        let mut complaint = Vec::new();
        let mut out = (&mut stdout).take(limit + 1);
        let mut err = (&mut stderr).take(4096);
        let (read, _) = tokio::join!(out.read_to_end(&mut bytes), err.read_to_end(&mut complaint));
        read.map_err(|err| format!("{name}'s output could not be read ({err})"))?;
        let status = child
            .wait()
            .await
            .map_err(|err| format!("{name} did not finish ({err})"))?;
        if bytes.len() as u64 > limit {
            return Err(format!("{name} gave more than {limit} bytes"));
        }
        if !status.success() || bytes.is_empty() {
            let said = String::from_utf8_lossy(&complaint);
            let said = said.lines().map(str::trim).find(|line| !line.is_empty());
            return Err(match said {
                Some(line) => {
                    crate::library::short_reason(&format!("{name} could not read it: {line}"))
                }
                None => format!("{name} could not read it"),
            });
        }
        Ok(bytes)
    };
    tokio::time::timeout(TIME_LIMIT, work)
        .await
        .unwrap_or_else(|_| Err(format!("{name} took longer than a minute")))
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<Stream>,
    format: Option<Format>,
}

#[derive(Deserialize)]
struct Stream {
    codec_type: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    #[serde(default)]
    tags: std::collections::HashMap<String, String>,
    #[serde(default)]
    side_data_list: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Format {
    duration: Option<String>,
    #[serde(default)]
    tags: std::collections::HashMap<String, String>,
}

/// What `ffprobe` says about a video.
pub async fn probe(ffprobe: &str, path: &Path) -> Option<VideoInfo> {
    let args = [
        "-v".as_ref(),
        "error".as_ref(),
        "-print_format".as_ref(),
        "json".as_ref(),
        "-show_format".as_ref(),
        "-show_streams".as_ref(),
        path.as_os_str(),
    ];
    let bytes = output(ffprobe, &args, 4 * 1024 * 1024).await.ok()?;
    let probe: Probe = serde_json::from_slice(&bytes).ok()?;
    let mut info = VideoInfo::default();
    if let Some(format) = &probe.format {
        info.duration_ms = format
            .duration
            .as_deref()
            .and_then(|d| d.parse::<f64>().ok())
            .filter(|d| d.is_finite() && *d >= 0.0)
            .map(|seconds| {
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "finite, non-negative and far below i64::MAX milliseconds"
                )]
                let millis = (seconds * 1000.0).round() as i64;
                millis
            });
        let created = format.tags.get("creation_time").map(|t| t.trim());
        info.created = created
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.to_utc())
            .filter(|t| t.timestamp() > 365 * 86_400);
        // AVI's IDIT: the camera's clock, no zone ("2005-06-07 08:09:10").
        info.created_local = created
            .filter(|_| info.created.is_none())
            .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok())
            .filter(|t| t.and_utc().timestamp() > 365 * 86_400);
        info.content_id = format
            .tags
            .get("com.apple.quicktime.content.identifier")
            .cloned();
    }
    if let Some(video) = probe
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video"))
    {
        let rotation = video
            .tags
            .get("rotate")
            .and_then(|r| r.parse::<i64>().ok())
            .or_else(|| {
                video
                    .side_data_list
                    .iter()
                    .find_map(|side| side.get("rotation")?.as_i64())
            })
            .unwrap_or(0);
        let (w, h) = (video.width, video.height);
        (info.width, info.height) = if rotation.rem_euclid(180) == 90 {
            (h, w)
        } else {
            (w, h)
        };
    }
    Some(info)
}

/// A JPEG of the video's first frame, turned upright, or why there is none.
pub async fn poster(ffmpeg: &str, path: &Path) -> Result<Vec<u8>, String> {
    let args = [
        "-v".as_ref(),
        "error".as_ref(),
        "-i".as_ref(),
        path.as_os_str(),
        "-frames:v".as_ref(),
        "1".as_ref(),
        "-f".as_ref(),
        "image2pipe".as_ref(),
        "-c:v".as_ref(),
        "mjpeg".as_ref(),
        "-q:v".as_ref(),
        "3".as_ref(),
        "pipe:1".as_ref(),
    ];
    output(ffmpeg, &args, MAX_POSTER).await
}
