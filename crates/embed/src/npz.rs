//! A minimal reader for NumPy `.npz` archives: a zip file (stored or deflated members) whose
//! members are `.npy` arrays. Only what the USE weights need: little-endian `f4`, `f8`, `u1`, `i1`
//! arrays in C order. Every offset and length is checked, so a corrupt file is an error, never a
//! panic.

use std::collections::BTreeMap;
use std::io::Read;

use crate::Error;

/// One array read from an `.npy` member.
#[derive(Debug, Clone)]
pub struct Array {
    pub shape: Vec<usize>,
    pub data: ArrayData,
}

#[derive(Debug, Clone)]
pub enum ArrayData {
    F32(Vec<f32>),
    F64(Vec<f64>),
    U8(Vec<u8>),
    /// A dtype the encoder never reads (the int8 `bits` marker): shape only.
    Skipped,
}

fn corrupt(what: impl Into<String>) -> Error {
    Error::Weights(what.into())
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, Error> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| corrupt("zip record truncated"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, Error> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| corrupt("zip record truncated"))
}

fn u64_at(b: &[u8], at: usize) -> Result<u64, Error> {
    let s = b
        .get(at..at + 8)
        .ok_or_else(|| corrupt("zip record truncated"))?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Ok(u64::from_le_bytes(a))
}

fn to_usize(v: u64) -> Result<usize, Error> {
    usize::try_from(v).map_err(|_| corrupt("zip offset too large"))
}

struct Member {
    name: String,
    method: u16,
    compressed: usize,
    uncompressed: usize,
    local_offset: usize,
}

/// Lists the members of a zip archive from its central directory.
fn central_directory(zip: &[u8]) -> Result<Vec<Member>, Error> {
    const EOCD: u32 = 0x0605_4b50;
    const CENTRAL: u32 = 0x0201_4b50;
    // The end record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
    let lowest = zip.len().saturating_sub(22 + 0xFFFF);
    let eocd = (lowest..=zip.len().saturating_sub(22))
        .rev()
        .find(|&i| u32_at(zip, i).ok() == Some(EOCD))
        .ok_or_else(|| corrupt("not a zip archive (no end of central directory)"))?;
    let count = u16_at(zip, eocd + 10)? as usize;
    let mut at = u32_at(zip, eocd + 16)? as usize;
    let mut members = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(zip, at)? != CENTRAL {
            return Err(corrupt("bad central directory entry"));
        }
        let method = u16_at(zip, at + 10)?;
        let mut compressed = u64::from(u32_at(zip, at + 20)?);
        let mut uncompressed = u64::from(u32_at(zip, at + 24)?);
        let name_len = u16_at(zip, at + 28)? as usize;
        let extra_len = u16_at(zip, at + 30)? as usize;
        let comment_len = u16_at(zip, at + 32)? as usize;
        let mut local = u64::from(u32_at(zip, at + 42)?);
        let name_bytes = zip
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| corrupt("zip name truncated"))?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        // Zip64: the sizes and offset that overflow 32 bits move, in order, to extra field 0x0001.
        let extra = zip
            .get(at + 46 + name_len..at + 46 + name_len + extra_len)
            .ok_or_else(|| corrupt("zip extra field truncated"))?;
        let mut e = 0;
        while e + 4 <= extra.len() {
            let id = u16_at(extra, e)?;
            let len = u16_at(extra, e + 2)? as usize;
            if id == 1 {
                let mut f = e + 4;
                for v in [&mut uncompressed, &mut compressed, &mut local] {
                    if *v == 0xFFFF_FFFF {
                        *v = u64_at(extra, f)?;
                        f += 8;
                    }
                }
            }
            e += 4 + len;
        }
        members.push(Member {
            name,
            method,
            compressed: to_usize(compressed)?,
            uncompressed: to_usize(uncompressed)?,
            local_offset: to_usize(local)?,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(members)
}

fn member_bytes(zip: &[u8], m: &Member) -> Result<Vec<u8>, Error> {
    const LOCAL: u32 = 0x0403_4b50;
    let at = m.local_offset;
    if u32_at(zip, at)? != LOCAL {
        return Err(corrupt(format!("bad local header for {}", m.name)));
    }
    let start = at + 30 + u16_at(zip, at + 26)? as usize + u16_at(zip, at + 28)? as usize;
    let raw = start
        .checked_add(m.compressed)
        .and_then(|end| zip.get(start..end))
        .ok_or_else(|| corrupt(format!("{} truncated", m.name)))?;
    match m.method {
        0 => Ok(raw.to_vec()),
        8 => {
            // Cap the allocation by what the directory announced: a hostile size cannot make us
            // reserve more than the member can decompress to.
            let mut out = Vec::with_capacity(m.uncompressed.min(raw.len().saturating_mul(64)));
            flate2::read::DeflateDecoder::new(raw)
                .take(m.uncompressed as u64)
                .read_to_end(&mut out)
                .map_err(|e| corrupt(format!("{}: {e}", m.name)))?;
            if out.len() != m.uncompressed {
                return Err(corrupt(format!("{}: wrong decompressed size", m.name)));
            }
            Ok(out)
        }
        other => Err(corrupt(format!(
            "{}: unsupported zip method {other}",
            m.name
        ))),
    }
}

/// Parses the `.npy` format: magic, version, a Python-dict header, then the raw array.
fn parse_npy(name: &str, b: &[u8]) -> Result<Array, Error> {
    if b.get(..6) != Some(b"\x93NUMPY".as_slice()) {
        return Err(corrupt(format!("{name}: not an npy array")));
    }
    let major = *b.get(6).ok_or_else(|| corrupt("npy truncated"))?;
    let (header_len, header_start) = if major == 1 {
        (u16_at(b, 8)? as usize, 10)
    } else {
        (u32_at(b, 8)? as usize, 12)
    };
    let header = b
        .get(header_start..header_start + header_len)
        .ok_or_else(|| corrupt(format!("{name}: npy header truncated")))?;
    let header = String::from_utf8_lossy(header);
    let field = |key: &str| -> Option<String> {
        let at = header.find(&format!("'{key}'"))? + key.len() + 2;
        let rest = header[at..].trim_start().strip_prefix(':')?.trim_start();
        let end = if rest.starts_with('(') {
            rest.find(')')? + 1
        } else {
            rest.find([',', '}'])?
        };
        Some(rest[..end].trim().to_string())
    };
    let descr = field("descr").ok_or_else(|| corrupt(format!("{name}: no descr")))?;
    if field("fortran_order").as_deref() != Some("False") {
        return Err(corrupt(format!("{name}: Fortran-order arrays unsupported")));
    }
    let shape_text = field("shape").ok_or_else(|| corrupt(format!("{name}: no shape")))?;
    let shape = shape_text
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| corrupt(format!("{name}: bad shape {shape_text}")))?;
    let n = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| corrupt(format!("{name}: shape overflows")))?;
    let body = &b[header_start + header_len..];
    let need = |width: usize| -> Result<&[u8], Error> {
        n.checked_mul(width)
            .and_then(|len| body.get(..len))
            .ok_or_else(|| corrupt(format!("{name}: array data truncated")))
    };
    let data = match descr.trim_matches('\'') {
        "<f4" => ArrayData::F32(
            need(4)?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        "<f8" => ArrayData::F64(
            need(8)?
                .chunks_exact(8)
                .map(|c| {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(c);
                    f64::from_le_bytes(a)
                })
                .collect(),
        ),
        "|u1" => ArrayData::U8(need(1)?.to_vec()),
        "|i1" => {
            need(1)?;
            ArrayData::Skipped
        }
        other => {
            return Err(corrupt(format!("{name}: unsupported dtype {other}")));
        }
    };
    Ok(Array { shape, data })
}

