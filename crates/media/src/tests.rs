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

#[test]
fn known_originals_get_window_hashes_and_other_media_none() {
    let d = Dir::new();
    d.write("a.png", &png_bytes(&picture(3)));
    let h = d.hasher(MediaLimits::default());
    let mut original: Record = serde_json::from_value(json!({
        "kind": "media", "id": "m1", "sha256": "ab", "path": "a.png", "authentic": true
    }))
    .unwrap();
    h.fill(&mut original).unwrap();
    let Record::Media(m) = &original else {
        panic!()
    };
    let per_original: u32 = WINDOWS.iter().map(|(_, n)| n * n).sum();
    assert_eq!(m.phash_windows.len(), per_original as usize);
    assert!(m.phash_windows.iter().all(|w| w.len() == 16));
    assert!(m.phash.is_some());
    // The 90% windows at the corners are distinct pictures, so their hashes differ.
    assert_ne!(m.phash_windows[0], m.phash_windows[8]);

    // A given hash is kept; the windows still come from the file.
    let mut given: Record = serde_json::from_value(json!({
        "kind": "media", "id": "m2", "sha256": "ab", "path": "a.png", "authentic": true,
        "phash": "00ff"
    }))
    .unwrap();
    h.fill(&mut given).unwrap();
    let Record::Media(g) = &given else { panic!() };
    assert_eq!(g.phash.as_deref(), Some("00ff"));
    assert_eq!(g.phash_windows, m.phash_windows);

    let mut copy: Record = serde_json::from_value(json!({
        "kind": "media", "id": "m3", "sha256": "ab", "path": "a.png"
    }))
    .unwrap();
    h.fill(&mut copy).unwrap();
    let Record::Media(c) = &copy else { panic!() };
    assert!(c.phash_windows.is_empty(), "only originals pay for windows");
}

#[test]
fn avatars_are_hashed_from_their_files_relative_or_absolute() {
    let d = Dir::new();
    d.write("face.jpg", &jpeg_bytes(&picture(4), 85));
    d.write("broken.jpg", b"\xff\xd8\xff not really a jpeg");
    let h = d.hasher(MediaLimits::default());
    let expected = phash_hex(h.hash_file("face.jpg").unwrap());
    let account = |path: &str| -> Record {
        serde_json::from_value(json!({
            "kind": "account", "id": "a1", "platform": "x", "handle": "h", "avatar_path": path
        }))
        .unwrap()
    };
    let avatar = |r: &Record| match r {
        Record::Account(a) => a.avatar_phash.clone(),
        _ => None,
    };
    let mut relative = account("face.jpg");
    h.fill(&mut relative).unwrap();
    assert_eq!(avatar(&relative).as_deref(), Some(expected.as_str()));
    let mut absolute = account(&d.dir.path().join("face.jpg").to_string_lossy());
    h.fill(&mut absolute).unwrap();
    assert_eq!(avatar(&absolute), avatar(&relative));
    // A given hash wins; the file is not read.
    let mut given: Record = serde_json::from_value(json!({
        "kind": "account", "id": "a2", "platform": "x", "handle": "h",
        "avatar_path": "absent.jpg", "avatar_phash": "0123456789abcdef"
    }))
    .unwrap();
    h.fill(&mut given).unwrap();
    assert_eq!(avatar(&given).as_deref(), Some("0123456789abcdef"));
    // Bad files are errors naming them; URLs are never fetched.
    let e = h.fill(&mut account("broken.jpg")).unwrap_err();
    assert!(e.to_string().contains("broken.jpg"), "{e}");
    assert!(matches!(
        h.fill(&mut account("https://pbs.example.org/face.jpg")),
        Err(MediaError::Url { .. })
    ));
}

/// C2PA content credentials on files signed here with the test PKI (`testdata/c2pa`).
#[cfg(feature = "c2pa")]
mod credentials {
    use super::*;
    use crate::credentials::sample::{self, Identity};
    use crate::credentials::CredentialReader;
    use vigie_core::{Provenance, ProvenanceState};

    const CAPTURE: &[sample::Action<'_>] = &[
        ("c2pa.created", Some("digitalCapture")),
        ("c2pa.edited", None),
    ];

