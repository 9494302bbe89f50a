//! RSS 2.0, RSS 1.0 (RDF) and Atom feeds, streamed with quick-xml: each `<item>`/`<entry>` becomes
//! an [`Article`].
//!
//! Hostile-input rules: entities are never expanded beyond the XML/HTML predefined set (no DTD,
//! no external entities, so "billion laughs" stays literal text); one XML token may not exceed
//! 8 × `max_record_bytes` (else the read stops: quick-xml would buffer it whole); element nesting is
//! capped; every stored field is cut at `max_record_bytes`.

use crate::{Event, ReadContext, Rejected, Sink, SourceError};
use quick_xml::events::{BytesStart, Event as Xml};
use serde_json::{Map, Value};
use std::io::{self, BufRead, Read};
use vigie_core::{Article, Record};
use vigie_normalise::time::parse_timestamp;
use vigie_normalise::urls::{host, normalise_domain, registrable_domain};

const FORMAT: &str = "RSS/Atom feed";
/// Real feeds nest a dozen levels; anything deeper is an attack on the parser's bookkeeping.
const MAX_XML_DEPTH: usize = 256;
/// `<link>` elements remembered per item (Atom allows several; an attacker could send millions).
const MAX_LINKS: usize = 16;

/// Passes bytes to quick-xml, counting lines, bounding the size of one XML token, and copying the
/// bytes of the current item for quarantine.
struct Counting<'r> {
    inner: &'r mut dyn BufRead,
    /// 1-based line of the next unconsumed byte.
    line: u64,
    /// Bytes consumed since the last event was returned.
    token_bytes: usize,
    token_limit: usize,
    limit_hit: bool,
    capture: Option<Vec<u8>>,
    capture_max: usize,
}

impl Read for Counting<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Counting<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.token_bytes > self.token_limit {
            self.limit_hit = true;
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("an XML token longer than {} bytes", self.token_limit),
            ));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // The bytes being consumed are still at the front of the inner buffer.
        if let Ok(buf) = self.inner.fill_buf() {
            let seen = &buf[..amt.min(buf.len())];
            self.line += memchr::memchr_iter(b'\n', seen).count() as u64;
            if let Some(cap) = &mut self.capture {
                let room = self.capture_max.saturating_sub(cap.len());
                cap.extend_from_slice(&seen[..seen.len().min(room)]);
            }
        }
        self.token_bytes = self.token_bytes.saturating_add(amt);
        self.inner.consume(amt);
    }
}

/// What a piece of text inside an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Link,
    Guid,
    Id,
    Published,
    PubDate,
    DcDate,
    Updated,
    Description,
    Content,
    Summary,
    MediaDescription,
    Author,
    AuthorName,
    Language,
    ChannelTitle,
    ChannelLink,
    ChannelLanguage,
    Ignored,
}

impl Field {
    /// Fields whose text may sit in child elements (XHTML content).
    fn deep(self) -> bool {
        matches!(
            self,
            Field::Description | Field::Content | Field::Summary | Field::MediaDescription
        )
    }
}

#[derive(Default)]
struct Item {
    line: u64,
    title: String,
    link: String,
    /// `(rel, href)` of Atom-style links.
    links: Vec<(String, String)>,
    about: Option<String>,
    guid: String,
    guid_permalink: bool,
    id: String,
    published: String,
    pub_date: String,
    dc_date: String,
    updated: String,
    description: String,
    content: String,
    summary: String,
    media_description: String,
    author: String,
    author_name: String,
    language: String,
}

impl Item {
    fn slot(&mut self, f: Field) -> Option<&mut String> {
        Some(match f {
            Field::Title => &mut self.title,
            Field::Link => &mut self.link,
            Field::Guid => &mut self.guid,
            Field::Id => &mut self.id,
            Field::Published => &mut self.published,
            Field::PubDate => &mut self.pub_date,
            Field::DcDate => &mut self.dc_date,
            Field::Updated => &mut self.updated,
            Field::Description => &mut self.description,
            Field::Content => &mut self.content,
            Field::Summary => &mut self.summary,
            Field::MediaDescription => &mut self.media_description,
            Field::Author => &mut self.author,
            Field::AuthorName => &mut self.author_name,
            Field::Language => &mut self.language,
            _ => return None,
        })
    }
}

