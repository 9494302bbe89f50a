//! C2PA content credentials of an image file (feature `c2pa`): the active manifest's signer,
//! claim generator, actions and digital source types, and what its validation concluded,
//! condensed to a [`Provenance`].
//!
//! Offline by construction: the `c2pa` crate is built without HTTP and OpenSSL, and remote
//! manifests and OCSP are switched off in its settings as well. No trust list is configured,
//! so a valid manifest is "valid" and not "trusted" (`signingCredential.untrusted` is not
//! counted as a failure); who signed is told by the certificate itself, down to its SHA-256.
//! The bytes are the ones ingest already read within `max_media_bytes`.

use c2pa::validation_results::ValidationState;
use c2pa::{Context, Reader};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::sync::Arc;
use vigie_core::{Provenance, ProvenanceState};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

/// The failure code given when a manifest store is present but cannot be parsed at all.
pub const UNREADABLE: &str = "manifest.unreadable";

/// Reads manifests with one shared, offline configuration.
#[derive(Clone)]
pub struct CredentialReader {
    context: Arc<Context>,
}

impl CredentialReader {
    pub fn new() -> CredentialReader {
        let settings = r#"{"verify": {"remote_manifest_fetch": false, "ocsp_fetch": false,
            "verify_after_reading": true, "verify_trust": true}}"#;
        // The settings are a constant known to parse; should a future release refuse one of
        // them, its defaults are still offline in this build (no HTTP feature).
        let context = Context::new()
            .with_settings(settings)
            .unwrap_or_else(|_| Context::new());
        CredentialReader {
            context: context.into_shared(),
        }
    }

    /// The credentials of a PNG or JPEG file's bytes (`mime`: `image/png` or `image/jpeg`).
    pub fn read(&self, bytes: &[u8], mime: &str) -> Provenance {
        // The manifest parser is a large body of code fed hostile bytes: a panic in it is one
        // unreadable manifest, not a lost run.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Reader::from_shared_context(&self.context).with_stream(mime, Cursor::new(bytes))
        }));
        match read {
            Ok(Ok(reader)) => facts(&reader),
            Ok(Err(c2pa::Error::JumbfNotFound | c2pa::Error::ProvenanceMissing)) => {
                Provenance::none()
            }
            Ok(Err(_)) | Err(_) => {
                let mut p = Provenance::none();
                p.state = ProvenanceState::Invalid;
                p.failures = vec![UNREADABLE.to_owned()];
                p
            }
        }
    }
}

impl Default for CredentialReader {
    fn default() -> Self {
        CredentialReader::new()
    }
}

fn facts(reader: &Reader) -> Provenance {
    let mut p = Provenance::none();
    let state = reader.validation_state();
    p.state = match state {
        ValidationState::Valid | ValidationState::Trusted => ProvenanceState::Valid,
        ValidationState::Invalid => ProvenanceState::Invalid,
    };
    p.trusted = state == ValidationState::Trusted;
    let failures = reader
        .validation_results()
        .and_then(|r| r.active_manifest())
        .map(|m| m.failure().iter().map(|s| s.code().to_owned()).collect())
        .unwrap_or_else(|| {
            reader
                .validation_status()
                .into_iter()
                .flatten()
                .map(|s| s.code().to_owned())
                .collect::<Vec<_>>()
        });
    p.failures = failures
        .into_iter()
        .filter(|c| c != c2pa::validation_status::SIGNING_CREDENTIAL_UNTRUSTED)
        .collect();
    p.failures.sort();
    p.failures.dedup();
    let Some(manifest) = reader.active_manifest() else {
        // A store without an active manifest claims nothing usable.
        if p.failures.is_empty() {
            p.failures.push(UNREADABLE.to_owned());
        }
        p.state = ProvenanceState::Invalid;
        return p;
    };
    p.title = manifest.title().map(str::to_owned);
    p.claim_generator = manifest.claim_generator().map(str::to_owned).or_else(|| {
        manifest
            .claim_generator_info
            .as_ref()
            .and_then(|infos| infos.first())
            .map(|info| info.name.clone())
    });
    if let Some(sig) = manifest.signature_info() {
        p.signer = sig.common_name.clone();
        // c2pa calls the signing certificate's subject organisation `issuer`.
        p.signer_org = sig.issuer.clone();
        p.signed_at = sig.time.clone();
        if let Some(cert) = leaf_certificate(sig.cert_chain()) {
            p.cert_sha256 = Some(hex(&Sha256::digest(&cert)));
            if let Ok((_, x509)) = X509Certificate::from_der(&cert) {
                p.cert_issuer =
                    first_attr(x509.issuer(), true).or_else(|| first_attr(x509.issuer(), false));
                if p.signer.is_none() {
                    p.signer = first_attr(x509.subject(), false);
                }
                if p.signer_org.is_none() {
                    p.signer_org = first_attr(x509.subject(), true);
                }
            }
        }
    }
    for assertion in manifest.assertions() {
        if !assertion.label().starts_with("c2pa.actions") {
            continue;
        }
        let Ok(value) = assertion.value() else {
            continue;
        };
        let actions = value.get("actions").and_then(|a| a.as_array());
        for action in actions.into_iter().flatten() {
            if let Some(name) = action.get("action").and_then(|a| a.as_str()) {
                p.actions.push(name.to_owned());
            }
            if let Some(t) = action.get("digitalSourceType").and_then(|t| t.as_str()) {
                p.add_source_type(t);
            }
        }
    }
    p
}

