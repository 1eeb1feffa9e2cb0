//! TIFFs as scanners and old software write them, each made here: palette
//! colour, 1-, 2- and 4-bit grey, signed 16-bit samples, `BigTIFF`, tiled
//! planes, old-style JPEG, CCITT Group 3 and Group 4 fax. Each is imported,
//! its preview shows the right colours in the right places, and its
//! original is served as a TIFF.

use image::GenericImageView as _;

use crate::fixtures::jpeg;
use crate::harness::{Browser, TestServer};

const WIDTH: u32 = 64;
const HEIGHT: u32 = 48;

type Rgb = [u8; 3];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const DARK: Rgb = [85, 85, 85];

/// A directory entry's values.
enum Field {
    Short(Vec<u16>),
    Long(Vec<u32>),
    Long8(Vec<u64>),
}

impl Field {
    fn kind(&self) -> u16 {
        match self {
            Self::Short(_) => 3,
            Self::Long(_) => 4,
            Self::Long8(_) => 16,
        }
    }

    fn count(&self) -> usize {
        match self {
            Self::Short(values) => values.len(),
            Self::Long(values) => values.len(),
            Self::Long8(values) => values.len(),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Self::Short(values) => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            Self::Long(values) => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            Self::Long8(values) => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }
}

/// How a fixture stores its pixels.
struct Stored {
    big: bool,
    tiled: bool,
    chunks: Vec<Vec<u8>>,
    fields: Vec<(u16, Field)>,
}

/// A little-endian TIFF (or `BigTIFF`) of one image: the chunks first,
/// then the values too long for their entries, then the directory.
fn tiff(stored: Stored) -> Vec<u8> {
    let Stored {
        big,
        tiled,
        chunks,
        mut fields,
    } = stored;
    let mut out = if big {
        b"II\x2b\0\x08\0\0\0\0\0\0\0\0\0\0\0".to_vec()
    } else {
        b"II\x2a\0\0\0\0\0".to_vec()
    };
    let mut offsets = Vec::new();
    for chunk in &chunks {
        offsets.push(out.len() as u64);
        out.extend_from_slice(chunk);
        if out.len() % 2 == 1 {
            out.push(0);
        }
    }
    let counts: Vec<u64> = chunks.iter().map(|chunk| chunk.len() as u64).collect();
    let (offsets_tag, counts_tag) = if tiled { (324, 325) } else { (273, 279) };
    let list = |values: Vec<u64>| {
        if big {
            Field::Long8(values)
        } else {
            Field::Long(
                values
                    .into_iter()
                    .map(|v| u32::try_from(v).unwrap())
                    .collect(),
            )
        }
    };
    fields.push((offsets_tag, list(offsets)));
    fields.push((counts_tag, list(counts)));
    fields.sort_by_key(|(tag, _)| *tag);
    let inline = if big { 8 } else { 4 };
    let mut entries = Vec::new();
    for (tag, field) in &fields {
        let bytes = field.bytes();
        let value = if bytes.len() <= inline {
            let mut value = bytes;
            value.resize(inline, 0);
            value
        } else {
            let at = out.len() as u64;
            out.extend_from_slice(&bytes);
            if out.len() % 2 == 1 {
                out.push(0);
            }
            if big {
                at.to_le_bytes().to_vec()
            } else {
                u32::try_from(at).unwrap().to_le_bytes().to_vec()
            }
        };
        entries.push((*tag, field.kind(), field.count() as u64, value));
    }
    let directory = out.len() as u64;
    if big {
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    } else {
        out.extend_from_slice(&u16::try_from(entries.len()).unwrap().to_le_bytes());
    }
    for (tag, kind, count, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        if big {
            out.extend_from_slice(&count.to_le_bytes());
        } else {
            out.extend_from_slice(&u32::try_from(count).unwrap().to_le_bytes());
        }
        out.extend_from_slice(&value);
    }
    out.extend_from_slice(&vec![0; inline]);
    if big {
        out[8..16].copy_from_slice(&directory.to_le_bytes());
    } else {
        out[4..8].copy_from_slice(&u32::try_from(directory).unwrap().to_le_bytes());
    }
    out
}

/// Width, height, bits, samples, compression and photometric
/// interpretation: the fields every fixture has.
fn basics(bits: u16, samples: u16, compression: u16, photometric: u16) -> Vec<(u16, Field)> {
    vec![
        (256, Field::Long(vec![WIDTH])),
        (257, Field::Long(vec![HEIGHT])),
        (258, Field::Short(vec![bits; usize::from(samples)])),
        (259, Field::Short(vec![compression])),
        (262, Field::Short(vec![photometric])),
        (277, Field::Short(vec![samples])),
        (278, Field::Long(vec![HEIGHT])),
    ]
}

/// One strip of `HEIGHT` rows, each `left` then `right` (half a row each).
fn rows(left: &[u8], right: &[u8]) -> Vec<u8> {
    let row = [left, right].concat();
    row.repeat(HEIGHT as usize)
}

/// A palette of `bits` whose entry 0 is red and entry 1 blue.
fn palette(bits: u16) -> Field {
    let entries = 1usize << bits;
    let mut map = vec![0u16; 3 * entries];
    map[0] = 0xFFFF;
    map[2 * entries + 1] = 0xFFFF;
    Field::Short(map)
}

fn palette_8bit_packbits() -> Vec<u8> {
    // Each half a run of 32: header 257 − 32, then the byte.
    let mut fields = basics(8, 1, 32773, 3);
    fields.push((320, palette(8)));
    tiff(Stored {
        big: false,
        tiled: false,
        chunks: vec![rows(&[225, 0], &[225, 1])],
        fields,
    })
}

fn palette_4bit() -> Vec<u8> {
    let mut fields = basics(4, 1, 1, 3);
    fields.push((320, palette(4)));
    tiff(Stored {
        big: false,
        tiled: false,
        chunks: vec![rows(&[0x00; 16], &[0x11; 16])],
        fields,
    })
}

/// One bit a pixel, white is zero: white left, black right.
fn bilevel() -> Vec<u8> {
    tiff(Stored {
        big: false,
        tiled: false,
        chunks: vec![rows(&[0x00; 4], &[0xFF; 4])],
        fields: basics(1, 1, 1, 0),
    })
}

/// Two bits a pixel, black is zero: dark grey (1 of 3) left, white right.
fn two_bit_grey() -> Vec<u8> {
    tiff(Stored {
        big: false,
        tiled: false,
        chunks: vec![rows(&[0x55; 8], &[0xFF; 8])],
        fields: basics(2, 1, 1, 1),
    })
}

/// Signed 16-bit grey: the most negative value left, the most positive right.
fn signed_16bit() -> Vec<u8> {
    let mut fields = basics(16, 1, 1, 1);
    fields.push((339, Field::Short(vec![2])));
    tiff(Stored {
        big: false,
        tiled: false,
        chunks: vec![rows(
            &i16::MIN.to_le_bytes().repeat(32),
            &i16::MAX.to_le_bytes().repeat(32),
        )],
        fields,
    })
}

/// A `BigTIFF`, RGB, Deflate, in two strips: red left, green right.
fn big_rgb_deflate() -> Vec<u8> {
    use std::io::Write as _;
    let strip = rows(&[255, 0, 0].repeat(32), &[0, 255, 0].repeat(32));
    let half = strip.len() / 2;
    let chunks = [&strip[..half], &strip[half..]]
        .iter()
        .map(|part| {
            let mut zlib =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            zlib.write_all(part).unwrap();
            zlib.finish().unwrap()
        })
        .collect();
    let mut fields = basics(8, 3, 8, 2);
    fields.retain(|(tag, _)| *tag != 278);
    fields.push((278, Field::Long(vec![HEIGHT / 2])));
    tiff(Stored {
        big: true,
        tiled: false,
        chunks,
        fields,
    })
}

/// 16-bit RGB in 16×16 tiles, each colour its own plane: red left, blue right.
fn tiled_planar_16bit() -> Vec<u8> {
    let tile = 16;
    let mut chunks = Vec::new();
    for plane in 0..3 {
        for _ in 0..HEIGHT / tile {
            for tile_column in 0..WIDTH / tile {
                let left = tile_column * tile < WIDTH / 2;
                let value: u16 = match (plane, left) {
                    (0, true) | (2, false) => 0xFFFF,
                    _ => 0,
                };
                chunks.push(value.to_le_bytes().repeat((tile * tile) as usize));
            }
        }
    }
    let mut fields = basics(16, 3, 1, 2);
    fields.retain(|(tag, _)| *tag != 278);
    fields.push((284, Field::Short(vec![2])));
    fields.push((322, Field::Long(vec![tile])));
    fields.push((323, Field::Long(vec![tile])));
    tiff(Stored {
        big: false,
        tiled: true,
        chunks,
        fields,
    })
}

/// Old-style JPEG (compression 6): the directory points at a whole JPEG.
fn old_style_jpeg() -> Vec<u8> {
    let stream = jpeg(WIDTH, HEIGHT, 90, None);
    let mut fields = basics(8, 3, 6, 6);
    // JPEGInterchangeFormat and its length point at the one strip, as
    // the writers of the time did; the offset is the first chunk's (8).
    fields.push((513, Field::Long(vec![8])));
    fields.push((514, Field::Long(vec![u32::try_from(stream.len()).unwrap()])));
    tiff(Stored {
        big: false,
        tiled: false,
        chunks: vec![stream],
        fields,
    })
}

/// The pels of one fax row: white left, black right.
fn fax_row() -> impl Iterator<Item = fax::Color> {
    (0..WIDTH).map(|x| {
        if x < WIDTH / 2 {
            fax::Color::White
        } else {
            fax::Color::Black
        }
    })
}

/// CCITT Group 4, white is zero.
fn fax_g4() -> Vec<u8> {
    let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
    for _ in 0..HEIGHT {
        encoder
            .encode_line(fax_row(), u16::try_from(WIDTH).unwrap())
            .unwrap();
    }
    let data = encoder.finish().unwrap().finish();
    tiff(Stored {
        big: false,
        tiled: false,
        chunks: vec![data],
        fields: basics(1, 1, 4, 0),
    })
}

/// CCITT Group 3, one-dimensional: each row an end-of-line code, a white
/// run of 32 and a black run of 32 (their codes from T.4's tables), then
/// the return-to-control of six end-of-lines.
fn fax_g3() -> Vec<u8> {
    use fax::BitWriter as _;
    let eol = fax::Bits { data: 1, len: 12 };
    let mut writer = fax::VecWriter::new();
    for _ in 0..HEIGHT {
        writer.write(eol).unwrap();
        writer.write(fax::Bits { data: 27, len: 8 }).unwrap();
        writer.write(fax::Bits { data: 106, len: 12 }).unwrap();
    }
    for _ in 0..6 {
        writer.write(eol).unwrap();
    }
    tiff(Stored {
        big: false,
        tiled: false,
        chunks: vec![writer.finish()],
        fields: basics(1, 1, 3, 0),
    })
}

/// The preview's colour halfway down a quarter in from the left and from
/// the right.
async fn halves(owner: &Browser, id: i64) -> ([u8; 3], [u8; 3]) {
    let response = owner.get(&format!("/api/assets/{id}/preview")).await;
    assert_eq!(response.status(), 200);
    let preview = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(preview.dimensions(), (WIDTH, HEIGHT));
    let at = |x| {
        let pixel = preview.get_pixel(x, HEIGHT / 2);
        [pixel[0], pixel[1], pixel[2]]
    };
    (at(WIDTH / 4), at(3 * WIDTH / 4))
}

fn near(found: [u8; 3], wanted: [u8; 3]) -> bool {
    found.iter().zip(wanted).all(|(f, w)| f.abs_diff(w) <= 24)
}

#[tokio::test]
async fn every_kind_of_tiff_scanners_write_comes_in_with_its_colours() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    // Name, bytes, the colour on the left and on the right.
    let cases: [(&str, Vec<u8>, Rgb, Rgb); 9] = [
        ("palette.tif", palette_8bit_packbits(), RED, BLUE),
        ("palette4.tif", palette_4bit(), RED, BLUE),
        ("bilevel.tif", bilevel(), WHITE, BLACK),
        ("grey2.tif", two_bit_grey(), DARK, WHITE),
        ("signed.tif", signed_16bit(), BLACK, WHITE),
        ("big.tif", big_rgb_deflate(), RED, GREEN),
        ("planar.tif", tiled_planar_16bit(), RED, BLUE),
        ("fax4.tif", fax_g4(), WHITE, BLACK),
        ("fax3.tif", fax_g3(), WHITE, BLACK),
    ];
    for (name, bytes, left, right) in cases {
        let response = owner.upload(&[(name, bytes)]).await;
        assert_eq!(response.status(), 200, "{name}");
        let body: serde_json::Value = response.json().await.unwrap();
        let file = &body["files"][0];
        assert_eq!(file["status"], "imported", "{name}: {file}");
        let id = file["asset_id"].as_i64().unwrap();
        let details = owner.json(&format!("/api/assets/{id}")).await;
        assert_eq!(
            (details["width"].as_i64(), details["height"].as_i64()),
            (Some(i64::from(WIDTH)), Some(i64::from(HEIGHT))),
            "{name}: {details}"
        );
        let (found_left, found_right) = halves(&owner, id).await;
        assert!(
            near(found_left, left) && near(found_right, right),
            "{name}: {found_left:?} {found_right:?}, wanted {left:?} {right:?}"
        );
        let original = owner.get(&format!("/api/assets/{id}/original")).await;
        assert_eq!(original.status(), 200, "{name}");
        assert_eq!(original.headers()["content-type"], "image/tiff", "{name}");
    }

