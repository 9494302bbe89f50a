//! Telegram Desktop "Export chat history" JSON: a whole `result.json` (`{name, type, id,
//! messages: [...]}`), a bare messages array, or a full account export (`{chats: {list: [chat…]}}`).
//! Both the current layout (`from_id: "channel123"`, `date_unixtime`, `text_entities`) and the 2020
//! layout (integer `from_id`, no `date_unixtime`, `text` mixing strings and entity objects) are read.
//!
//! Exports run to hundreds of megabytes, so the document is never held in memory. A small
//! structural scanner walks the outer object and cuts the `messages` array into elements, tracking
//! only strings and bracket depth; each element (at most `max_record_bytes`) is then parsed on its
//! own with serde_json. This was chosen over a serde `Visitor` on the whole stream because:
//! - a message nested beyond `max_json_depth` (or beyond serde_json's fixed 128 levels) is rejected
//!   by the iterative scanner alone, while serde_json would abort the whole document;
//! - a syntax error inside one message costs that message only, not the rest of the export;
//! - the quarantine gets the message's exact bytes, and its 1-based starting line.
//!
//! Damage the scanner cannot step over (the document ends inside a message, garbage between
//! messages) ends the read with [`SourceError::Malformed`] naming the line, after every message
//! before it has been delivered.

use crate::{Event, ReadContext, Rejected, Sink, SourceError};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::io::{self, BufRead};
use std::ops::ControlFlow;
use vigie_core::{Account, Post, Record};
use vigie_normalise::text::{extract_urls, fold};
use vigie_normalise::time::parse_timestamp;

const FORMAT: &str = "Telegram export JSON";
const PLATFORM: &str = "telegram";
/// Object keys are short; a longer one is not a Telegram export.
const MAX_KEY_BYTES: usize = 1024;
/// Authors already given an `Account`; cleared when large so memory stays bounded (the store
/// deduplicates).
const SEEN_AUTHORS_CAP: usize = 100_000;

pub fn read(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let mut reader = Reader {
        sc: Scanner { r, line: 1 },
        ctx,
        sink,
        seen_authors: HashSet::new(),
        found_messages: false,
    };
    match reader.document() {
        Ok(ControlFlow::Break(())) => Ok(()),
        Ok(ControlFlow::Continue(())) if reader.found_messages => Ok(()),
        Ok(ControlFlow::Continue(())) => {
            Err(reader.malformed(1, "no `messages` array: not a Telegram chat export".into()))
        }
        Err(e) => Err(e),
    }
}

/// Byte-level access to the input with line counting. Never reads ahead of what it consumes
/// beyond the reader's own buffer.
pub(crate) struct Scanner<'r> {
    pub(crate) r: &'r mut dyn BufRead,
    /// 1-based line of the next unconsumed byte.
    pub(crate) line: u64,
}

/// Why the scanner stopped.
pub(crate) enum ScanError {
    Io(io::Error),
    /// The input ended inside a value.
    Eof,
}

impl From<io::Error> for ScanError {
    fn from(e: io::Error) -> Self {
        ScanError::Io(e)
    }
}

/// One JSON value cut out of the stream.
pub(crate) struct Captured {
    /// Its bytes, verbatim, cut at the size limit.
    pub(crate) bytes: Vec<u8>,
    /// Line of its first byte.
    pub(crate) line: u64,
    pub(crate) overlong: bool,
    /// Deepest bracket nesting seen (the value's own bracket counts as 1).
    pub(crate) depth: usize,
}

impl Scanner<'_> {
    pub(crate) fn fill(&mut self) -> io::Result<&[u8]> {
        loop {
            match self.r.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        self.r.fill_buf()
    }

    /// Consumes `n` bytes of the current buffer, counting the newlines among them.
    pub(crate) fn advance(&mut self, n: usize) {
        if let Ok(buf) = self.r.fill_buf() {
            let n = n.min(buf.len());
            self.line += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
            self.r.consume(n);
        }
    }

    /// Skips whitespace; the next byte, not consumed, or `None` at the end of input.
    pub(crate) fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let ws = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let next = buf.get(ws).copied();
            self.advance(ws);
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    /// Skips whitespace and consumes the next byte if it is `want`.
    pub(crate) fn eat(&mut self, want: u8) -> io::Result<bool> {
        if self.skip_ws()? == Some(want) {
            self.advance(1);
            return Ok(true);
        }
        Ok(false)
    }

    /// Cuts the next JSON value out of the stream, keeping at most `max` of its bytes. Only strings
    /// and brackets are tracked (iteratively), so any nesting depth is survivable; syntax inside the
    /// value is checked later by serde_json on the captured bytes.
    pub(crate) fn capture(&mut self, max: usize) -> Result<Captured, ScanError> {
        let first = self.skip_ws()?.ok_or(ScanError::Eof)?;
        let mut cap = Captured {
            bytes: Vec::new(),
            line: self.line,
            overlong: false,
            depth: 0,
        };
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let mut started = false;
        let scalar = !matches!(first, b'{' | b'[' | b'"');
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                // A number or literal may end the input; anything open may not.
                return if scalar && started {
                    Ok(cap)
                } else {
                    Err(ScanError::Eof)
                };
            }
            let mut end = None;
            for (i, &b) in buf.iter().enumerate() {
                if scalar {
                    if matches!(b, b',' | b']' | b'}') || b.is_ascii_whitespace() {
                        end = Some(i);
                        break;
                    }
                    started = true;
                    continue;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => {
                        depth += 1;
                        cap.depth = cap.depth.max(depth);
                    }
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let take = end.unwrap_or(buf.len());
            let room = max.saturating_sub(cap.bytes.len());
            if take > room {
                cap.overlong = true;
            }
            cap.bytes.extend_from_slice(&buf[..take.min(room)]);
            self.advance(take);
            if end.is_some() {
                return Ok(cap);
            }
        }
    }
}