#[derive(Default)]
struct Channel {
    title: String,
    link: String,
    language: String,
}

struct Parser<'c> {
    ctx: ReadContext<'c>,
    /// Local names of the open elements.
    stack: Vec<Vec<u8>>,
    /// Fields being captured, with the depth of their element.
    fields: Vec<(Field, usize)>,
    channel: Channel,
    item: Option<Item>,
    /// Stack depth of the open `<item>`/`<entry>`.
    item_depth: usize,
}

pub fn read(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let max = ctx.limits.max_record_bytes;
    let counting = Counting {
        inner: r,
        line: 1,
        token_bytes: 0,
        token_limit: max.saturating_mul(8).max(64 * 1024),
        limit_hit: false,
        capture: None,
        capture_max: max,
    };
    let mut xml = quick_xml::Reader::from_reader(counting);
    let mut p = Parser {
        ctx,
        stack: Vec::new(),
        fields: Vec::new(),
        channel: Channel::default(),
        item: None,
        item_depth: 0,
    };
    let mut buf = Vec::with_capacity(8 * 1024);
    loop {
        buf.clear();
        xml.get_mut().token_bytes = 0;
        let line = xml.get_ref().line;
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let at = xml.get_ref();
                return Err(match e {
                    quick_xml::Error::Io(io) if !at.limit_hit => {
                        SourceError::io(ctx.name, io::Error::new(io.kind(), io.to_string()))
                    }
                    other => p.malformed(at.line, format!("{other}")),
                });
            }
        };
        match event {
            Xml::Start(e) => {
                p.start(&e, line, xml.get_mut())?;
            }
            Xml::Empty(e) => {
                p.start(&e, line, xml.get_mut())?;
                if let Some(ev) = p.end(xml.get_mut()) {
                    if sink.event(ev).is_break() {
                        return Ok(());
                    }
                }
            }
            Xml::End(_) => {
                if let Some(ev) = p.end(xml.get_mut()) {
                    if sink.event(ev).is_break() {
                        return Ok(());
                    }
                }
            }
            Xml::Text(t) => p.text(&decode_entities(&String::from_utf8_lossy(&t))),
            Xml::CData(c) => p.text(&String::from_utf8_lossy(&c)),
            Xml::Eof => break,
            // Declarations, comments, processing instructions and the DTD carry no content; the
            // DTD's entity definitions are deliberately never applied.
            _ => {}
        }
    }
    if p.item.is_some() || !p.stack.is_empty() {
        return Err(p.malformed(
            xml.get_ref().line,
            "the feed ends inside an element (truncated?)".into(),
        ));
    }
    Ok(())
}

fn local(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn prefix(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => &name[..i],
        None => b"",
    }
}

/// Attribute value by local name, entity-decoded.
fn attr(e: &BytesStart<'_>, want: &[u8]) -> Option<String> {
    let mut attrs = e.attributes();
    attrs.with_checks(false);
    attrs
        .flatten()
        .find(|a| local(a.key.as_ref()) == want)
        .map(|a| {
            decode_entities(&String::from_utf8_lossy(&a.value))
                .trim()
                .to_owned()
        })
}

