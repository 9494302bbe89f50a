//! Procedural pictures and the edits an operation makes to them, as real image files.
//!
//! A picture has the structure perceptual hashes respond to: a background gradient (linear,
//! radial or split), a handful of coloured shapes, sometimes a panel of text-like word blocks,
//! and sensor-like noise. Everything comes from one seed, so the same seed gives the same bytes.
//! Edits: crop (a share of each side removed, unevenly), resize to half, JPEG recompression at a
//! lower quality, and an overlay (a caption banner with a logo box, as a doctored picture has).

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{ImageEncoder, Rgb, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const WIDTH: u32 = 320;
pub const HEIGHT: u32 = 240;
/// Quality of pictures as first published, and of edited copies saved again.
pub const PUBLISHED_QUALITY: u8 = 90;

/// An alteration of a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Edit {
    /// This share (percent) of the width and of the height cut away.
    Crop(u8),
    /// Scaled to half its size.
    ResizeHalf,
    /// Saved again as JPEG at this quality.
    Jpeg(u8),
    /// A caption banner and a logo box drawn over it.
    Overlay,
}

/// The edits `vigie generate` applies and `vigie eval` measures.
pub const EDITS: [Edit; 7] = [
    Edit::Crop(5),
    Edit::Crop(10),
    Edit::Crop(20),
    Edit::ResizeHalf,
    Edit::Jpeg(30),
    Edit::Jpeg(70),
    Edit::Overlay,
];

impl Edit {
    pub fn name(self) -> String {
        match self {
            Edit::Crop(p) => format!("crop_{p}"),
            Edit::ResizeHalf => "resize_50".into(),
            Edit::Jpeg(q) => format!("jpeg_q{q}"),
            Edit::Overlay => "overlay".into(),
        }
    }

    /// The edited picture, saved as a JPEG file's bytes.
    pub fn apply<R: Rng>(self, rng: &mut R, picture: &RgbImage) -> Vec<u8> {
        let (w, h) = picture.dimensions();
        match self {
            Edit::Crop(p) => {
                let cut_w = w * u32::from(p) / 100;
                let cut_h = h * u32::from(p) / 100;
                let x = rng.gen_range(0..=cut_w);
                let y = rng.gen_range(0..=cut_h);
                let cropped =
                    image::imageops::crop_imm(picture, x, y, w - cut_w, h - cut_h).to_image();
                jpeg(&cropped, PUBLISHED_QUALITY)
            }
            Edit::ResizeHalf => {
                let small = image::imageops::resize(picture, w / 2, h / 2, FilterType::CatmullRom);
                jpeg(&small, PUBLISHED_QUALITY)
            }
            // Recompression of the published file: decode it, save it again.
            Edit::Jpeg(q) => {
                let published = jpeg(picture, PUBLISHED_QUALITY);
                match image::load_from_memory(&published) {
                    Ok(decoded) => jpeg(&decoded.to_rgb8(), q),
                    Err(_) => jpeg(picture, q),
                }
            }
            Edit::Overlay => {
                let mut out = picture.clone();
                let band = h * 18 / 100;
                let ink = random_colour(rng);
                fill_rect(&mut out, 0, h - band, w, band, ink);
                let paper = contrast(ink);
                words(rng, &mut out, (8, h - band + 6, w - 16, band - 12), paper);
                let side = h / 6;
                let logo = random_colour(rng);
                fill_rect(&mut out, w - side - 8, 8, side, side, logo);
                jpeg(&out, PUBLISHED_QUALITY)
            }
        }
    }
}

/// A procedural picture of [`WIDTH`] × [`HEIGHT`] pixels.
pub fn picture(seed: u64) -> RgbImage {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (w, h) = (WIDTH, HEIGHT);
    let c0 = random_colour(&mut rng);
    let c1 = random_colour(&mut rng);
    let angle: f32 = rng.gen_range(0.0..std::f32::consts::TAU);
    let (cx, cy) = (rng.gen_range(0.0..w as f32), rng.gen_range(0.0..h as f32));
    let kind = rng.gen_range(0..3);
    let (dx, dy) = (angle.cos(), angle.sin());
    let diag = ((w * w + h * h) as f32).sqrt();
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let t = match kind {
            0 => ((fx - w as f32 / 2.0) * dx + (fy - h as f32 / 2.0) * dy) / diag + 0.5,
            1 => ((fx - cx).hypot(fy - cy) / diag * 1.6).min(1.0),
            _ => {
                if (fx - cx) * dx + (fy - cy) * dy > 0.0 {
                    0.15
                } else {
                    0.85
                }
            }
        };
        lerp(c0, c1, t.clamp(0.0, 1.0))
    });
    for _ in 0..rng.gen_range(4..9) {
        let colour = random_colour(&mut rng);
        let sw = rng.gen_range(20..w / 2);
        let sh = rng.gen_range(20..h / 2);
        let x = rng.gen_range(0..w - sw / 2);
        let y = rng.gen_range(0..h - sh / 2);
        if rng.gen_bool(0.5) {
            fill_rect(&mut img, x, y, sw, sh, colour);
        } else {
            fill_ellipse(&mut img, x, y, sw, sh, colour);
        }
    }
    if rng.gen_bool(0.5) {
        let pw = rng.gen_range(w / 4..w / 2);
        let ph = rng.gen_range(h / 5..h / 3);
        let x = rng.gen_range(0..w - pw);
        let y = rng.gen_range(0..h - ph);
        let paper = random_colour(&mut rng);
        fill_rect(&mut img, x, y, pw, ph, paper);
        words(
            &mut rng,
            &mut img,
            (x + 4, y + 4, pw - 8, ph - 8),
            contrast(paper),
        );
    }
    for p in img.pixels_mut() {
        for c in p.0.iter_mut() {
            let noise: i16 = rng.gen_range(-6..=6);
            *c = (i16::from(*c) + noise).clamp(0, 255) as u8;
        }
    }
    img
}