    // Broken compressed data (a BigTIFF's Deflate strips overwritten):
    // refused with a reason, nothing panics.
    let mut broken = big_rgb_deflate();
    broken[16..200].fill(0xFF);
    let response = owner.upload(&[("broken.tif", broken)]).await;
    let body: serde_json::Value = response.json().await.unwrap();
    let file = &body["files"][0];
    assert_eq!(file["status"], "failed", "{file}");
    assert!(
        file["detail"]
            .as_str()
            .unwrap()
            .contains("could not be read"),
        "{file}"
    );
    assert!(
        file["reason"]
            .as_str()
            .unwrap()
            .starts_with("The file is damaged"),
        "{file}"
    );

    // An old-style JPEG TIFF shows the JPEG it holds.
    let response = owner.upload(&[("old.tif", old_style_jpeg())]).await;
    let body: serde_json::Value = response.json().await.unwrap();
    let file = &body["files"][0];
    assert_eq!(file["status"], "imported", "{file}");
    let id = file["asset_id"].as_i64().unwrap();
    let response = owner.get(&format!("/api/assets/{id}/preview")).await;
    let preview = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
    let expected = image::load_from_memory(&jpeg(WIDTH, HEIGHT, 90, None)).unwrap();
    let (a, b) = (preview.get_pixel(40, 30), expected.get_pixel(40, 30));
    assert!(
        (0..3).all(|c| a[c].abs_diff(b[c]) <= 24),
        "{a:?} against {b:?}"
    );
    server.stop().await;
}
