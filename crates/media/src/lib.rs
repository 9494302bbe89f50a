//! Media files named by records (`media.path`, a post's `media[].path`): their 64-bit perceptual
//! hash, computed at ingest so that detectors only ever read `phash`.
//!
//! Files are hostile input. A path is a local file (relative to the input file's folder, or
//! absolute), never a URL; only regular files are opened (a FIFO or device would block or never
//! end); the file is read up to `max_media_bytes`; the image header is read first and an image
//! of more than `max_media_pixels` is refused before it is decoded (a decompression bomb costs a
//! header read). Only PNG and JPEG are decoded. Every failure is a [`MediaError`] naming the file.
//!
//! The hash is the gradient hash (`image_hasher` `HashAlg::Gradient`: a grey 9×8 thumbnail, one
//! bit per pair of horizontal neighbours, set when brightness rises), stored as 16 hex digits.
//! Of the hashes `image_hasher` offers it separated edited copies from unrelated pictures best
//! on vigie's generated pictures (`vigie eval` prints the distances). Deterministic: the same
//! bytes give the same hash.
//!
//! A crop shifts the thumbnail's grid, so a copy cut by 20% lands about 15 bits from its
//! original's hash, as far as some unrelated pictures. Known originals (`authentic` media)
//! therefore also get the hashes of [`WINDOWS`], sub-windows of the picture: a cropped copy's
//! full-frame hash lands near the window it was cut from. Only originals pay for them, at ingest.
//!
//! An account's `avatar_path` is hashed into its `avatar_phash` the same way.

use image::{DynamicImage, ImageFormat, ImageReader};
use image_hasher::{FilterType, HashAlg, Hasher, HasherConfig};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use vigie_core::config::InputConfig;
use vigie_core::Record;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("media path {path}: a URL, not a local file (media is never fetched)")]
    Url { path: String },
    #[error("media path {path}: cannot read: {reason}")]
    Io { path: String, reason: String },
    #[error("media path {path}: not a regular file")]
    NotAFile { path: String },
    #[error("media path {path}: larger than max_media_bytes ({max} bytes)")]
    TooLarge { path: String, max: u64 },
    #[error(
        "media path {path}: {width}x{height} pixels, more than max_media_pixels ({max}); refused before decoding"
    )]
    TooManyPixels {
        path: String,
        width: u32,
        height: u32,
        max: u64,
    },
    #[error("media path {path}: not a PNG or JPEG image")]
    Unsupported { path: String },
    #[error("media path {path}: undecodable image: {reason}")]
    Decode { path: String, reason: String },
}

/// Bounds on what one media file may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    pub max_bytes: u64,
    pub max_pixels: u64,
}

impl From<&InputConfig> for MediaLimits {
    fn from(cfg: &InputConfig) -> Self {
        MediaLimits {
            max_bytes: cfg.max_media_bytes,
            max_pixels: cfg.max_media_pixels,
        }
    }
}

impl Default for MediaLimits {
    fn default() -> Self {
        MediaLimits::from(&InputConfig::default())
    }
}

/// The sub-windows of an original that are hashed: (percent of each side kept, positions per
/// axis, evenly spaced from one edge to the other). A copy cut by 10% at any offset is within
/// 2.5% of a side of a 90% window, one cut by 20% within 3.3% of an 80% window: about as far
/// as a 5% crop, which the full-frame hash tolerates. 25 windows; `vigie eval --media` shows
/// the recall they buy per crop and what they cost in unrelated matches.
pub const WINDOWS: [(u32, u32); 2] = [(90, 3), (80, 4)];

/// Originals larger than this (pixels on the longer side) are scaled down once before their
/// windows are cut: an 80% window still spans 28 source pixels per column of the 9×8 thumbnail,
/// and 25 windows cost about one more full-frame hash instead of 25 (cutting them from a
/// 1280-pixel photo made hashing an original 12 times slower).
const WINDOW_SOURCE_SIDE: u32 = 320;

/// A perceptual hash as records carry it: 16 lower-case hex digits.
pub fn phash_hex(h: u64) -> String {
    format!("{h:016x}")
}