/// What the outer object says about the chat; fields arrive before `messages` in real exports.
#[derive(Default)]
struct Chat {
    id: Option<String>,
    name: Option<String>,
    kind: Option<String>,
}

impl Chat {
    fn is_channel(&self) -> bool {
        self.kind.as_deref().is_some_and(|k| k.contains("channel"))
    }

    /// The account id Telegram gives the chat itself when it is a channel.
    fn channel_account_id(&self) -> Option<String> {
        self.id
            .as_ref()
            .filter(|_| self.is_channel())
            .map(|id| format!("channel{id}"))
    }
}

struct Reader<'r, 'c, 's> {
    sc: Scanner<'r>,
    ctx: ReadContext<'c>,
    sink: &'s mut dyn Sink,
    seen_authors: HashSet<String>,
    found_messages: bool,
}

type Flow = Result<ControlFlow<()>, SourceError>;

impl Reader<'_, '_, '_> {
    fn malformed(&self, line: u64, reason: String) -> SourceError {
        SourceError::Malformed {
            input: self.ctx.name.to_owned(),
            format: FORMAT,
            line,
            reason,
        }
    }

    fn io(&self, e: io::Error) -> SourceError {
        SourceError::io(self.ctx.name, e)
    }

    fn scan_err(&self, e: ScanError, line: u64, what: &str) -> SourceError {
        match e {
            ScanError::Io(e) => self.io(e),
            ScanError::Eof => self.malformed(
                line,
                format!("the input ends inside {what} (truncated export?)"),
            ),
        }
    }

    fn document(&mut self) -> Flow {
        // A UTF-8 byte order mark is only ever the first three bytes.
        let bom = self.sc.fill().map(|b| b.starts_with(b"\xEF\xBB\xBF"));
        if bom.map_err(|e| self.io(e))? {
            self.sc.advance(3);
        }
        let flow = match self.sc.skip_ws().map_err(|e| self.io(e))? {
            Some(b'[') => {
                self.sc.advance(1);
                self.messages(&Chat::default())?
            }
            Some(b'{') => {
                self.sc.advance(1);
                self.chat_object(true)?
            }
            Some(b) => {
                return Err(self.malformed(
                    self.sc.line,
                    format!("expected a JSON object or array, found {:?}", char::from(b)),
                ))
            }
            None => return Err(self.malformed(1, "empty input".into())),
        };
        if flow.is_break() {
            return Ok(flow);
        }
        match self.sc.skip_ws().map_err(|e| self.io(e))? {
            None => Ok(ControlFlow::Continue(())),
            Some(_) => Err(self.malformed(
                self.sc.line,
                "unexpected data after the end of the export".into(),
            )),
        }
    }

    /// Reads an object key and its `:`; `None` at the closing `}`.
    fn key(&mut self, first: bool) -> Result<Option<String>, SourceError> {
        let line = self.sc.line;
        match self.sc.skip_ws().map_err(|e| self.io(e))? {
            Some(b'}') => {
                self.sc.advance(1);
                return Ok(None);
            }
            Some(b',') if !first => self.sc.advance(1),
            Some(_) if first => {}
            Some(b) => {
                return Err(self.malformed(
                    self.sc.line,
                    format!("expected `,` or `}}`, found {:?}", char::from(b)),
                ))
            }
            None => {
                return Err(self.malformed(
                    line,
                    "the input ends inside an object (truncated export?)".into(),
                ))
            }
        }
        let at = self.sc.line;
        if self.sc.skip_ws().map_err(|e| self.io(e))? != Some(b'"') {
            return Err(self.malformed(at, "expected an object key".into()));
        }
        let cap = self
            .sc
            .capture(MAX_KEY_BYTES)
            .map_err(|e| self.scan_err(e, at, "an object key"))?;
        let key: String = if cap.overlong {
            return Err(self.malformed(at, format!("object key longer than {MAX_KEY_BYTES} bytes")));
        } else {
            serde_json::from_slice(&cap.bytes)
                .map_err(|e| self.malformed(at, format!("invalid object key: {e}")))?
        };
        if !self.sc.eat(b':').map_err(|e| self.io(e))? {
            return Err(self.malformed(self.sc.line, format!("expected `:` after key {key:?}")));
        }
        Ok(Some(key))
    }

    /// A chat object, after its `{`. At the top level it may instead be a full account export,
    /// whose `chats.list` / `left_chats.list` hold chat objects; those are not searched further,
    /// so hostile nesting cannot recurse.
    fn chat_object(&mut self, top: bool) -> Flow {
        let mut chat = Chat::default();
        let mut first = true;
        while let Some(key) = self.key(first)? {
            first = false;
            let next = self.sc.skip_ws().map_err(|e| self.io(e))?;
            let flow = match (key.as_str(), next) {
                ("messages", Some(b'[')) => {
                    self.sc.advance(1);
                    self.messages(&chat)?
                }
                ("chats" | "left_chats", Some(b'{')) if top => {
                    self.sc.advance(1);
                    self.chat_list_container()?
                }
                _ => {
                    let line = self.sc.line;
                    let cap = self
                        .sc
                        .capture(self.ctx.limits.max_record_bytes)
                        .map_err(|e| self.scan_err(e, line, "a value"))?;
                    if !cap.overlong {
                        let v: Option<Value> = serde_json::from_slice(&cap.bytes).ok();
                        match (key.as_str(), v) {
                            ("id", Some(v)) => chat.id = id_string(&v),
                            ("name", Some(Value::String(s))) => chat.name = Some(s),
                            ("type", Some(Value::String(s))) => chat.kind = Some(s),
                            _ => {}
                        }
                    }
                    ControlFlow::Continue(())
                }
            };
            if flow.is_break() {
                return Ok(flow);
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// `{"about": …, "list": [chat, chat, …]}` of a full account export.
    fn chat_list_container(&mut self) -> Flow {
        let mut first = true;
        while let Some(key) = self.key(first)? {
            first = false;
            let next = self.sc.skip_ws().map_err(|e| self.io(e))?;
            if key == "list" && next == Some(b'[') {
                self.sc.advance(1);
                let mut first_chat = true;
                loop {
                    let line = self.sc.line;
                    match self.sc.skip_ws().map_err(|e| self.io(e))? {
                        Some(b']') => {
                            self.sc.advance(1);
                            break;
                        }
                        Some(b',') if !first_chat => self.sc.advance(1),
                        Some(_) if first_chat => {}
                        _ => {
                            return Err(
                                self.malformed(line, "expected `,` or `]` in the chat list".into())
                            )
                        }
                    }
                    first_chat = false;
                    if !self.sc.eat(b'{').map_err(|e| self.io(e))? {
                        return Err(self.malformed(
                            self.sc.line,
                            "a chat of the list is not an object".into(),
                        ));
                    }
                    if self.chat_object(false)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
            } else {
                let line = self.sc.line;
                self.sc
                    .capture(self.ctx.limits.max_record_bytes)
                    .map_err(|e| self.scan_err(e, line, "a value"))?;
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// The messages array, after its `[`.
    fn messages(&mut self, chat: &Chat) -> Flow {
        self.found_messages = true;
        if let Some(id) = chat.channel_account_id() {
            // The channel itself is an account; its posts carry `from_id: "channel<id>"`.
            let account = account(&id, chat.name.as_deref().unwrap_or(&id));
            self.remember(&id);
            let line = self.sc.line;
            if self
                .emit(Event::Record {
                    line,
                    record: account,
                })
                .is_break()
            {
                return Ok(ControlFlow::Break(()));
            }
        }
        let max = self.ctx.limits.max_record_bytes;
        let mut first = true;
        loop {
            match self.sc.skip_ws().map_err(|e| self.io(e))? {
                Some(b']') => {
                    self.sc.advance(1);
                    return Ok(ControlFlow::Continue(()));
                }
                Some(b',') if !first => self.sc.advance(1),
                Some(_) if first => {}
                Some(b) => {
                    return Err(self.malformed(
                        self.sc.line,
                        format!(
                            "expected `,` or `]` between messages, found {:?}",
                            char::from(b)
                        ),
                    ))
                }
                None => {
                    return Err(self.malformed(
                        self.sc.line,
                        "the input ends inside the messages array (truncated export?)".into(),
                    ))
                }
            }
            first = false;
            if self.sc.skip_ws().map_err(|e| self.io(e))? == Some(b']') {
                // A trailing comma before `]` is not JSON.
                return Err(self.malformed(self.sc.line, "expected a message after `,`".into()));
            }
            let start = self.sc.line;
            let cap = self
                .sc
                .capture(max)
                .map_err(|e| self.scan_err(e, start, "the message that starts on this line"))?;
            if self.message(chat, cap).is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
    }

    fn emit(&mut self, event: Event) -> ControlFlow<()> {
        self.sink.event(event)
    }

    fn remember(&mut self, author: &str) -> bool {
        if self.seen_authors.contains(author) {
            return false;
        }
        if self.seen_authors.len() >= SEEN_AUTHORS_CAP {
            self.seen_authors.clear();
        }
        self.seen_authors.insert(author.to_owned())
    }

    fn message(&mut self, chat: &Chat, cap: Captured) -> ControlFlow<()> {
        let line = cap.line;
        let limits = self.ctx.limits;
        let outcome = if cap.overlong {
            Err(format!(
                "message longer than the {}-byte limit (input.max_record_bytes)",
                limits.max_record_bytes
            ))
        } else if cap.depth > limits.max_json_depth {
            Err(format!(
                "JSON nested deeper than {} levels (input.max_json_depth)",
                limits.max_json_depth
            ))
        } else {
            match serde_json::from_slice::<Value>(&cap.bytes) {
                Err(e) => Err(format!("invalid JSON: {e}")),
                Ok(Value::Object(m)) => post(chat, &m),
                Ok(_) => Err("message is not a JSON object".into()),
            }
        };
        match outcome {
            Ok(None) => ControlFlow::Continue(()),
            Ok(Some((post, from_name))) => {
                if let Some(name) = from_name {
                    if self.remember(&post.author) {
                        let acc = account(&post.author, &name);
                        self.emit(Event::Record { line, record: acc })?;
                    }
                }
                self.emit(Event::Record {
                    line,
                    record: Record::Post(post),
                })
            }
            Err(reason) => self.emit(Event::Rejected(Rejected {
                line,
                reason,
                raw: cap.bytes,
            })),
        }
    }
}

fn account(id: &str, name: &str) -> Record {
    Record::Account(Account {
        id: id.to_owned(),
        platform: PLATFORM.into(),
        // Exports carry no @username, only the display name; it is what analysts see and what
        // impersonators copy.
        handle: name.to_owned(),
        display_name: Some(name.to_owned()),
        created_at: None,
        followers: None,
        following: None,
        posts_count: None,
        bio: None,
        verified: false,
        avatar_phash: None,
        avatar_path: None,
        location: None,
        extra: Map::new(),
    })
}

/// A numeric id as text: `123` or `"123"`.
fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        Value::String(s)
            if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(s.clone())
        }
        _ => None,
    }
}

/// A short string field; wrong types are errors, `null` is absent.
fn opt_str<'m>(m: &'m Map<String, Value>, key: &str) -> Result<Option<&'m str>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(format!(
            "`{key}` must be a string, found {}",
            type_name(other)
        )),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The message as a post (and the author's display name), `None` for service messages.
fn post(chat: &Chat, m: &Map<String, Value>) -> Result<Option<(Post, Option<String>)>, String> {
    match m.get("type") {
        None => {}
        Some(Value::String(t)) if t == "message" => {}
        // `service` (joins, pins, title changes…) says nothing anyone wrote.
        Some(Value::String(_)) => return Ok(None),
        Some(other) => {
            return Err(format!(
                "`type` must be a string, found {}",
                type_name(other)
            ))
        }
    }
    let msg_id = match m.get("id") {
        None => return Err("missing message `id`".into()),
        Some(v) => {
            id_string(v).ok_or_else(|| format!("message `id` must be an integer, found {v}"))?
        }
    };
    let scoped = |local: &str| match &chat.id {
        Some(c) => format!("{c}/{local}"),
        None => local.to_owned(),
    };
    let created_at = date(m)?;
    let author = author(chat, m)?;
    let (text, entities) = text_and_entities(m)?;

    let mut urls: Vec<String> = Vec::new();
    let mut hashtags: Vec<String> = Vec::new();
    let mut mentions: Vec<String> = Vec::new();
    let push = |list: &mut Vec<String>, v: String| {
        if !v.is_empty() && !list.contains(&v) {
            list.push(v);
        }
    };
    for e in &entities {
        let etext = e.get("text").and_then(Value::as_str).unwrap_or("").trim();
        match e.get("type").and_then(Value::as_str).unwrap_or("") {
            "link" => push(&mut urls, with_scheme(etext)),
            "text_link" => {
                if let Some(href) = e.get("href").and_then(Value::as_str) {
                    push(&mut urls, with_scheme(href.trim()));
                }
            }
            "hashtag" => push(&mut hashtags, fold(etext.trim_start_matches(['#', '＃']))),
            "mention" => push(&mut mentions, fold(etext.trim_start_matches('@'))),
            // A mention of a user without a username: the entity holds the numeric id.
            "mention_name" => {
                if let Some(uid) = e.get("user_id").and_then(id_string) {
                    push(&mut mentions, format!("user{uid}"));
                }
            }
            _ => {}
        }
    }
    for u in extract_urls(&text) {
        push(&mut urls, u);
    }

    let reply_to = match m.get("reply_to_message_id") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let rid = id_string(v)
                .ok_or_else(|| format!("`reply_to_message_id` must be an integer, found {v}"))?;
            // A reply into another chat names that chat (`reply_to_peer_id: "channel123"`).
            let peer = opt_str(m, "reply_to_peer_id")?
                .map(|p| p.trim_start_matches(|c: char| c.is_ascii_alphabetic()))
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            Some(match peer {
                Some(p) => format!("{p}/{rid}"),
                None => scoped(&rid),
            })
        }
    };

    let mut extra = Map::new();
    let from_name = opt_str(m, "from")?.map(str::to_owned);
    if let Some(name) = &from_name {
        extra.insert("from".into(), Value::from(name.as_str()));
    }
    // A forward names its origin by display name and (current exports) by id; there is no original
    // message id, so it cannot be a `repost_of`.
    for key in [
        "forwarded_from",
        "saved_from",
        "via_bot",
        "media_type",
        "mime_type",
        "edited",
    ] {
        if let Some(v) = opt_str(m, key)? {
            extra.insert(key.into(), Value::from(v));
        }
    }
    match m.get("forwarded_from_id") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            extra.insert("forwarded_from_id".into(), Value::from(s.as_str()));
        }
        Some(Value::Number(n)) => {
            extra.insert("forwarded_from_id".into(), Value::from(n.to_string()));
        }
        Some(other) => {
            return Err(format!(
                "`forwarded_from_id` must be a string, found {}",
                type_name(other)
            ))
        }
    }
    if let Some(sig) = opt_str(m, "author")? {
        // The post signature of a channel admin, not the account.
        extra.insert("signature".into(), Value::from(sig));
    }

    Ok(Some((
        Post {
            id: scoped(&msg_id),
            platform: PLATFORM.into(),
            author,
            created_at,
            text,
            lang: None,
            urls,
            hashtags,
            mentions,
            reply_to,
            repost_of: None,
            quote_of: None,
            media: vec![],
            metrics: None,
            extra,
        },
        from_name.filter(|n| !n.trim().is_empty()),
    )))
}