/// The DER of the first certificate of a PEM chain.
fn leaf_certificate(chain_pem: &str) -> Option<Vec<u8>> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(chain_pem.as_bytes()).ok()?;
    Some(pem.contents)
}

/// The first organisation (`org`) or common name of a distinguished name.
fn first_attr(name: &X509Name<'_>, org: bool) -> Option<String> {
    let mut it = if org {
        Box::new(name.iter_organization()) as Box<dyn Iterator<Item = _>>
    } else {
        Box::new(name.iter_common_name())
    };
    it.next().and_then(|a| a.as_str().ok()).map(str::to_owned)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signed sample files for tests, `vigie generate` and `vigie bench`: the test PKI under
/// `testdata/c2pa` (made by its `make.sh` for vigie; its CAs are trusted by nothing).
pub mod sample {
    use c2pa::{Builder, Context, SigningAlg};
    use serde_json::json;
    use sha2::{Digest, Sha256};
    use std::io::Cursor;

    /// The test identities.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Identity {
        /// O = Le Monde, under the vigie test CA: the outlet's genuine signer in tests.
        Outlet,
        /// O = vigie test imaging: an image generator that declares its output as AI-made.
        Generator,
        /// O = Le Monde as well, under another CA: a look-alike signer only a fingerprint exposes.
        Rogue,
    }

    impl Identity {
        fn pem(self) -> (&'static str, &'static str) {
            match self {
                Identity::Outlet => (
                    include_str!("../testdata/c2pa/outlet.chain.pem"),
                    include_str!("../testdata/c2pa/outlet.key"),
                ),
                Identity::Generator => (
                    include_str!("../testdata/c2pa/generator.chain.pem"),
                    include_str!("../testdata/c2pa/generator.key"),
                ),
                Identity::Rogue => (
                    include_str!("../testdata/c2pa/rogue.chain.pem"),
                    include_str!("../testdata/c2pa/rogue.key"),
                ),
            }
        }

        /// SHA-256 of the signing certificate, as [`super::CredentialReader`] reports it.
        pub fn cert_sha256(self) -> Option<String> {
            super::leaf_certificate(self.pem().0).map(|der| super::hex(&Sha256::digest(der)))
        }
    }

    /// One action of the manifest: its name and, optionally, an IPTC digital source type name
    /// (`digitalCapture`, `trainedAlgorithmicMedia`, …).
    pub type Action<'a> = (&'a str, Option<&'a str>);

    /// Signs `bytes` (PNG or JPEG, `mime`) with a manifest naming `generator` and `actions`.
    pub fn sign(
        bytes: &[u8],
        mime: &str,
        identity: Identity,
        title: &str,
        generator: &str,
        actions: &[Action<'_>],
    ) -> Result<Vec<u8>, c2pa::Error> {
        let actions: Vec<_> = actions
            .iter()
            .map(|(name, source)| match source {
                Some(s) => json!({"action": name, "digitalSourceType":
                    format!("http://cv.iptc.org/newscodes/digitalsourcetype/{s}")}),
                None => json!({"action": name}),
            })
            .collect();
        let definition = json!({
            "title": title,
            "claim_generator_info": [{"name": generator, "version": "1.0"}],
            "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}],
        });
        let context = Context::new().with_settings(
            r#"{"verify": {"verify_after_sign": false, "remote_manifest_fetch": false, "ocsp_fetch": false},
                "builder": {"thumbnail": {"enabled": false}}}"#,
        )?;
        let mut builder = Builder::from_context(context).with_definition(definition)?;
        let (chain, key) = identity.pem();
        let signer = c2pa::create_signer::from_keys(
            chain.as_bytes(),
            key.as_bytes(),
            SigningAlg::Es256,
            None,
        )?;
        let mut out = Cursor::new(Vec::new());
        builder.sign(signer.as_ref(), mime, &mut Cursor::new(bytes), &mut out)?;
        Ok(out.into_inner())
    }

    /// Changes the picture of a signed JPEG after signing: one byte of the compressed scan data
    /// in the middle of the file, chosen so the stream stays decodable (no marker created).
    pub fn tamper_jpeg(signed: &[u8]) -> Option<Vec<u8>> {
        // The last start-of-scan marker; the scan data runs from after its header to EOI.
        let sos = signed.windows(2).rposition(|w| w == [0xFF, 0xDA])?;
        let header = usize::from(u16::from_be_bytes([
            *signed.get(sos + 2)?,
            *signed.get(sos + 3)?,
        ]));
        let start = sos + 2 + header;
        let end = signed.len().checked_sub(2)?;
        let at = (start..end)
            .skip((end.saturating_sub(start)) / 2)
            .find(|&i| signed[i] != 0xFF && signed[i] ^ 0x10 != 0xFF && signed[i - 1] != 0xFF)?;
        let mut out = signed.to_vec();
        out[at] ^= 0x10;
        Some(out)
    }
}
