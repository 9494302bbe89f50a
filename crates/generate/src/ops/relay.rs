//! `relay_network` (Portal Kombat / "Pravda" network): a few origin sources — a Telegram
//! channel and an "agency" site — republished within 5 to 60 minutes by 10-20 relay sites that
//! share nameservers, IPs and an analytics id, verbatim or lightly reworded, plus X accounts
//! posting "RT @channel:" copies.

use super::{operation, strings, Ctx};
use crate::lang::Lang;
use crate::narrative;
use crate::text::{reword, slug};
use crate::truth::{NegativeSet, Operation};
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{Map, Value};
use vigie_core::DomainRecord;

struct Spec {
    op: &'static str,
    channel: &'static str,
    channel_name: &'static str,
    agency: &'static str,
    relays: &'static [(&'static str, Lang)],
    relay_count: (usize, usize),
    x_accounts: &'static [&'static str],
    nameservers: [&'static str; 2],
    ip_prefix: &'static str,
    asn: &'static str,
    registrar: &'static str,
    analytics_id: &'static str,
    tags: &'static [&'static str],
    /// Genuine outlets that report on the channel, quoting a sentence inside their own articles:
    /// they quote, they do not copy.
    quoting_sites: &'static [(&'static str, Lang)],
}

const SPECS: [Spec; 2] = [
    Spec {
        op: "op-relay-1",
        channel: "canal_verite_fr",
        channel_name: "Canal Vérité 🇫🇷",
        agency: "agence-nordinfo.ru",
        relays: &[
            ("pravda-fr.com", Lang::Fr),
            ("news-europa24.net", Lang::Fr),
            ("actu-libre-fr.net", Lang::Fr),
            ("la-verite-fr.online", Lang::Fr),
            ("revue-patriote.net", Lang::Fr),
            ("euro-actu-express.com", Lang::Fr),
            ("nouvelles-du-front.info", Lang::Fr),
            ("paris-veritas.net", Lang::Fr),
            ("le-courrier-libre.org", Lang::Fr),
            ("eclairage-info.com", Lang::Fr),
            ("hexagone-news.net", Lang::Fr),
            ("gaule-actu.info", Lang::Fr),
            ("observateur-libre.com", Lang::Fr),
            ("infos-vraies24.com", Lang::Fr),
            ("reinformation-europe.net", Lang::Fr),
            ("le-veilleur-fr.org", Lang::Fr),
            ("bastion-actu.com", Lang::Fr),
            ("francophonie-news.info", Lang::Fr),
        ],
        relay_count: (12, 16),
        x_accounts: &["pravda_fr_info", "actu_libre24"],
        nameservers: ["ns1.dnsfront-eu.net", "ns2.dnsfront-eu.net"],
        ip_prefix: "203.0.113.",
        asn: "AS64501",
        registrar: "REGRU-RU",
        analytics_id: "PK-4471-FR",
        tags: &["Vérité", "Europe", "Réinformation"],
        quoting_sites: &[
            ("la-gazette-citoyenne.fr", Lang::Fr),
            ("regard-critique.eu", Lang::Fr),
        ],
    },
    Spec {
        op: "op-relay-2",
        channel: "stimme_europas",
        channel_name: "Stimme Europas",
        agency: "eurasia-wire.info",
        relays: &[
            ("pravda-de.com", Lang::De),
            ("pravda-en.com", Lang::En),
            ("deutsche-stimme24.net", Lang::De),
            ("nachrichten-frei.info", Lang::De),
            ("euro-news-today.net", Lang::En),
            ("truth-europe.online", Lang::En),
            ("the-euro-observer.net", Lang::En),
            ("berlin-kurier-frei.com", Lang::De),
            ("western-watch.info", Lang::En),
            ("europe-daily-news.org", Lang::En),
            ("wahrheit-heute.net", Lang::De),
            ("free-press-eu.com", Lang::En),
            ("neue-zeit-nachrichten.com", Lang::De),
            ("continental-report.net", Lang::En),
        ],
        relay_count: (10, 14),
        x_accounts: &["euro_truth_news", "freie_stimme_de"],
        nameservers: ["ns1.hostfront-dns.com", "ns2.hostfront-dns.com"],
        ip_prefix: "198.51.100.",
        asn: "AS64502",
        registrar: "Namecheap, Inc.",
        analytics_id: "PK-9302-EU",
        tags: &["Europe", "Wahrheit", "Truth"],
        quoting_sites: &[
            ("medienbeobachter.de", Lang::De),
            ("europe-factcheck.org", Lang::En),
        ],
    },
];