/// `date_unixtime` (UTC, current exports) or else `date`. `date` is the exporting computer's local
/// time without a zone; it is read as UTC, so legacy exports may be off by the exporter's offset.
fn date(m: &Map<String, Value>) -> Result<DateTime<Utc>, String> {
    match m.get("date_unixtime") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let secs = match v {
                Value::String(s) => s.trim().parse::<i64>().ok(),
                Value::Number(n) => n.as_i64(),
                _ => None,
            };
            return secs
                .and_then(|s| DateTime::from_timestamp(s, 0))
                .ok_or_else(|| format!("`date_unixtime` is not a unix time: {v}"));
        }
    }
    let d = opt_str(m, "date")?.ok_or("missing `date`")?;
    NaiveDateTime::parse_from_str(d.trim(), "%Y-%m-%dT%H:%M:%S")
        .map(|t| t.and_utc())
        .ok()
        .or_else(|| parse_timestamp(d))
        .ok_or_else(|| {
            let shown: String = d.chars().take(40).collect();
            format!("unreadable `date` {shown:?}")
        })
}

/// `from_id` as Telegram writes it today (`user123`, `channel123`). Legacy exports wrote a bare
/// integer: it becomes `channel<n>` when it is the channel's own id, else `user<n>`, so accounts
/// match across old and new exports. Channel posts without `from_id` are the channel's.
fn author(chat: &Chat, m: &Map<String, Value>) -> Result<String, String> {
    match m.get("from_id") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            let s = s.trim();
            if s.len() > 128 {
                return Err("`from_id` longer than 128 bytes".into());
            }
            Ok(s.to_owned())
        }
        Some(v @ Value::Number(_)) => {
            let n =
                id_string(v).ok_or_else(|| format!("`from_id` must be an integer, found {v}"))?;
            Ok(
                if chat.is_channel() && chat.id.as_deref() == Some(n.as_str()) {
                    format!("channel{n}")
                } else {
                    format!("user{n}")
                },
            )
        }
        None | Some(Value::Null) | Some(Value::String(_)) => chat
            .channel_account_id()
            .ok_or_else(|| "missing `from_id`: the author is unknown".into()),
        Some(other) => Err(format!(
            "`from_id` must be a string, found {}",
            type_name(other)
        )),
    }
}