/// Hashes the media files of records read from one input.
pub struct MediaHasher {
    /// Folder relative paths start from: the input file's, or the working folder for stdin.
    base: Option<PathBuf>,
    limits: MediaLimits,
    hasher: Hasher<[u8; 8]>,
    #[cfg(feature = "c2pa")]
    credentials: credentials::CredentialReader,
}

impl MediaHasher {
    /// `input` is the file the records come from (`None` for stdin).
    pub fn new(input: Option<&Path>, limits: MediaLimits) -> MediaHasher {
        MediaHasher {
            base: input.and_then(Path::parent).map(Path::to_path_buf),
            limits,
            hasher: HasherConfig::with_bytes_type::<[u8; 8]>()
                .hash_size(8, 8)
                .hash_alg(HashAlg::Gradient)
                // Smooth enough for a 9×8 thumbnail, far cheaper than Lanczos on large photos.
                .resize_filter(FilterType::Triangle)
                .to_hasher(),
            #[cfg(feature = "c2pa")]
            credentials: credentials::CredentialReader::new(),
        }
    }

    /// Fills in what the record's media that name a file lack: the `phash`, the window hashes
    /// of a known original (`phash_windows`), and with the `c2pa` feature the content
    /// credentials (`c2pa`, a [`vigie_core::Provenance`]); and an account's `avatar_phash` from
    /// its `avatar_path`. A file is read once for all, and not at all when nothing is missing.
    pub fn fill(&self, record: &mut Record) -> Result<(), MediaError> {
        match record {
            Record::Media(m) => {
                if let Some(path) = &m.path {
                    let windows = (m.authentic == Some(true) && m.phash_windows.is_empty())
                        .then_some(&mut m.phash_windows);
                    self.fill_one(path, &mut m.phash, &mut m.c2pa, windows)?;
                }
            }
            Record::Post(p) => {
                for m in &mut p.media {
                    if let Some(path) = &m.path {
                        self.fill_one(path, &mut m.phash, &mut m.c2pa, None)?;
                    }
                }
            }
            Record::Account(a) => {
                if let (Some(path), None) = (&a.avatar_path, &a.avatar_phash) {
                    a.avatar_phash = Some(phash_hex(self.hash_file(path)?));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn fill_one(
        &self,
        raw: &str,
        phash: &mut Option<String>,
        c2pa: &mut Option<serde_json::Value>,
        windows: Option<&mut Vec<String>>,
    ) -> Result<(), MediaError> {
        let want_credentials = cfg!(feature = "c2pa") && c2pa.is_none();
        if phash.is_some() && !want_credentials && windows.is_none() {
            return Ok(());
        }
        let bytes = match resolve(self.base.as_deref(), raw)
            .and_then(|path| read_limited(&path, raw, self.limits))
        {
            Ok(bytes) => bytes,
            // The hash was given: credentials are only looked for, and a file the record does
            // not need (moved, never shipped) must not cost the record.
            Err(_) if phash.is_some() => return Ok(()),
            Err(e) => return Err(e),
        };
        if phash.is_none() || windows.is_some() {
            match decode(&bytes, raw, self.limits) {
                Ok(image) => {
                    if phash.is_none() {
                        *phash = Some(phash_hex(self.hash_image(&image)));
                    }
                    if let Some(windows) = windows {
                        *windows = self
                            .window_hashes(&image)
                            .into_iter()
                            .map(phash_hex)
                            .collect();
                    }
                }
                // As above: a given hash keeps its record.
                Err(_) if phash.is_some() => {}
                Err(e) => return Err(e),
            }
        }
        #[cfg(feature = "c2pa")]
        if want_credentials {
            let facts = self.credentials.read(&bytes, mime(&bytes, raw)?);
            // Serialising plain strings and booleans cannot fail; a failure would leave the
            // field absent ("not examined"), never wrong.
            *c2pa = serde_json::to_value(facts).ok();
        }
        Ok(())
    }

    /// The perceptual hash of the image file `raw` (as written in the record).
    pub fn hash_file(&self, raw: &str) -> Result<u64, MediaError> {
        let path = resolve(self.base.as_deref(), raw)?;
        let image = load(&path, raw, self.limits)?;
        Ok(self.hash_image(&image))
    }

    pub fn hash_image(&self, image: &DynamicImage) -> u64 {
        u64::from_be_bytes(self.hasher.hash_image(image).into_inner())
    }

    /// The hashes of the [`WINDOWS`] of `image`, in a fixed order.
    pub fn window_hashes(&self, image: &DynamicImage) -> Vec<u64> {
        let scaled;
        let image = if image.width().max(image.height()) > WINDOW_SOURCE_SIDE {
            scaled = image.resize(WINDOW_SOURCE_SIDE, WINDOW_SOURCE_SIDE, FilterType::Triangle);
            &scaled
        } else {
            image
        };
        let (w, h) = (image.width(), image.height());
        let mut out = Vec::new();
        for (percent, steps) in WINDOWS {
            let (ww, wh) = ((w * percent / 100).max(1), (h * percent / 100).max(1));
            for j in 0..steps {
                for i in 0..steps {
                    let last = (steps - 1).max(1);
                    let (x, y) = ((w - ww) * i / last, (h - wh) * j / last);
                    out.push(self.hash_image(&image.crop_imm(x, y, ww, wh)));
                }
            }
        }
        out
    }
}

/// The file a record's `path` names: relative to `base`, or absolute. URLs are refused.
pub fn resolve(base: Option<&Path>, raw: &str) -> Result<PathBuf, MediaError> {
    let raw_trimmed = raw.trim();
    // A scheme ("https:", "file:", "data:") is at least two letters, so "C:\…" stays a path.
    let is_url = raw_trimmed.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if is_url || raw_trimmed.starts_with("//") || raw_trimmed.is_empty() {
        return Err(MediaError::Url {
            path: raw.to_owned(),
        });
    }
    let path = Path::new(raw_trimmed);
    Ok(match base {
        Some(b) if path.is_relative() => b.join(path),
        _ => path.to_path_buf(),
    })
}

/// Reads and decodes an image within `limits`; `name` is how errors call it.
pub fn load(path: &Path, name: &str, limits: MediaLimits) -> Result<DynamicImage, MediaError> {
    decode(&read_limited(path, name, limits)?, name, limits)
}

/// Reads a regular file of at most `limits.max_bytes`.
pub fn read_limited(path: &Path, name: &str, limits: MediaLimits) -> Result<Vec<u8>, MediaError> {
    let io = |e: std::io::Error| MediaError::Io {
        path: name.to_owned(),
        reason: e.to_string(),
    };
    // Checked before opening: opening a FIFO blocks.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(MediaError::NotAFile {
            path: name.to_owned(),
        });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(MediaError::TooLarge {
            path: name.to_owned(),
            max: limits.max_bytes,
        });
    }
    Ok(bytes)
}

/// The media type of PNG or JPEG bytes.
pub fn mime(bytes: &[u8], name: &str) -> Result<&'static str, MediaError> {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => Ok("image/png"),
        Ok(ImageFormat::Jpeg) => Ok("image/jpeg"),
        _ => Err(MediaError::Unsupported {
            path: name.to_owned(),
        }),
    }
}

/// Decodes PNG or JPEG bytes within `limits`.
pub fn decode(bytes: &[u8], name: &str, limits: MediaLimits) -> Result<DynamicImage, MediaError> {
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Png | ImageFormat::Jpeg)) => f,
        _ => {
            return Err(MediaError::Unsupported {
                path: name.to_owned(),
            })
        }
    };
    let bad = |e: image::ImageError| MediaError::Decode {
        path: name.to_owned(),
        reason: e.to_string(),
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(bad)?;
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            path: name.to_owned(),
            width,
            height,
            max: limits.max_pixels,
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(width);
    image_limits.max_image_height = Some(height);
    // 16-bit RGBA is 8 bytes a pixel; the decoders' own buffers fit in the slack.
    image_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(1 << 24));
    reader.limits(image_limits);
    reader.decode().map_err(bad)
}

#[cfg(feature = "c2pa")]
pub mod credentials;

#[cfg(test)]
mod tests;