/// An origin item to be relayed: its id, time, language, URL, title and text.
struct Origin {
    id: String,
    /// Copy group of the origin and its copies in the ground truth.
    copy_group: String,
    at: DateTime<Utc>,
    lang: Lang,
    url: String,
    title: String,
    text: String,
    from_channel: bool,
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    SPECS.iter().map(|spec| inject_one(ctx, spec)).collect()
}

fn inject_one(ctx: &mut Ctx<'_>, spec: &Spec) -> Operation {
    let texts = ctx.texts;
    let langs: Vec<Lang> = {
        let mut l: Vec<Lang> = spec.relays.iter().map(|(_, l)| *l).collect();
        l.sort();
        l.dedup();
        l
    };
    let mut op = operation(
        spec.op,
        "relay_network",
        format!(
            "Relay network republishing the Telegram channel @{} and the site {} on look-alike \
             news sites sharing nameservers {} and IP range {}0/24, within 5-60 minutes",
            spec.channel, spec.agency, spec.nameservers[0], spec.ip_prefix
        ),
    );

    // Infrastructure: the relays chosen for this run, all on the same hosting.
    let n = ctx.rng.gen_range(spec.relay_count.0..=spec.relay_count.1);
    let mut relays: Vec<(&str, Lang)> = spec.relays.to_vec();
    relays.shuffle(&mut ctx.rng);
    relays.truncate(n);
    for (domain, lang) in &relays {
        let rec = relay_domain(ctx, spec, domain, *lang);
        ctx.domains.push(rec);
        op.domains.push((*domain).to_owned());
    }
    let agency = DomainRecord {
        domain: spec.agency.to_owned(),
        first_seen: Some(ctx.clock.t0 - Duration::days(900)),
        registered_at: Some(ctx.clock.t0 - Duration::days(ctx.rng.gen_range(1500..3000))),
        registrar: Some("RU-CENTER-RU".into()),
        nameservers: vec!["ns3-l2.nic.ru".into(), "ns4-l2.nic.ru".into()],
        ips: vec![format!("{}{}", spec.ip_prefix, 200)],
        asn: Some(spec.asn.into()),
        cert_issuer: Some("GlobalSign GCC R3 DV TLS CA 2020".into()),
        title: Some("Agence d'information".into()),
        html: None,
        extra: Map::new(),
    };
    ctx.domains.push(agency);
    op.domains.push(spec.agency.to_owned());

    // Origin accounts: the Telegram channel, and X accounts that copy it.
    let main_lang = langs[0];
    let created = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(500..1100));
    let channel = ctx.account(
        "telegram",
        spec.channel.to_owned(),
        Some(spec.channel_name.to_owned()),
        created,
        main_lang,
        true,
    );
    if let Some(a) = ctx.account_mut(&channel) {
        a.followers = Some(45_000 + (a.followers.unwrap_or(0) * 97) % 60_000);
    }
    let channel_handle = ctx.handle_of(&channel);
    op.accounts.push(channel.clone());
    let mut x_accounts = Vec::new();
    for h in spec.x_accounts {
        let created = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(120..700));
        let id = ctx.account("x", (*h).to_owned(), None, created, main_lang, true);
        op.accounts.push(id.clone());
        x_accounts.push(id);
    }

    // Origins: 2-4 channel posts and 0-2 agency articles a day.
    let mut origins: Vec<Origin> = Vec::new();
    let mut msg_no: u32 = ctx.rng.gen_range(4000..9000);
    for day in 0..ctx.clock.days {
        for _ in 0..ctx.rng.gen_range(2..=4) {
            let lang = *langs.choose(&mut ctx.rng).unwrap_or(&main_lang);
            let at = ctx.clock.at(day, ctx.rng.gen_range(7 * 3600..22 * 3600));
            let vocab = texts.vocab(lang);
            let (mut text, talking_point) = narrative::keyed_sentence(&mut ctx.rng, lang);
            // Either the bare talking point with a tag — a copy of it, like the bots' posts of
            // the same point — or a longer post the point is under 40% of: an original that its
            // relays copy. Nothing in between, where whether it copies the point is a coin flip
            // the ground truth could not settle.
            let bare = ctx.rng.gen_bool(0.3);
            if bare {
                let tag = spec.tags[ctx.rng.gen_range(0..spec.tags.len())];
                text.push_str(&format!(" #{tag}"));
            } else {
                let point_words = text.split_whitespace().count();
                while 5 * point_words > 2 * text.split_whitespace().count() {
                    let n = ctx.rng.gen_range(1..=2);
                    text.push(' ');
                    text.push_str(&vocab.sentences(&mut ctx.rng, n));
                }
            }
            msg_no += ctx.rng.gen_range(1..6);
            let id = ctx.post(&channel, "telegram", at, text.clone(), lang, None);
            let copy_group = if bare {
                talking_point
            } else {
                format!("relay-origin/{id}")
            };
            ctx.copies(&copy_group, &id);
            let title: String = text
                .split_whitespace()
                .take(9)
                .collect::<Vec<_>>()
                .join(" ");
            origins.push(Origin {
                id,
                copy_group,
                at,
                lang,
                url: format!("https://t.me/{channel_handle}/{msg_no}"),
                title,
                text,
                from_channel: true,
            });
        }
        for _ in 0..ctx.rng.gen_range(0..=2) {
            let lang = *langs.choose(&mut ctx.rng).unwrap_or(&main_lang);
            let at = ctx.clock.at(day, ctx.rng.gen_range(6 * 3600..21 * 3600));
            let vocab = texts.vocab(lang);
            let title = vocab.title(&mut ctx.rng);
            let (lead, _) = narrative::keyed_sentence(&mut ctx.rng, lang);
            let mut paras = vec![lead];
            for _ in 0..ctx.rng.gen_range(2..=4) {
                let n = ctx.rng.gen_range(2..=4);
                paras.push(vocab.sentences(&mut ctx.rng, n));
            }
            let text = paras.join("\n\n");
            let date = ctx.clock.date(day);
            let url = format!(
                "https://{}/{}/{:02}/{:02}/{}-{}.html",
                spec.agency,
                date.year(),
                date.month(),
                date.day(),
                slug(&title, 6),
                ctx.rng.gen_range(10_000..99_999)
            );
            let id = ctx.article(
                spec.agency,
                url.clone(),
                at,
                title.clone(),
                text.clone(),
                lang,
                None,
            );
            let copy_group = format!("relay-origin/{id}");
            ctx.copies(&copy_group, &id);
            origins.push(Origin {
                id,
                copy_group,
                at,
                lang,
                url,
                title,
                text,
                from_channel: false,
            });
        }
    }

    // Copies.
    let mut copies = Map::new();
    // How each copy differs from its origin, to score recall per kind of edit.
    let mut edits = Map::new();
    for o in &origins {
        op.items.push(o.id.clone());
        for (domain, rlang) in &relays {
            if *rlang != o.lang || !ctx.rng.gen_bool(0.7) {
                continue;
            }
            let at = o.at + delay(ctx);
            let vocab = texts.vocab(o.lang);
            let verbatim = ctx.rng.gen_bool(0.35);
            let text = if verbatim {
                o.text.clone()
            } else {
                reword(&mut ctx.rng, &o.text, vocab, spec.tags)
            };
            let title = if verbatim || ctx.rng.gen_bool(0.6) {
                o.title.clone()
            } else {
                reword(&mut ctx.rng, &o.title, vocab, &[])
            };
            let date = at.date_naive();
            let url = format!(
                "https://{domain}/{}/{}/{}-{}.html",
                ["world", "europe", "politique", "news"][ctx.rng.gen_range(0..4)],
                date.format("%Y-%m-%d"),
                ctx.rng.gen_range(100_000..999_999),
                slug(&title, 7)
            );
            let source = ctx.rng.gen_bool(0.4).then(|| o.url.clone());
            let id = ctx.article(domain, url, at, title, text, o.lang, source);
            copies.insert(id.clone(), Value::from(o.id.as_str()));
            ctx.copies(&o.copy_group, &id);
            edits.insert(
                id.clone(),
                Value::from(if verbatim { "verbatim" } else { "reworded" }),
            );
            op.items.push(id);
        }
        // X copies of the channel's posts ("RT @channel: ...") and links to agency stories.
        for x in &x_accounts {
            if !ctx.rng.gen_bool(0.6) {
                continue;
            }
            let at = o.at + delay(ctx);
            let text = if o.from_channel {
                let mut t = format!("RT @{channel_handle}: {}", o.text);
                if t.chars().count() > 280 {
                    t = t.chars().take(279).collect::<String>() + "…";
                }
                t
            } else {
                format!("{} {}", o.title, o.url)
            };
            let id = ctx.post(x, "x", at, text, o.lang, None);
            copies.insert(id.clone(), Value::from(o.id.as_str()));
            ctx.copies(&o.copy_group, &id);
            edits.insert(
                id.clone(),
                Value::from(if o.from_channel {
                    "rt_prefix"
                } else {
                    "headline_link"
                }),
            );
            op.items.push(id);
        }
    }

    quoting_articles(ctx, spec, &origins);

    op.details.insert(
        "origins".into(),
        Value::Array(origins.iter().map(|o| Value::from(o.id.as_str())).collect()),
    );
    op.details.insert("copy_of".into(), Value::Object(copies));
    op.details.insert("edits".into(), Value::Object(edits));
    op.details.insert(
        "relay_sites".into(),
        strings(
            &relays
                .iter()
                .map(|(d, _)| (*d).to_owned())
                .collect::<Vec<_>>(),
        ),
    );
    op.details
        .insert("origin_sites".into(), Value::from(vec![spec.agency]));
    op.details
        .insert("channel".into(), Value::from(channel_handle));
    op.details
        .insert("delay_minutes".into(), Value::from(vec![5, 60]));
    op.details
        .insert("nameservers".into(), Value::from(spec.nameservers.to_vec()));
    op
}