/// Plain text of `text` (a string, or strings and entity objects), and the entities: from
/// `text_entities` when present (current exports), else the objects inside `text` (legacy).
/// A Telegram text entity: `{type, text, href?, user_id?}`.
type Entity = Map<String, Value>;

fn text_and_entities(m: &Map<String, Value>) -> Result<(String, Vec<&Entity>), String> {
    let mut text = String::new();
    let mut inline = Vec::new();
    match m.get("text") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => text.push_str(s),
        Some(Value::Array(parts)) => {
            for part in parts {
                match part {
                    Value::String(s) => text.push_str(s),
                    Value::Object(e) => {
                        match e.get("text") {
                            None | Some(Value::Null) => {}
                            Some(Value::String(s)) => text.push_str(s),
                            Some(other) => {
                                return Err(format!(
                                    "a `text` entity's text must be a string, found {}",
                                    type_name(other)
                                ))
                            }
                        }
                        inline.push(e);
                    }
                    other => {
                        return Err(format!(
                            "`text` parts must be strings or entity objects, found {}",
                            type_name(other)
                        ))
                    }
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "`text` must be a string or an array, found {}",
                type_name(other)
            ))
        }
    }
    let entities = match m.get("text_entities") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_object).collect(),
        _ => inline,
    };
    Ok((text, entities))
}