/// Reads every array of an `.npz` archive, keyed by member name without `.npy`.
pub fn read_npz(zip: &[u8]) -> Result<BTreeMap<String, Array>, Error> {
    let mut out = BTreeMap::new();
    for m in central_directory(zip)? {
        let bytes = member_bytes(zip, &m)?;
        let key = m.name.strip_suffix(".npy").unwrap_or(&m.name).to_string();
        let array = parse_npy(&m.name, &bytes)?;
        out.insert(key, array);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, shape: &str, body: &[u8]) -> Vec<u8> {
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn parses_npy_shapes_and_values() {
        let body: Vec<u8> = [1.5f32, -2.0, 3.25, 0.0, 7.0, 8.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let a = parse_npy("a", &npy("<f4", "(2, 3)", &body)).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        match a.data {
            ArrayData::F32(v) => assert_eq!(v, vec![1.5, -2.0, 3.25, 0.0, 7.0, 8.0]),
            other => panic!("wrong dtype {other:?}"),
        }
        let s = parse_npy("s", &npy("<f8", "()", &0.5f64.to_le_bytes())).unwrap();
        assert!(s.shape.is_empty());
        assert!(matches!(s.data, ArrayData::F64(ref v) if v == &[0.5]));
        let one = parse_npy("o", &npy("|u1", "(3,)", &[1, 2, 3])).unwrap();
        assert_eq!(one.shape, vec![3]);
    }

    #[test]
    fn truncated_or_garbage_input_is_an_error() {
        let full = npy("<f4", "(2, 3)", &[0u8; 24]);
        assert!(parse_npy("t", &full[..full.len() - 1]).is_err());
        assert!(parse_npy("g", b"not numpy at all").is_err());
        assert!(read_npz(b"").is_err());
        assert!(read_npz(&[0x50, 0x4b, 0x05, 0x06, 0xff, 0xff]).is_err());
        let mut eocd = vec![0u8; 22];
        eocd[..4].copy_from_slice(&0x0605_4b50u32.to_le_bytes());
        eocd[10] = 5; // claims five entries, none present
        assert!(read_npz(&eocd).is_err());
    }
}