impl Parser<'_> {
    fn malformed(&self, line: u64, reason: String) -> SourceError {
        SourceError::Malformed {
            input: self.ctx.name.to_owned(),
            format: FORMAT,
            line,
            reason,
        }
    }

    fn parent(&self) -> &[u8] {
        self.stack
            .len()
            .checked_sub(2)
            .and_then(|i| self.stack.get(i))
            .map(Vec::as_slice)
            .unwrap_or(b"")
    }

    fn start(
        &mut self,
        e: &BytesStart<'_>,
        line: u64,
        io: &mut Counting<'_>,
    ) -> Result<(), SourceError> {
        if self.stack.len() >= MAX_XML_DEPTH {
            return Err(self.malformed(
                line,
                format!("XML nested deeper than {MAX_XML_DEPTH} elements"),
            ));
        }
        let qname = e.name();
        let owned = local(qname.as_ref()).to_vec();
        let pfx = prefix(qname.as_ref()).to_vec();
        self.stack.push(owned.clone());
        let depth = self.stack.len();
        let name = owned.as_slice();

        // Text of a deep field is split by child elements (`<p>a</p><p>b</p>`): keep words apart.
        if let Some(&(f, d)) = self.fields.last() {
            if f.deep() && depth > d {
                self.text(" ");
                return Ok(());
            }
        }

        if self.item.is_none() {
            if matches!(name, b"item" | b"entry") {
                let mut item = Item {
                    line,
                    about: attr(e, b"about"),
                    ..Item::default()
                };
                item.line = line;
                self.item = Some(item);
                self.item_depth = depth;
                // Quarantine copy: the start tag was consumed already, so rebuild it.
                let mut cap = Vec::with_capacity(1024);
                cap.push(b'<');
                cap.extend_from_slice(e);
                cap.push(b'>');
                io.capture = Some(cap);
                return Ok(());
            }
            if matches!(name, b"rss" | b"feed" | b"RDF" | b"channel") {
                if let Some(lang) = attr(e, b"lang") {
                    self.channel.language = lang;
                }
            }
            if matches!(self.parent(), b"channel" | b"feed") {
                let field = match name {
                    b"title" => Some(Field::ChannelTitle),
                    b"language" => Some(Field::ChannelLanguage),
                    b"link" => match attr(e, b"href") {
                        Some(href) => {
                            let rel = attr(e, b"rel").unwrap_or_default();
                            if self.channel.link.is_empty()
                                && (rel.is_empty() || rel == "alternate")
                            {
                                self.channel.link = href;
                            }
                            None
                        }
                        None => Some(Field::ChannelLink),
                    },
                    _ => None,
                };
                if let Some(f) = field {
                    self.fields.push((f, depth));
                }
            }
            return Ok(());
        }

        let rel_depth = depth - self.item_depth;
        let parent_is_author = self.parent() == b"author";
        let field = if rel_depth == 1 {
            match (name, pfx.as_slice()) {
                (b"description", b"media") => Some(Field::MediaDescription),
                (_, b"media") => None,
                (b"title", _) => Some(Field::Title),
                (b"link", _) => match attr(e, b"href") {
                    Some(href) => {
                        if let Some(item) = &mut self.item {
                            if item.links.len() < MAX_LINKS {
                                item.links.push((attr(e, b"rel").unwrap_or_default(), href));
                            }
                        }
                        None
                    }
                    None => Some(Field::Link),
                },
                (b"guid", _) => {
                    let permalink = attr(e, b"isPermaLink").is_none_or(|v| v != "false");
                    if let Some(item) = &mut self.item {
                        item.guid_permalink = permalink;
                    }
                    Some(Field::Guid)
                }
                (b"id", _) => Some(Field::Id),
                (b"published" | b"issued", _) => Some(Field::Published),
                (b"pubDate", _) => Some(Field::PubDate),
                (b"date", _) => Some(Field::DcDate),
                (b"updated" | b"modified", _) => Some(Field::Updated),
                (b"description", _) => Some(Field::Description),
                (b"encoded" | b"content", _) => Some(Field::Content),
                (b"summary", _) => Some(Field::Summary),
                (b"author" | b"creator", _) => Some(Field::Author),
                (b"language", _) => Some(Field::Language),
                _ => None,
            }
        } else if name == b"name" && parent_is_author {
            Some(Field::AuthorName)
        } else if name == b"description" && pfx == b"media" {
            // YouTube nests it in <media:group>: a fallback text for entries without content.
            Some(Field::MediaDescription)
        } else {
            None
        };
        match field {
            Some(f) => self.fields.push((f, depth)),
            // Text directly under an unknown element must not leak into an enclosing field.
            None if !self.fields.is_empty() => self.fields.push((Field::Ignored, depth)),
            None => {}
        }
        Ok(())
    }

    fn text(&mut self, t: &str) {
        let depth = self.stack.len();
        let Some(&(f, d)) = self.fields.last() else {
            return;
        };
        if d != depth && !f.deep() {
            return;
        }
        let max = self.ctx.limits.max_record_bytes;
        let slot = match f {
            Field::ChannelTitle => Some(&mut self.channel.title),
            Field::ChannelLink => Some(&mut self.channel.link),
            Field::ChannelLanguage => Some(&mut self.channel.language),
            _ => self.item.as_mut().and_then(|i| i.slot(f)),
        };
        if let Some(s) = slot {
            push_bounded(s, t, max);
        }
    }

    /// Closes the innermost element; the article (or rejection) when it was an item.
    fn end(&mut self, io: &mut Counting<'_>) -> Option<Event> {
        let depth = self.stack.len();
        if let Some(&(f, d)) = self.fields.last() {
            if d == depth {
                self.fields.pop();
            } else if f.deep() && depth > d {
                self.text(" ");
            }
        }
        self.stack.pop();
        if self.item.is_some() && depth == self.item_depth {
            let item = self.item.take()?;
            let raw = io.capture.take().unwrap_or_default();
            self.fields.clear();
            return Some(match self.article(&item) {
                Ok(a) => Event::Record {
                    line: item.line,
                    record: Record::Article(a),
                },
                Err(reason) => Event::Rejected(Rejected {
                    line: item.line,
                    reason,
                    raw,
                }),
            });
        }
        None
    }

    fn article(&self, item: &Item) -> Result<Article, String> {
        let max = self.ctx.limits.max_record_bytes;
        let channel_link = self.channel.link.trim();
        let rel_link = |rel: &str| {
            item.links
                .iter()
                .find(|(r, h)| r == rel && !h.is_empty())
                .map(|(_, h)| h.clone())
        };
        let guid = item.guid.trim();
        let guid_link = (item.guid_permalink
            && (guid.starts_with("http://") || guid.starts_with("https://")))
        .then(|| guid.to_owned());
        let link = Some(item.link.trim().to_owned())
            .filter(|l| !l.is_empty())
            .or_else(|| rel_link("alternate"))
            .or_else(|| rel_link(""))
            .or_else(|| {
                item.links
                    .iter()
                    .find(|(r, _)| r != "self")
                    .map(|(_, h)| h.clone())
            })
            .or(guid_link)
            .or_else(|| item.about.clone().filter(|a| !a.is_empty()))
            .ok_or("item without a link (link, atom:link or permalink guid)")?;
        let url = absolute(&link, channel_link);
        let site = site_of(&url)
            .or_else(|| site_of(channel_link))
            .ok_or_else(|| {
                format!("no site: neither the link {url:?} nor the feed link has a host")
            })?;

        let raw_date = [
            &item.published,
            &item.pub_date,
            &item.dc_date,
            &item.updated,
        ]
        .into_iter()
        .map(|d| d.trim())
        .find(|d| !d.is_empty())
        .ok_or("item without a date (pubDate, published, updated or dc:date)")?;
        let published_at = parse_timestamp(raw_date).ok_or_else(|| {
            let shown: String = raw_date.chars().take(60).collect();
            format!("unreadable date {shown:?}")
        })?;

        let text = [
            &item.content,
            &item.description,
            &item.summary,
            &item.media_description,
        ]
        .into_iter()
        .map(|t| html_to_text(t, max))
        .find(|t| !t.is_empty())
        .unwrap_or_default();
        let author = [&item.author_name, &item.author]
            .into_iter()
            .map(|a| author_name(&html_to_text(a, 1024)))
            .find(|a| !a.is_empty());
        let id = [&item.guid, &item.id]
            .into_iter()
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
            .map(str::to_owned);
        let lang = [&item.language, &self.channel.language]
            .into_iter()
            .find_map(|l| vigie_normalise::lang::normalise_lang(l));
        let mut extra = Map::new();
        let feed_title = html_to_text(&self.channel.title, 1024);
        if !feed_title.is_empty() {
            extra.insert("feed_title".into(), Value::from(feed_title));
        }
        Ok(Article {
            url,
            site,
            published_at,
            title: html_to_text(&item.title, max),
            text,
            id,
            author,
            lang,
            source_url: None,
            extra,
        })
    }
}