/// Telegram links bare host names (`example.com`); give them a scheme so they parse as URLs.
fn with_scheme(u: &str) -> String {
    if u.is_empty() || u.contains("://") || u.starts_with("mailto:") || u.starts_with("tg:") {
        u.to_owned()
    } else {
        format!("http://{u}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::posts;
    use vigie_core::config::InputConfig;

    fn run(data: &[u8], limits: &InputConfig) -> (Vec<Event>, Result<(), SourceError>) {
        crate::test_support::run(read, "result.json", data, limits)
    }

    fn accounts(events: &[Event]) -> Vec<&Account> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Record {
                    record: Record::Account(a),
                    ..
                } => Some(a),
                _ => None,
            })
            .collect()
    }

    fn rejections(events: &[Event]) -> Vec<(u64, String)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Rejected(r) => Some((r.line, r.reason.clone())),
                _ => None,
            })
            .collect()
    }

    fn sample(name: &str) -> Option<Vec<u8>> {
        crate::test_support::sample(name)
    }

    /// 1-based line of the first occurrence of `needle` in `data`.
    fn line_of(data: &[u8], needle: &str) -> u64 {
        let at = memchr::memmem::find(data, needle.as_bytes()).unwrap_or(0);
        1 + memchr::memchr_iter(b'\n', &data[..at]).count() as u64
    }

    #[test]
    fn current_group_export() {
        let Some(data) = sample("telegram_result_private_group_2025.json") else {
            return;
        };
        let (ev, res) = run(&data, &InputConfig::default());
        res.unwrap();
        let p = posts(&ev);
        let ids: Vec<&str> = p.iter().map(|(_, p)| p.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "4696915167/603441",
                "4696915167/603442",
                "4696915167/603443",
                "4696915167/603444"
            ],
            "the service message is skipped"
        );
        let (line, first) = p[0];
        // The message object opens on the line before its `"id": 603441`.
        assert_eq!(line, line_of(&data, "\"id\": 603441") - 1);
        assert_eq!(first.author, "user12345678");
        // date_unixtime wins over the zone-less local `date` (15:11:08 in the exporter's zone).
        assert_eq!(first.created_at.to_rfc3339(), "2025-03-29T14:11:08+00:00");
        assert_eq!(first.text, "Hi, how are you?");
        assert_eq!(first.extra["from"], "verymuchuser");
        assert_eq!(p[2].1.text, "Что то на русском.");
        // A group is not an account; its one author is.
        let acc = accounts(&ev);
        assert_eq!(acc.len(), 1);
        assert_eq!(
            (acc[0].id.as_str(), acc[0].handle.as_str()),
            ("user12345678", "verymuchuser")
        );
        assert!(rejections(&ev).is_empty());
    }

    #[test]
    fn legacy_channel_export() {
        let Some(data) = sample("telegram_result_private_channel_2020_legacy.json") else {
            return;
        };
        let (ev, res) = run(&data, &InputConfig::default());
        res.unwrap();
        let acc = accounts(&ev);
        assert_eq!(
            acc.len(),
            1,
            "the channel once, not again as the author of its posts"
        );
        assert_eq!(
            (acc[0].id.as_str(), acc[0].handle.as_str()),
            ("channel1292077344", "test")
        );
        let p = posts(&ev);
        assert_eq!(p.len(), 18);
        assert!(p.iter().all(|(_, p)| p.author == "channel1292077344"));
        let find = |id: &str| {
            p.iter()
                .find(|(_, p)| p.id == id)
                .map(|(l, p)| (*l, *p))
                .unwrap()
        };
        let (_, p2) = find("1292077344/2");
        // No date_unixtime: the zone-less `date` is read as UTC.
        assert_eq!(p2.created_at.to_rfc3339(), "2020-11-12T12:54:07+00:00");
        let (_, p5) = find("1292077344/5");
        assert_eq!(
            p5.text,
            "italic\n\nbold\n\nunderline\n\nstrikethrough\n\nmonospace"
        );
        assert_eq!(p5.extra["edited"], "2020-11-12T13:03:00");
        let (line14, p14) = find("1292077344/14");
        assert_eq!(line14, line_of(&data, "\"id\": 14,") - 1);
        assert_eq!(p14.text, "text link\n\nexample.com\n\nexample@example.com");
        assert_eq!(p14.urls, vec!["http://example.com/", "http://example.com"]);
        let (_, p7) = find("1292077344/7");
        assert_eq!(p7.extra["media_type"], "voice_message");
        assert!(rejections(&ev).is_empty());
    }

    #[test]
    fn public_channel_messages_array() {
        let Some(data) = sample("telegram_public_channel_messages_sample.json") else {
            return;
        };
        let (ev, res) = run(&data, &InputConfig::default());
        res.unwrap();
        let p = posts(&ev);
        assert_eq!(p.len(), 30);
        let (line, first) = p[0];
        assert_eq!(line, 2);
        // No wrapper, so no chat id to scope the message id with.
        assert_eq!(first.id, "46544");
        assert_eq!(first.author, "channel1487851422");
        assert_eq!(first.created_at.to_rfc3339(), "2023-01-07T06:48:49+00:00");
        assert_eq!(
            first.text,
            "Aristo Houseware Diamond Plastic Storage Container 4 Pcs Set @116\n\nhttps://amzn.to/3vMu0oi"
        );
        assert_eq!(first.urls, vec!["https://amzn.to/3vMu0oi"]);
        assert_eq!(first.extra["signature"], ".");
        let (_, second) = p[1];
        assert_eq!(second.mentions, vec!["1999"]);
        let acc = accounts(&ev);
        assert_eq!(acc.len(), 1);
        assert_eq!(acc[0].handle, "TR Facts Deals🔥🔥🔥");
        assert!(rejections(&ev).is_empty());
    }

    const HEAD: &str =
        "{\n \"name\": \"Chan\",\n \"type\": \"public_channel\",\n \"id\": 77,\n \"messages\": [\n";

    fn msg(id: u32, extra: &str) -> String {
        format!(
            "  {{\n   \"id\": {id},\n   \"type\": \"message\",\n   \"date\": \"2024-06-01T10:00:00\",\n   \"date_unixtime\": \"1717236000\",\n   \"from\": \"Chan\",\n   \"from_id\": \"channel77\",\n   \"text\": \"m{id}\"{extra}\n  }}"
        )
    }

    #[test]
    fn bad_messages_are_quarantined_with_their_line_and_the_rest_is_read() {
        let limits = InputConfig {
            max_record_bytes: 4096,
            max_json_depth: 16,
            ..InputConfig::default()
        };
        let deep = format!(
            "{{\"id\": 5, \"x\": {}1{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let parts = [
            msg(1, ",\n   \"reply_to_message_id\": 0,\n   \"forwarded_from\": \"RT France\",\n   \"forwarded_from_id\": \"channel999\",\n   \"text_entities\": [{\"type\": \"hashtag\", \"text\": \"#Élection\"}, {\"type\": \"text_link\", \"text\": \"ici\", \"href\": \"https://lemonde-fr.ltd/a\"}]"),
            "  {\"id\": 2, \"type\": \"message\", \"date_unixtime\": \"1717236000\", \"from_id\": \"user1\", \"text\": 5}".to_owned(),
            "  {\"id\": 3, \"type\": \"message\", \"from_id\": \"user1\", \"text\": \"no date\"}".to_owned(),
            deep,
            "  {\"id\": 6, \"type\": \"message\", oops}".to_owned(),
            format!("  {{\"id\": 7, \"text\": \"{}\"}}", "z".repeat(5000)),
            "  \"not a message\"".to_owned(),
            "  {\"id\": 9, \"type\": \"service\", \"action\": \"pin_message\"}".to_owned(),
            msg(10, ",\n   \"reply_to_message_id\": 1"),
        ];
        let doc = format!("{HEAD}{}\n ]\n}}\n", parts.join(",\n"));
        let (ev, res) = run(doc.as_bytes(), &limits);
        res.unwrap();
        let p = posts(&ev);
        assert_eq!(
            p.iter().map(|(_, p)| p.id.as_str()).collect::<Vec<_>>(),
            vec!["77/1", "77/10"]
        );
        let (line1, p1) = p[0];
        assert_eq!(line1, 6);
        assert_eq!(p1.created_at.to_rfc3339(), "2024-06-01T10:00:00+00:00");
        assert_eq!(p1.hashtags, vec!["élection"]);
        assert_eq!(p1.urls, vec!["https://lemonde-fr.ltd/a"]);
        assert_eq!(p1.reply_to.as_deref(), Some("77/0"));
        assert_eq!(p1.extra["forwarded_from"], "RT France");
        assert_eq!(p1.extra["forwarded_from_id"], "channel999");
        assert_eq!(p[1].1.reply_to.as_deref(), Some("77/1"));
        assert_eq!(p[1].0, line_of(doc.as_bytes(), "\"id\": 10") - 1);

        let rej = rejections(&ev);
        let lines: Vec<u64> = rej.iter().map(|r| r.0).collect();
        let expect = |needle: &str| line_of(doc.as_bytes(), needle);
        assert_eq!(
            lines,
            vec![
                expect("{\"id\": 2"),
                expect("{\"id\": 3"),
                expect("{\"id\": 5"),
                expect("{\"id\": 6"),
                expect("{\"id\": 7"),
                expect("\"not a message\""),
            ]
        );
        assert!(
            rej[0]
                .1
                .contains("`text` must be a string or an array, found a number"),
            "{}",
            rej[0].1
        );
        assert!(rej[1].1.contains("missing `date`"), "{}", rej[1].1);
        assert!(
            rej[2].1.contains("message longer than the 4096-byte limit"),
            "{}",
            rej[2].1
        );
        assert!(rej[3].1.starts_with("invalid JSON"), "{}", rej[3].1);
        assert!(rej[4].1.contains("4096-byte limit"), "{}", rej[4].1);
        assert!(rej[5].1.contains("not a JSON object"), "{}", rej[5].1);
        let raw = ev.iter().find_map(|e| match e {
            Event::Rejected(r) if r.line == lines[3] => Some(r.raw.clone()),
            _ => None,
        });
        assert_eq!(
            raw.as_deref(),
            Some(&b"{\"id\": 6, \"type\": \"message\", oops}"[..])
        );
        // One account: the channel (its posts do not add it again).
        assert_eq!(accounts(&ev).len(), 1);
    }

    #[test]
    fn nesting_beyond_the_limit_is_rejected_without_recursion() {
        let limits = InputConfig {
            max_json_depth: 64,
            ..InputConfig::default()
        };
        // 200 levels: past serde_json's own 128 limit, far below the size limit.
        let deep = format!(
            "{{\"id\": 2, \"x\": {}{}}}",
            "[".repeat(200),
            "]".repeat(200)
        );
        let doc = format!("[{},\n{deep},\n{}]", msg(1, ""), msg(3, ""));
        let (ev, res) = run(doc.as_bytes(), &limits);
        res.unwrap();
        assert_eq!(
            posts(&ev)
                .iter()
                .map(|(_, p)| p.id.as_str())
                .collect::<Vec<_>>(),
            vec!["1", "3"]
        );
        let rej = rejections(&ev);
        assert_eq!(rej.len(), 1);
        assert_eq!(rej[0].0, 10);
        assert!(rej[0].1.contains("nested deeper than 64"), "{}", rej[0].1);
    }

    #[test]
    fn a_truncated_export_yields_the_good_messages_then_fails_naming_the_line() {
        let doc = format!("{HEAD}{},\n{},\n{}", msg(1, ""), msg(2, ""), msg(3, ""));
        let cut = &doc.as_bytes()[..doc.len() - 20];
        let (ev, res) = run(cut, &InputConfig::default());
        assert_eq!(
            posts(&ev)
                .iter()
                .map(|(_, p)| p.id.as_str())
                .collect::<Vec<_>>(),
            vec!["77/1", "77/2"]
        );
        match res {
            Err(SourceError::Malformed { line, reason, .. }) => {
                assert_eq!(line, line_of(doc.as_bytes(), "\"id\": 3") - 1);
                assert!(reason.contains("ends inside the message"), "{reason}");
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
        // Garbage between messages is structural damage too.
        let bad = format!("[{} x {}]", msg(1, ""), msg(2, ""));
        let (ev, res) = run(bad.as_bytes(), &InputConfig::default());
        assert_eq!(posts(&ev).len(), 1);
        assert!(
            matches!(res, Err(SourceError::Malformed { line: 9, .. })),
            "{res:?}"
        );
        // Cut right after the opening of the array.
        let (_, res) = run(HEAD.as_bytes(), &InputConfig::default());
        assert!(
            matches!(res, Err(SourceError::Malformed { line: 6, .. })),
            "{res:?}"
        );
        let (_, res) = run(b"{\"name\": \"x\"}", &InputConfig::default());
        assert!(
            matches!(res, Err(SourceError::Malformed { ref reason, .. }) if reason.contains("no `messages`")),
            "{res:?}"
        );
    }

    #[test]
    fn legacy_integer_ids_and_full_account_exports() {
        let legacy_msg = |id: u32, from: u64| {
            format!(
                r#"{{"id": {id}, "type": "message", "date": "2020-11-12T12:54:07", "from": "x", "from_id": {from}, "text": ["a ", {{"type": "link", "text": "example.org/p"}}, {{"type": "mention_name", "text": "Bob", "user_id": 42}}]}}"#
            )
        };
        let doc = format!(
            r#"{{"about": "full export", "chats": {{"about": "…", "list": [
{{"name": "Old", "type": "private_channel", "id": 55, "messages": [{}]}},
{{"name": "G", "type": "private_supergroup", "id": 66, "messages": [{}]}}
]}}, "other": [1, 2]}}"#,
            legacy_msg(1, 55),
            legacy_msg(2, 9)
        );
        let (ev, res) = run(doc.as_bytes(), &InputConfig::default());
        res.unwrap();
        let p = posts(&ev);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].1.id.as_str(), p[0].1.author.as_str()),
            ("55/1", "channel55")
        );
        assert_eq!(
            (p[1].1.id.as_str(), p[1].1.author.as_str()),
            ("66/2", "user9")
        );
        assert_eq!(p[0].1.text, "a example.org/pBob");
        assert_eq!(p[0].1.urls, vec!["http://example.org/p"]);
        assert_eq!(p[0].1.mentions, vec!["user42"]);
        assert_eq!((p[0].0, p[1].0), (2, 3));
    }

    #[test]
    fn the_export_is_streamed_not_loaded() {
        // A generated export far larger than any buffer the reader keeps; a sink that stops early
        // proves messages are delivered while the input is still being read.
        struct Gen {
            next: u32,
            pending: Vec<u8>,
        }
        impl std::io::Read for Gen {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                if self.pending.is_empty() {
                    self.pending = if self.next == 0 {
                        b"{\"id\": 1, \"type\": \"public_channel\", \"messages\": [".to_vec()
                    } else {
                        format!(
                            "{}{}",
                            if self.next > 1 { ",\n" } else { "" },
                            msg(self.next, "")
                        )
                        .into_bytes()
                    };
                    self.next += 1;
                }
                let n = out.len().min(self.pending.len());
                out[..n].copy_from_slice(&self.pending[..n]);
                self.pending.drain(..n);
                Ok(n)
            }
        }
        let limits = InputConfig::default();
        let mut reader = std::io::BufReader::new(Gen {
            next: 0,
            pending: Vec::new(),
        });
        let mut n = 0u32;
        read(&mut reader, ReadContext::new("gen", &limits), &mut |e| {
            if matches!(
                e,
                Event::Record {
                    record: Record::Post(_),
                    ..
                }
            ) {
                n += 1;
            }
            if n == 50_000 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert_eq!(n, 50_000);
    }
}