/// Side of an avatar picture, in pixels.
pub const AVATAR_SIDE: u32 = 128;

/// A square profile picture: a procedural picture scaled to [`AVATAR_SIDE`].
pub fn avatar(seed: u64) -> RgbImage {
    image::imageops::resize(
        &picture(seed),
        AVATAR_SIDE,
        AVATAR_SIDE,
        FilterType::Triangle,
    )
}

/// An avatar as one account uploads it: the file as published, recompressed at quality 60,
/// or scaled down to 96 or 64 pixels (platforms and operators re-save profile pictures).
pub fn avatar_copy<R: Rng>(rng: &mut R, avatar: &RgbImage) -> Vec<u8> {
    let scaled = |side: u32| image::imageops::resize(avatar, side, side, FilterType::CatmullRom);
    match rng.gen_range(0..4) {
        0 => jpeg(avatar, PUBLISHED_QUALITY),
        1 => match image::load_from_memory(&jpeg(avatar, PUBLISHED_QUALITY)) {
            Ok(decoded) => jpeg(&decoded.to_rgb8(), 60),
            Err(_) => jpeg(avatar, 60),
        },
        2 => jpeg(&scaled(96), PUBLISHED_QUALITY),
        _ => jpeg(&scaled(64), PUBLISHED_QUALITY),
    }
}

/// A JPEG file's bytes.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    // Encoding into memory cannot fail for an RGB image of valid size.
    let _ = JpegEncoder::new_with_quality(&mut out, quality).encode_image(img);
    out
}

/// A PNG file's bytes.
pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = PngEncoder::new(&mut out).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgb8,
    );
    out
}

fn random_colour<R: Rng>(rng: &mut R) -> Rgb<u8> {
    Rgb([rng.gen(), rng.gen(), rng.gen()])
}

/// Black or white, whichever reads on `c`.
fn contrast(c: Rgb<u8>) -> Rgb<u8> {
    let luma = 0.3 * f32::from(c.0[0]) + 0.59 * f32::from(c.0[1]) + 0.11 * f32::from(c.0[2]);
    if luma > 128.0 {
        Rgb([20, 20, 20])
    } else {
        Rgb([235, 235, 235])
    }
}

fn lerp(a: Rgb<u8>, b: Rgb<u8>, t: f32) -> Rgb<u8> {
    Rgb(std::array::from_fn(|i| {
        (f32::from(a.0[i]) * (1.0 - t) + f32::from(b.0[i]) * t) as u8
    }))
}

fn fill_rect(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, c: Rgb<u8>) {
    let (iw, ih) = img.dimensions();
    for yy in y..(y + h).min(ih) {
        for xx in x..(x + w).min(iw) {
            img.put_pixel(xx, yy, c);
        }
    }
}

fn fill_ellipse(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, c: Rgb<u8>) {
    let (iw, ih) = img.dimensions();
    let (rx, ry) = (w as f32 / 2.0, h as f32 / 2.0);
    let (cx, cy) = (x as f32 + rx, y as f32 + ry);
    for yy in y..(y + h).min(ih) {
        for xx in x..(x + w).min(iw) {
            let (nx, ny) = ((xx as f32 - cx) / rx, (yy as f32 - cy) / ry);
            if nx * nx + ny * ny <= 1.0 {
                img.put_pixel(xx, yy, c);
            }
        }
    }
}

/// Rows of word-sized blocks inside `area` (x, y, w, h): text as a hash sees it.
fn words<R: Rng>(rng: &mut R, img: &mut RgbImage, area: (u32, u32, u32, u32), ink: Rgb<u8>) {
    let (x0, y0, w, h) = area;
    let line = 9;
    let mut y = y0;
    while y + line <= y0 + h {
        let mut x = x0;
        loop {
            let word = rng.gen_range(8..36);
            if x + word > x0 + w {
                break;
            }
            fill_rect(img, x, y, word, line - 3, ink);
            x += word + rng.gen_range(4..8);
        }
        y += line;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_reproducible_and_differ_by_seed() {
        assert_eq!(picture(7), picture(7));
        assert_ne!(picture(7), picture(8));
    }

    #[test]
    fn edits_produce_decodable_files_of_the_expected_size() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let p = picture(3);
        for edit in EDITS {
            let bytes = edit.apply(&mut rng, &p);
            let img = image::load_from_memory(&bytes).unwrap();
            let (w, h) = (img.width(), img.height());
            match edit {
                Edit::Crop(c) => {
                    assert_eq!(w, WIDTH - WIDTH * u32::from(c) / 100);
                    assert_eq!(h, HEIGHT - HEIGHT * u32::from(c) / 100);
                }
                Edit::ResizeHalf => assert_eq!((w, h), (WIDTH / 2, HEIGHT / 2)),
                _ => assert_eq!((w, h), (WIDTH, HEIGHT)),
            }
        }
        // Lower quality, fewer bytes.
        assert!(
            Edit::Jpeg(30).apply(&mut rng, &p).len() < Edit::Jpeg(70).apply(&mut rng, &p).len()
        );
    }
}