fn push_bounded(s: &mut String, t: &str, max: usize) {
    let room = max.saturating_sub(s.len());
    if t.len() <= room {
        s.push_str(t);
    } else {
        s.push_str(&t[..floor_char_boundary(t, room)]);
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Relative links (`/news/x`) are resolved against the feed's own link.
fn absolute(link: &str, channel_link: &str) -> String {
    if !link.starts_with('/') || link.starts_with("//") {
        return link.to_owned();
    }
    let Some(scheme_end) = channel_link.find("://") else {
        return link.to_owned();
    };
    let after = &channel_link[scheme_end + 3..];
    let origin_end = scheme_end + 3 + after.find('/').unwrap_or(after.len());
    format!("{}{link}", &channel_link[..origin_end])
}

/// Registrable domain of a URL's host (the host itself when it has none, e.g. an unknown suffix).
fn site_of(url: &str) -> Option<String> {
    let h = host(url).or_else(|| normalise_domain(url))?;
    registrable_domain(&h).or_else(|| normalise_domain(&h))
}

/// RSS writes `editor@site.example (Jane Doe)`: keep the name.
fn author_name(raw: &str) -> String {
    let raw = raw.trim();
    if let (Some(open), true) = (raw.find('('), raw.ends_with(')')) {
        let name = raw[open + 1..raw.len() - 1].trim();
        if !name.is_empty() && raw[..open].contains('@') {
            return name.to_owned();
        }
    }
    raw.to_owned()
}

/// Plain text of an HTML fragment: tags (and script/style bodies, comments) removed, block tags
/// turned into spaces, entities decoded, whitespace collapsed, cut at `max` bytes.
fn html_to_text(html: &str, max: usize) -> String {
    let mut stripped = String::with_capacity(html.len().min(max));
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        stripped.push_str(&rest[..lt]);
        let tag = &rest[lt..];
        let next = tag.as_bytes().get(1).copied().unwrap_or(b' ');
        if !(next.is_ascii_alphabetic() || next == b'/' || next == b'!' || next == b'?') {
            // `a < b` is text, not a tag.
            stripped.push('<');
            rest = &tag[1..];
            continue;
        }
        if tag.starts_with("<!--") {
            rest = tag.find("-->").map(|i| &tag[i + 3..]).unwrap_or("");
            continue;
        }
        let Some(gt) = tag.find('>') else {
            // An unclosed tag at the end: drop it.
            rest = "";
            break;
        };
        let lower: String = tag[1..gt]
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &tag[gt + 1..];
        for body in ["script", "style"] {
            if lower.starts_with(body) {
                let close = format!("</{body}");
                rest = find_ascii_ci(rest, &close)
                    .and_then(|i| rest[i..].find('>').map(|j| &rest[i + j + 1..]))
                    .unwrap_or("");
            }
        }
        stripped.push(' ');
    }
    stripped.push_str(rest);
    let decoded = decode_entities(&stripped);
    let mut out = String::with_capacity(decoded.len().min(max));
    for word in decoded.split_whitespace() {
        if !out.is_empty() {
            if out.len() + 1 > max {
                break;
            }
            out.push(' ');
        }
        push_bounded(&mut out, word, max);
        if out.len() >= max {
            break;
        }
    }
    out
}

fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    hay.as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Decodes `&name;`, `&#NN;` and `&#xHH;`. Only the XML predefined entities and common HTML ones
/// are known; anything else (including entities a DTD would define) is left as written.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.bytes().take(32).position(|b| b == b';');
        let decoded = semi.and_then(|end| {
            let name = &after[..end];
            let c = if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                }?;
                Some(match char::from_u32(code) {
                    Some('\0') | None => '\u{FFFD}',
                    Some(c) => c,
                })
            } else {
                named_entity(name)
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "sbquo" => '‚',
        "euro" => '€',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        "shy" => '\u{ad}',
        "agrave" => 'à',
        "aacute" => 'á',
        "acirc" => 'â',
        "auml" => 'ä',
        "ccedil" => 'ç',
        "egrave" => 'è',
        "eacute" => 'é',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "igrave" => 'ì',
        "iacute" => 'í',
        "icirc" => 'î',
        "iuml" => 'ï',
        "ntilde" => 'ñ',
        "ograve" => 'ò',
        "oacute" => 'ó',
        "ocirc" => 'ô',
        "ouml" => 'ö',
        "ugrave" => 'ù',
        "uacute" => 'ú',
        "ucirc" => 'û',
        "uuml" => 'ü',
        "szlig" => 'ß',
        "Agrave" => 'À',
        "Eacute" => 'É',
        "Egrave" => 'È',
        "Ccedil" => 'Ç',
        "oelig" => 'œ',
        "OElig" => 'Œ',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::config::InputConfig;

    fn run(data: &[u8], limits: &InputConfig) -> (Vec<Event>, Result<(), SourceError>) {
        crate::test_support::run(read, "feed.xml", data, limits)
    }

    fn articles(events: &[Event]) -> Vec<(u64, &Article)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Record {
                    line,
                    record: Record::Article(a),
                } => Some((*line, a)),
                _ => None,
            })
            .collect()
    }

    fn sample(name: &str) -> Option<Vec<u8>> {
        crate::test_support::sample(name)
    }

    fn one(name: &str) -> Option<(u64, Article)> {
        let data = sample(name)?;
        let (ev, res) = run(&data, &InputConfig::default());
        res.unwrap();
        assert!(
            !ev.iter().any(|e| matches!(e, Event::Rejected(_))),
            "{name}: {ev:?}"
        );
        let a = articles(&ev);
        assert_eq!(a.len(), 1, "{name}");
        a.first().map(|(l, a)| (*l, (*a).clone()))
    }

    #[test]
    fn rss_ilgiornale() {
        let Some((line, a)) = one("rss_sample_ilgiornale.xml") else {
            return;
        };
        assert_eq!(line, 11);
        assert_eq!(
            a.url,
            "https://www.ilgiornale.it/news/cronaca-nera/caso-saman-abbas-arrestato-pakistan-padre-shabbar-2085649.html"
        );
        assert_eq!(a.id.as_deref(), Some(a.url.as_str()));
        assert_eq!(a.site, "ilgiornale.it");
        assert_eq!(a.published_at.to_rfc3339(), "2022-11-15T20:15:04+00:00");
        assert_eq!(
            a.title,
            "Arrestato in Pakistan Shabbar Abbas. In Italia è accusato per l'omicidio di Saman"
        );
        // Escaped HTML: the <figure><img> is gone, the double-escaped apostrophe decoded.
        assert_eq!(
            a.text,
            "È stato arrestato in Pakistan per frode Shabbar, padre di Saman Abbas. In Italia l'uomo è accusato di essere il mandante di un presunto delitto d'onore"
        );
        assert_eq!(a.author.as_deref(), Some("Angela Leucci"));
        assert_eq!(a.lang.as_deref(), Some("it"));
        assert_eq!(a.extra["feed_title"], "Il Giornale - Cronache");
    }

    #[test]
    fn rss_ilmessaggero_cdata_and_localised_date() {
        let Some((line, a)) = one("rss_sample_ilmessaggero.xml") else {
            return;
        };
        assert_eq!(line, 18);
        assert_eq!(
            a.title,
            "Missili Polonia, cosa è successo? Tensione Nato-Russia, Mosca: non siamo stati noi"
        );
        assert!(
            a.text
                .starts_with("Non sono ancora le 16 di ieri pomeriggio"),
            "{}",
            a.text
        );
        assert!(a.text.ends_with("al limite..."), "{}", a.text);
        // `mer, 16 nov 2022 00:38:15 +0100`
        assert_eq!(a.published_at.to_rfc3339(), "2022-11-15T23:38:15+00:00");
        assert_eq!(a.lang.as_deref(), Some("it"), "from `IT-it`");
        assert_eq!(a.site, "ilmessaggero.it");
    }

    #[test]
    fn rss_nbc_nonstandard_date_and_dc_creator() {
        let Some((_, a)) = one("rss_sample_nbcnewyork.xml") else {
            return;
        };
        assert_eq!(a.published_at.to_rfc3339(), "2023-12-16T14:02:33+00:00");
        assert_eq!(
            a.author.as_deref(),
            Some("Gaby Acevedo and Jessica Cunnington")
        );
        assert_eq!(a.id.as_deref(), Some("4956764"));
        assert_eq!(a.site, "nbcnewyork.com");
        assert_eq!(a.lang.as_deref(), Some("en"));
        assert!(
            a.text.starts_with("A young man was left for dead"),
            "{}",
            a.text
        );
        assert!(!a.text.contains("<p>"));
    }

    #[test]
    fn atom_reddit_and_youtube() {
        let Some((line, a)) = one("atom_sample_reddit.xml") else {
            return;
        };
        assert_eq!(line, 14);
        assert_eq!(a.url, "https://www.reddit.com/r/rust/comments/glvkc5/hey_rustaceans_got_an_easy_question_ask_here/");
        assert_eq!(a.id.as_deref(), Some("t3_glvkc5"));
        assert_eq!(a.author.as_deref(), Some("/u/llogiq"));
        assert_eq!(a.published_at.to_rfc3339(), "2020-05-18T05:44:47+00:00");
        assert_eq!(a.site, "reddit.com");
        assert!(
            a.text
                .starts_with("Mystified about strings? Borrow checker have you in a headlock?"),
            "{}",
            a.text
        );
        assert!(a.text.contains("haven't been written yet."), "{}", a.text);
        assert!(a.text.contains("the \"Rust\" tag"), "{}", a.text);
        assert!(
            !a.text.contains("SC_OFF") && !a.text.contains('<'),
            "{}",
            a.text
        );

        let Some((_, y)) = one("atom_sample_youtube.xml") else {
            return;
        };
        assert_eq!(y.url, "https://www.youtube.com/watch?v=0A1ouV7iD8o");
        assert_eq!(y.title, "Navigating with Quantum Entanglement");
        assert_eq!(
            y.published_at.to_rfc3339(),
            "2020-12-22T19:15:01+00:00",
            "published before updated"
        );
        assert_eq!(y.author.as_deref(), Some("PBS Space Time"));
        assert!(
            y.text.starts_with("Check Out Weathered on PBS Terra"),
            "{}",
            y.text
        );
    }

    #[test]
    fn bad_items_are_rejected_with_their_line_and_the_feed_goes_on() {
        let feed = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>T</title><link>https://www.example-news.fr/</link><language>fr-FR</language>
<item><title>no date</title><link>https://www.example-news.fr/a</link></item>
<item><title>no link</title><pubDate>Sun, 09 Jun 2024 10:00:00 +0200</pubDate></item>
<item><title>bad date</title><link>https://www.example-news.fr/b</link><pubDate>le 9 juin</pubDate></item>
<item>
  <title>good &amp; relative</title>
  <link>/c</link>
  <dc:date>2024-06-09T08:00:00Z</dc:date>
  <description>a &lt; b &amp;amp; &lt;b&gt;bold&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt; end</description>
</item>
<entry><title>atom-in-rss</title><link rel="self" href="https://x.example/self"/><link href="https://x.example/e"/><updated>2024-06-09T09:00:00Z</updated></entry>
</channel></rss>"#;
        let (ev, res) = run(feed.as_bytes(), &InputConfig::default());
        res.unwrap();
        let a = articles(&ev);
        assert_eq!(a.len(), 2);
        let (line, good) = a[0];
        assert_eq!(line, 7);
        assert_eq!(good.url, "https://www.example-news.fr/c");
        assert_eq!(good.site, "example-news.fr");
        assert_eq!(good.title, "good & relative");
        assert_eq!(good.text, "a < b & bold end");
        assert_eq!(good.lang.as_deref(), Some("fr"));
        assert_eq!(a[1].1.url, "https://x.example/e");
        let rej: Vec<(u64, String, Vec<u8>)> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Rejected(r) => Some((r.line, r.reason.clone(), r.raw.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(rej.iter().map(|r| r.0).collect::<Vec<_>>(), vec![4, 5, 6]);
        assert!(rej[0].1.contains("item without a date"), "{}", rej[0].1);
        assert!(rej[1].1.contains("item without a link"), "{}", rej[1].1);
        assert!(
            rej[2].1.contains("unreadable date \"le 9 juin\""),
            "{}",
            rej[2].1
        );
        assert_eq!(
            String::from_utf8_lossy(&rej[0].2),
            "<item><title>no date</title><link>https://www.example-news.fr/a</link></item>"
        );
    }

    #[test]
    fn billion_laughs_stays_literal() {
        let mut dtd =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            let prev = if i == 1 {
                "lol".to_owned()
            } else {
                format!("lol{}", i - 1)
            };
            dtd.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">\n",
                format!("&{prev};").repeat(10)
            ));
        }
        dtd.push_str("]>\n<rss><channel><link>https://a.example/</link><item><title>&lol9;</title><link>https://a.example/x</link><pubDate>2024-06-09T10:00:00Z</pubDate><description>&lol9;&lol9;</description></item></channel></rss>");
        let (ev, res) = run(dtd.as_bytes(), &InputConfig::default());
        res.unwrap();
        let a = articles(&ev);
        assert_eq!(a[0].1.title, "&lol9;");
        assert_eq!(a[0].1.text, "&lol9;&lol9;");
    }

    #[test]
    fn oversized_and_broken_feeds_fail_cleanly() {
        let limits = InputConfig {
            max_record_bytes: 1000,
            ..InputConfig::default()
        };
        // A description above the record limit is cut, not rejected.
        let long = format!(
            "<rss><channel><item><link>https://a.example/x</link><pubDate>2024-06-09T10:00:00Z</pubDate><description>{}</description></item></channel></rss>",
            "word ".repeat(1000)
        );
        let (ev, res) = run(long.as_bytes(), &limits);
        res.unwrap();
        let a = articles(&ev);
        assert!(
            a[0].1.text.len() <= 1000 && a[0].1.text.len() > 900,
            "{}",
            a[0].1.text.len()
        );
        // One text token beyond 8 × the limit stops the read instead of buffering it.
        let huge = format!("<rss><channel><item><description>{}", "x".repeat(200_000));
        let (_, res) = run(huge.as_bytes(), &limits);
        assert!(
            matches!(&res, Err(SourceError::Malformed { reason, .. }) if reason.contains("XML token longer")),
            "{res:?}"
        );
        // Deep nesting is refused before quick-xml's own bookkeeping grows.
        let deep = format!("<rss>{}", "<a>".repeat(100_000));
        let (_, res) = run(deep.as_bytes(), &limits);
        assert!(
            matches!(&res, Err(SourceError::Malformed { reason, .. }) if reason.contains("nested deeper")),
            "{res:?}"
        );
        // Truncation after a complete item: the item is delivered, then the error names the line.
        let cut = "<rss><channel>\n<item><link>https://a.example/x</link><pubDate>2024-06-09T10:00:00Z</pubDate></item>\n<item><link>https://a.example/y</li";
        let (ev, res) = run(cut.as_bytes(), &limits);
        assert_eq!(articles(&ev).len(), 1);
        assert!(
            matches!(&res, Err(SourceError::Malformed { line: 3, .. })),
            "{res:?}"
        );
        // Mismatched tags.
        let (_, res) = run(b"<rss><channel><item></channel></rss>", &limits);
        assert!(matches!(res, Err(SourceError::Malformed { .. })), "{res:?}");
    }

    #[test]
    fn html_helpers() {
        assert_eq!(html_to_text("<p>a</p><p>b</p>", 100), "a b");
        assert_eq!(
            html_to_text("x <!-- c -->y<style>p{}</style>z", 100),
            "x y z"
        );
        assert_eq!(
            html_to_text("5 < 6 &amp;&#x41;&#65;&bogus; &#0;", 100),
            "5 < 6 &AA&bogus; \u{FFFD}"
        );
        assert_eq!(html_to_text("ééé", 3), "é");
        assert_eq!(author_name("a@b.c (Jane Doe)"), "Jane Doe");
        assert_eq!(author_name("Jane (Paris)"), "Jane (Paris)");
        assert_eq!(absolute("/a/b", "https://x.fr/feed"), "https://x.fr/a/b");
        assert_eq!(absolute("https://y.fr/", "https://x.fr"), "https://y.fr/");
    }
}
