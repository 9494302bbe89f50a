use super::*;
use image::{ImageEncoder, Rgb, RgbImage};
use serde_json::json;

/// A smooth picture (waves of brightness, seed-dependent) with one flat block.
fn picture(seed: u32) -> RgbImage {
    RgbImage::from_fn(200, 150, |x, y| {
        let (fx, fy, s) = (x as f32, y as f32, seed as f32);
        let v = 128.0 + 90.0 * (fx / 17.0 + s).sin() * (fy / 29.0 + 2.0 * s).cos();
        let block = x > 40 + seed * 13 % 100 && x < 90 + seed * 13 % 100 && y > 30 && y < 90;
        if block {
            Rgb([200, 40, 90])
        } else {
            Rgb([v as u8, (255.0 - v) as u8, 120])
        }
    })
}

fn png_bytes(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn jpeg_bytes(img: &RgbImage, q: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q)
        .encode_image(img)
        .unwrap();
    out
}

/// A temporary folder holding an input file's neighbours.
struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.dir.path().join(name), bytes).unwrap();
    }
    fn hasher(&self, limits: MediaLimits) -> MediaHasher {
        MediaHasher::new(Some(&self.dir.path().join("media.jsonl")), limits)
    }
}

#[test]
fn a_file_and_its_recompressed_copy_hash_close_and_unrelated_pictures_far() {
    let d = Dir::new();
    d.write("a.png", &png_bytes(&picture(1)));
    d.write("a.jpg", &jpeg_bytes(&picture(1), 60));
    // Mirrored: every brightness step reverses, the gradient hash with it.
    d.write(
        "b.png",
        &png_bytes(&image::imageops::flip_horizontal(&picture(1))),
    );
    let h = d.hasher(MediaLimits::default());
    let a = h.hash_file("a.png").unwrap();
    let a_jpeg = h.hash_file("a.jpg").unwrap();
    let b = h.hash_file("b.png").unwrap();
    assert_eq!(a, h.hash_file("a.png").unwrap(), "deterministic");
    assert!((a ^ a_jpeg).count_ones() <= 4, "{a:016x} {a_jpeg:016x}");
    assert!((a ^ b).count_ones() >= 24, "{a:016x} {b:016x}");
    // Absolute paths are taken as they are.
    let abs = d.dir.path().join("b.png");
    assert_eq!(h.hash_file(&abs.to_string_lossy()).unwrap(), b);
}

#[test]
fn urls_are_refused_never_fetched() {
    let h = MediaHasher::new(None, MediaLimits::default());
    for url in [
        "https://example.org/a.png",
        "file:///etc/passwd",
        "data:image/png;base64,AAAA",
        "//cdn.example.org/a.png",
        "  ",
    ] {
        assert!(
            matches!(h.hash_file(url), Err(MediaError::Url { .. })),
            "{url}"
        );
    }
    // A drive letter is a path, not a scheme.
    assert!(matches!(
        resolve(None, r"C:\photos\a.png"),
        Ok(p) if p == Path::new(r"C:\photos\a.png")
    ));
}

#[test]
fn missing_files_folders_and_non_images_are_errors_naming_the_file() {
    let d = Dir::new();
    d.write("notes.txt", b"not an image at all");
    std::fs::create_dir(d.dir.path().join("sub")).unwrap();
    let mut truncated = png_bytes(&picture(2));
    truncated.truncate(truncated.len() / 2);
    d.write("cut.png", &truncated);
    let h = d.hasher(MediaLimits::default());
    let e = h.hash_file("absent.png").unwrap_err();
    assert!(matches!(e, MediaError::Io { .. }));
    assert!(e.to_string().contains("absent.png"));
    assert_eq!(
        h.hash_file("sub"),
        Err(MediaError::NotAFile { path: "sub".into() })
    );
    assert_eq!(
        h.hash_file("notes.txt"),
        Err(MediaError::Unsupported {
            path: "notes.txt".into()
        })
    );
    let e = h.hash_file("cut.png").unwrap_err();
    assert!(matches!(e, MediaError::Decode { .. }), "{e}");
    assert!(e.to_string().contains("cut.png"));
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header() {
    // A valid small PNG whose header is rewritten to claim 60000 × 60000 pixels (3.6 billion,
    // over 10 GB decoded): the header alone must be enough to refuse it.
    let mut bytes = png_bytes(&picture(3));
    // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), …, CRC after 13 bytes.
    bytes[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    let d = Dir::new();
    d.write("bomb.png", &bytes);
    let e = d
        .hasher(MediaLimits::default())
        .hash_file("bomb.png")
        .unwrap_err();
    assert_eq!(
        e,
        MediaError::TooManyPixels {
            path: "bomb.png".into(),
            width: 60_000,
            height: 60_000,
            max: MediaLimits::default().max_pixels
        }
    );
    // And a real, highly compressible large image under a tight pixel limit.
    let big = RgbImage::new(3000, 2000);
    d.write("big.png", &png_bytes(&big));
    let tight = MediaLimits {
        max_bytes: 1 << 20,
        max_pixels: 1_000_000,
    };
    assert!(matches!(
        d.hasher(tight).hash_file("big.png"),
        Err(MediaError::TooManyPixels { .. })
    ));
}

#[test]
fn files_over_the_byte_limit_are_not_read_whole() {
    let d = Dir::new();
    d.write("a.jpg", &jpeg_bytes(&picture(5), 95));
    let limits = MediaLimits {
        max_bytes: 1000,
        max_pixels: 1 << 30,
    };
    assert_eq!(
        d.hasher(limits).hash_file("a.jpg"),
        Err(MediaError::TooLarge {
            path: "a.jpg".into(),
            max: 1000
        })
    );
}

#[test]
fn records_get_the_hash_of_their_files_and_keep_a_given_one() {
    let d = Dir::new();
    d.write("a.png", &png_bytes(&picture(6)));
    let h = d.hasher(MediaLimits::default());
    let expected = phash_hex(h.hash_file("a.png").unwrap());
    let mut media: Record = serde_json::from_value(json!({
        "kind": "media", "id": "m1", "sha256": "ab", "path": "a.png"
    }))
    .unwrap();
    h.fill(&mut media).unwrap();
    let Record::Media(m) = &media else { panic!() };
    assert_eq!(m.phash.as_deref(), Some(expected.as_str()));

    let mut given: Record = serde_json::from_value(json!({
        "kind": "media", "id": "m2", "sha256": "ab", "path": "absent.png", "phash": "00ff"
    }))
    .unwrap();
    h.fill(&mut given).unwrap();
    let Record::Media(m) = &given else { panic!() };
    assert_eq!(
        m.phash.as_deref(),
        Some("00ff"),
        "a given hash is kept, the file unread"
    );

    let mut post: Record = serde_json::from_value(json!({
        "kind": "post", "id": "p1", "platform": "x", "author": "a", "created_at": "2024-06-01T10:00:00Z",
        "text": "look", "media": [{"path": "a.png"}, {"sha256": "cd"}]
    }))
    .unwrap();
    h.fill(&mut post).unwrap();
    let Record::Post(p) = &post else { panic!() };
    assert_eq!(p.media[0].phash.as_deref(), Some(expected.as_str()));
    assert_eq!(p.media[1].phash, None);

    let mut bad: Record = serde_json::from_value(json!({
        "kind": "media", "id": "m3", "sha256": "ab", "path": "https://example.org/x.png"
    }))
    .unwrap();
    assert!(matches!(h.fill(&mut bad), Err(MediaError::Url { .. })));
}