    fn signed_jpeg(identity: Identity, actions: &[sample::Action<'_>]) -> Vec<u8> {
        let bytes = jpeg_bytes(&picture(3), 85);
        sample::sign(
            &bytes,
            "image/jpeg",
            identity,
            "photo.jpg",
            "Photo desk",
            actions,
        )
        .unwrap()
    }

    fn read(bytes: &[u8]) -> Provenance {
        CredentialReader::new().read(bytes, mime(bytes, "test").unwrap())
    }

    #[test]
    fn a_signed_file_is_valid_and_names_its_signer_generator_and_actions() {
        let signed = signed_jpeg(Identity::Outlet, CAPTURE);
        let p = read(&signed);
        assert_eq!(p.state, ProvenanceState::Valid, "{p:?}");
        // No trust list is configured: valid, never trusted.
        assert!(!p.trusted);
        assert!(p.failures.is_empty(), "{p:?}");
        assert_eq!(p.signer_org.as_deref(), Some("Le Monde"));
        assert_eq!(
            p.signer.as_deref(),
            Some("Le Monde photo desk (vigie test certificate)")
        );
        assert_eq!(p.cert_issuer.as_deref(), Some("vigie test PKI"));
        assert_eq!(p.cert_sha256, Identity::Outlet.cert_sha256());
        assert_eq!(p.cert_sha256.as_ref().map(String::len), Some(64));
        assert!(
            p.claim_generator
                .as_deref()
                .is_some_and(|g| g.contains("Photo desk")),
            "{p:?}"
        );
        assert_eq!(p.title.as_deref(), Some("photo.jpg"));
        assert!(p.actions.iter().any(|a| a == "c2pa.created"), "{p:?}");
        assert!(p.actions.iter().any(|a| a == "c2pa.edited"), "{p:?}");
        assert_eq!(p.source_types, ["digitalCapture"]);
        assert!(!p.ai_generated());
        // Signing adds a manifest, not a different picture.
        let hasher = MediaHasher::new(None, MediaLimits::default());
        let plain = jpeg_bytes(&picture(3), 85);
        let h = |b: &[u8]| hasher.hash_image(&decode(b, "t", MediaLimits::default()).unwrap());
        assert_eq!(h(&signed), h(&plain));
        assert_ne!(signed, plain);
    }

    #[test]
    fn a_signed_png_is_valid_too() {
        let bytes = png_bytes(&picture(5));
        let signed = sample::sign(
            &bytes,
            "image/png",
            Identity::Outlet,
            "p.png",
            "Desk",
            CAPTURE,
        )
        .unwrap();
        let p = read(&signed);
        assert_eq!(p.state, ProvenanceState::Valid, "{p:?}");
        assert_eq!(p.signer_org.as_deref(), Some("Le Monde"));
    }

    #[test]
    fn an_unsigned_file_has_no_manifest_and_no_failure() {
        for bytes in [jpeg_bytes(&picture(1), 80), png_bytes(&picture(1))] {
            let p = read(&bytes);
            assert_eq!(p, Provenance::none());
        }
    }

    #[test]
    fn pixels_changed_after_signing_fail_the_hash() {
        let signed = signed_jpeg(Identity::Outlet, CAPTURE);
        let tampered = sample::tamper_jpeg(&signed).unwrap();
        assert_ne!(tampered, signed);
        // Still a picture, hashed like any other.
        decode(&tampered, "t", MediaLimits::default()).unwrap();
        let p = read(&tampered);
        assert_eq!(p.state, ProvenanceState::Invalid, "{p:?}");
        assert!(
            p.failures
                .iter()
                .any(|c| c == "assertion.dataHash.mismatch"),
            "{p:?}"
        );
        // The claim itself is intact: who signed is still known.
        assert_eq!(p.signer_org.as_deref(), Some("Le Monde"));
    }

    #[test]
    fn a_cut_file_is_invalid_not_a_panic() {
        let signed = signed_jpeg(Identity::Outlet, CAPTURE);
        for cut in [signed.len() / 2, 600, 40] {
            let p = read(&signed[..cut]);
            assert_ne!(p.state, ProvenanceState::Valid, "cut at {cut}: {p:?}");
        }
    }

    #[test]
    fn ai_generation_is_read_from_the_digital_source_type() {
        let signed = signed_jpeg(
            Identity::Generator,
            &[("c2pa.created", Some("trainedAlgorithmicMedia"))],
        );
        let p = read(&signed);
        assert_eq!(p.state, ProvenanceState::Valid, "{p:?}");
        assert!(p.ai_generated());
        assert_eq!(p.source_types, ["trainedAlgorithmicMedia"]);
        assert_eq!(p.signer_org.as_deref(), Some("vigie test imaging"));
        let composite = read(&signed_jpeg(
            Identity::Generator,
            &[
                ("c2pa.created", Some("digitalCapture")),
                ("c2pa.edited", Some("compositeWithTrainedAlgorithmicMedia")),
            ],
        ));
        assert!(composite.ai_generated(), "{composite:?}");
    }

    #[test]
    fn a_look_alike_signer_differs_only_by_its_certificate() {
        let genuine = read(&signed_jpeg(Identity::Outlet, CAPTURE));
        let rogue = read(&signed_jpeg(Identity::Rogue, CAPTURE));
        assert_eq!(rogue.state, ProvenanceState::Valid, "{rogue:?}");
        assert_eq!(rogue.signer_org, genuine.signer_org);
        assert_eq!(rogue.signer, genuine.signer);
        assert_ne!(rogue.cert_sha256, genuine.cert_sha256);
        assert_eq!(rogue.cert_issuer.as_deref(), Some("vigie test rogue PKI"));
    }

    #[test]
    fn ingest_fills_credentials_once_and_keeps_given_ones() {
        let dir = Dir::new();
        dir.write("signed.jpg", &signed_jpeg(Identity::Outlet, CAPTURE));
        dir.write("plain.png", &png_bytes(&picture(2)));
        let hasher = dir.hasher(MediaLimits::default());
        let mut rec: Record = serde_json::from_value(json!({
            "kind": "media", "id": "m1", "sha256": "ab", "path": "signed.jpg"
        }))
        .unwrap();
        hasher.fill(&mut rec).unwrap();
        let Record::Media(m) = &rec else { panic!() };
        assert!(m.phash.is_some());
        let p = Provenance::from_value(m.c2pa.as_ref().unwrap()).unwrap();
        assert_eq!(p.state, ProvenanceState::Valid);
        // A post's attachment; and a given `c2pa` is the input's word, not overwritten.
        let mut post: Record = serde_json::from_value(json!({
            "kind": "post", "id": "p1", "platform": "x", "author": "a",
            "created_at": "2024-06-01T10:00:00Z", "text": "t",
            "media": [{"path": "plain.png"}, {"path": "signed.jpg", "c2pa": {"state": "invalid"}}]
        }))
        .unwrap();
        hasher.fill(&mut post).unwrap();
        let Record::Post(p) = &post else { panic!() };
        assert_eq!(
            p.media[0].c2pa,
            Some(json!({"state": "none", "trusted": false}))
        );
        assert_eq!(p.media[1].c2pa, Some(json!({"state": "invalid"})));
        assert!(p.media.iter().all(|m| m.phash.is_some()));
    }
}