/// Articles of genuine outlets that quote one sentence of an origin inside several paragraphs
/// of their own, a few hours to two days later. Decoys: neither copies nor relays.
fn quoting_articles(ctx: &mut Ctx<'_>, spec: &Spec, origins: &[Origin]) {
    let texts = ctx.texts;
    let mut neg = NegativeSet {
        reason: "genuine outlets quoting a relayed sentence inside original reporting".into(),
        ..NegativeSet::default()
    };
    for (site, lang) in spec.quoting_sites {
        ctx.domains.push(DomainRecord {
            domain: (*site).to_owned(),
            first_seen: Some(ctx.clock.t0 - Duration::days(ctx.rng.gen_range(2000..5000))),
            registered_at: Some(ctx.clock.t0 - Duration::days(ctx.rng.gen_range(2000..5000))),
            registrar: Some("OVH SAS".into()),
            nameservers: vec![format!("dns1.{site}"), format!("dns2.{site}")],
            ips: vec![format!("192.0.2.{}", 20 + ctx.rng.gen_range(0..200))],
            asn: Some("AS16276".into()),
            cert_issuer: Some("Sectigo RSA Domain Validation Secure Server CA".into()),
            title: Some(site.split('.').next().unwrap_or(site).replace('-', " ")),
            html: None,
            extra: Map::new(),
        });
        neg.domains.push((*site).to_owned());
        let vocab = texts.vocab(*lang);
        for o in origins.iter().filter(|o| o.lang == *lang) {
            if !ctx.rng.gen_bool(0.25) {
                continue;
            }
            let quoted = o
                .text
                .split_inclusive(['.', '!', '?'])
                .next()
                .unwrap_or(&o.text);
            let frame = match lang {
                Lang::Fr => format!(
                    "« {} », affirme la chaîne @{}, sans aucune source.",
                    quoted.trim(),
                    spec.channel
                ),
                Lang::De => format!(
                    "„{}“, behauptet der Kanal @{} ohne Beleg.",
                    quoted.trim(),
                    spec.channel
                ),
                _ => format!(
                    "\"{}\", claims the channel @{}, citing no source.",
                    quoted.trim(),
                    spec.channel
                ),
            };
            let mut paras = Vec::new();
            for _ in 0..ctx.rng.gen_range(3..=5) {
                let n = ctx.rng.gen_range(3..=5);
                paras.push(vocab.sentences(&mut ctx.rng, n));
            }
            let at_para = ctx.rng.gen_range(1..paras.len());
            paras.insert(at_para, frame);
            let title = vocab.title(&mut ctx.rng);
            let at = o.at + Duration::minutes(ctx.rng.gen_range(180..2880));
            let url = format!(
                "https://{site}/{}/{}-{}.html",
                at.date_naive().format("%Y/%m/%d"),
                slug(&title, 6),
                ctx.rng.gen_range(1000..9999)
            );
            let id = ctx.article(site, url, at, title, paras.join("\n\n"), *lang, None);
            neg.items.push(id);
        }
    }
    ctx.negatives.add("copypasta", neg.clone());
    ctx.negatives.add("relay_network", neg);
}

/// Relay delay: 5 to 60 minutes, skewed short (bots poll the channel).
fn delay(ctx: &mut Ctx<'_>) -> Duration {
    let u: f64 = ctx.rng.gen();
    let minutes = 5.0 + 55.0 * u * u;
    Duration::seconds((minutes * 60.0) as i64)
}

fn relay_domain(ctx: &mut Ctx<'_>, spec: &Spec, domain: &str, lang: Lang) -> DomainRecord {
    let registered = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(60..700));
    let ip = format!("{}{}", spec.ip_prefix, 10 + ctx.rng.gen_range(0..3));
    let name = domain.split('.').next().unwrap_or(domain).replace('-', " ");
    let title = match lang {
        Lang::Fr => format!("{name} — l'actualité sans censure"),
        Lang::De => format!("{name} — Nachrichten ohne Zensur"),
        _ => format!("{name} — news without censorship"),
    };
    // Same theme, same analytics id: the template shared by the whole network.
    let html = format!(
        "<html lang=\"{}\"><head><title>{title}</title><meta name=\"generator\" \
         content=\"WordPress 6.2.2\"><!-- theme: newsline-pro 2.3 --></head><body>\
         <div id=\"feed\"></div><script src=\"/static/pk.js\" data-site=\"{}\"></script>\
         </body></html>",
        lang.code(),
        spec.analytics_id
    );
    DomainRecord {
        domain: domain.to_owned(),
        first_seen: Some(registered + Duration::days(ctx.rng.gen_range(1..20))),
        registered_at: Some(registered),
        registrar: Some(spec.registrar.into()),
        nameservers: spec.nameservers.iter().map(|s| (*s).to_owned()).collect(),
        ips: vec![ip],
        asn: Some(spec.asn.into()),
        cert_issuer: Some("Let's Encrypt R3".into()),
        title: Some(title),
        html: Some(html),
        extra: Map::new(),
    }
}
