//! `electoral_process`: posts in six languages stating a wrong voting date (the day after the
//! real one), wrong poll hours, or non-existent methods (SMS, online), in the last days of the
//! campaign; mixed with true reminders of the real date, hours and methods (negatives).

use super::{operation, Ctx};
use crate::lang::{Lang, CANDIDATES};
use crate::truth::{NegativeSet, Operation};
use crate::world::election_for;
use chrono::{Datelike, Duration};
use rand::Rng;
use serde_json::{Map, Value};
use vigie_core::DomainRecord;

/// The fake voting site the "vote online" claims link to.
pub const FAKE_VOTE_DOMAIN: &str = "vote-europe2024.eu";

#[derive(Debug, Clone, Copy)]
enum Claim {
    WrongDate,
    WrongHours,
    Sms,
    Online,
}

impl Claim {
    const ALL: [Claim; 4] = [
        Claim::WrongDate,
        Claim::WrongHours,
        Claim::Sms,
        Claim::Online,
    ];

    fn name(self) -> &'static str {
        match self {
            Claim::WrongDate => "wrong_date",
            Claim::WrongHours => "wrong_hours",
            Claim::Sms => "sms_voting",
            Claim::Online => "online_voting",
        }
    }
}

fn false_templates(lang: Lang, c: Claim) -> &'static [&'static str] {
    use Claim::*;
    match (lang, c) {
        (Lang::Fr, WrongDate) => &[
            "⚠️ ATTENTION : en raison de l'affluence attendue, le vote des européennes est reporté au {false_date}. Faites passer !",
            "Info mairie : les électeurs de {party} votent le {false_date} cette année pour désengorger les bureaux de vote.",
        ],
        (Lang::Fr, WrongHours) => &[
            "Rappel : les bureaux de vote fermeront exceptionnellement à {wrong_close} ce {weekday}.",
            "Ce {weekday} les bureaux de vote n'ouvriront qu'à {wrong_open}, inutile d'y aller avant.",
        ],
        (Lang::Fr, Sms) => &["Nouveau cette année : vous pouvez voter par SMS en envoyant le nom de votre liste au {number}."],
        (Lang::Fr, Online) => &["Plus besoin de se déplacer : votez en ligne pour les européennes sur {url} avant le {date}."],
        (Lang::En, WrongDate) => &["BREAKING: due to expected turnout, the EU election vote has been moved to {false_date}. Please share!"],
        (Lang::En, WrongHours) => &["Reminder: polling stations will close early at {wrong_close} on {weekday}."],
        (Lang::En, Sms) => &["You can now vote by text! Send your party's name to {number} to cast your EU election ballot."],
        (Lang::En, Online) => &["No need to queue: vote online for the European elections at {url} before {date}."],
        (Lang::De, WrongDate) => &["ACHTUNG: Wegen des großen Andrangs wird die Europawahl auf {false_date} verschoben. Bitte teilen!"],
        (Lang::De, WrongHours) => &["Hinweis: Die Wahllokale schließen am {weekday} bereits um {wrong_close} Uhr."],
        (Lang::De, Sms) => &["Neu: Sie können per SMS wählen! Schicken Sie den Namen Ihrer Partei an die {number}."],
        (Lang::De, Online) => &["Europawahl jetzt online: Stimme abgeben unter {url} bis {date}."],
        (Lang::Es, WrongDate) => &["ATENCIÓN: por la alta afluencia, la votación de las europeas se aplaza al {false_date}. ¡Compártelo!"],
        (Lang::Es, WrongHours) => &["Recordatorio: los colegios electorales cerrarán a las {wrong_close} este {weekday}."],
        (Lang::Es, Sms) => &["Novedad: ya se puede votar por SMS enviando el nombre del partido al {number}."],
        (Lang::Es, Online) => &["Vota online en las elecciones europeas en {url} antes del {date}."],
        (Lang::It, WrongDate) => &["ATTENZIONE: per l'alta affluenza il voto per le europee è rinviato a {false_date}. Condividete!"],
        (Lang::It, WrongHours) => &["Promemoria: i seggi chiuderanno alle {wrong_close} di {weekday}."],
        (Lang::It, Sms) => &["Novità: si può votare via SMS inviando il nome del partito al {number}."],
        (Lang::It, Online) => &["Vota online per le europee su {url} entro {date}."],
        (Lang::Pl, WrongDate) => &["UWAGA: z powodu dużej frekwencji wybory do Parlamentu Europejskiego przeniesiono na {false_date}. Udostępnij!"],
        (Lang::Pl, WrongHours) => &["Przypomnienie: lokale wyborcze zostaną zamknięte już o {wrong_close} w dniu wyborów."],
        (Lang::Pl, Sms) => &["Nowość: można głosować SMS-em, wysyłając nazwę komitetu na numer {number}."],
        (Lang::Pl, Online) => &["Głosuj online w wyborach do PE na {url} do {date}."],
    }
}

fn true_templates(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Fr => &[
            "N'oubliez pas : les élections européennes ont lieu le {date}, bureaux de vote ouverts de {open} à {close}.",
            "Vous ne pouvez pas vous déplacer le {date} ? Pensez à la procuration, c'est encore possible.",
            "Ce {weekday}, on vote pour les européennes ! N'oubliez pas votre pièce d'identité.",
        ],
        Lang::En => &[
            "Reminder: the European elections are on {date}. Polling stations are open from {open} to {close}.",
            "Can't vote in person on {date}? You can still give a proxy to someone you trust.",
        ],
        Lang::De => &[
            "Nicht vergessen: Die Europawahl ist am {date}, die Wahllokale sind von {open} bis {close} Uhr geöffnet.",
            "Briefwahl noch möglich: Unterlagen rechtzeitig vor dem {date} beantragen.",
        ],
        Lang::Es => &[
            "Recuerda: las elecciones europeas son el {date}, los colegios abren de {open} a {close}.",
            "¿No puedes ir el {date}? Todavía puedes votar por correo si lo solicitaste a tiempo.",
        ],
        Lang::It => &["Ricordate: le europee si votano sabato pomeriggio e {date}, seggi aperti fino alle {close}."],
        Lang::Pl => &["Pamiętaj: wybory do Parlamentu Europejskiego odbędą się {date}, lokale otwarte od {open} do {close}."],
    }
}

/// "20h" / "20:00" / "20" as each language writes poll hours.
fn hour(lang: Lang, hhmm: &str, shift: i32) -> String {
    let h: i32 = hhmm.get(..2).and_then(|s| s.parse().ok()).unwrap_or(8) + shift;
    match lang {
        Lang::Fr => format!("{h}h"),
        Lang::De | Lang::It => format!("{h}"),
        _ => format!("{h}:00"),
    }
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let eday = ctx.clock.election_day;
    let mut op = operation(
        "op-electoral-1",
        "electoral_process",
        format!(
            "False voting information before the {eday} poll: a later date, wrong hours, voting by \
             SMS or online, in six languages"
        ),
    );
    op.domains.push(FAKE_VOTE_DOMAIN.to_owned());
    let registered = ctx.clock.t0 - Duration::days(10);
    ctx.domains.push(DomainRecord {
        domain: FAKE_VOTE_DOMAIN.to_owned(),
        first_seen: Some(registered + Duration::days(1)),
        registered_at: Some(registered),
        registrar: Some("NameSilo, LLC".into()),
        nameservers: vec![
            "ada.ns.cloudflare.com".into(),
            "bob.ns.cloudflare.com".into(),
        ],
        ips: vec!["192.0.2.131".into()],
        asn: Some("AS64503".into()),
        cert_issuer: Some("Let's Encrypt R3".into()),
        title: Some("Vote Europe 2024 — votez en ligne".into()),
        html: None,
        extra: Map::new(),
    });

    let mut claims = Map::new();
    let mut neg = NegativeSet {
        reason: "true reminders of the voting date, hours and methods".into(),
        ..NegativeSet::default()
    };
    let last = ctx.clock.days.saturating_sub(1);
    let first = last.saturating_sub(6);
    for lang in Lang::ALL {
        let e = election_for(lang);
        let fill = |t: &str, rng: &mut rand_chacha::ChaCha8Rng| {
            t.replace("{false_date}", &lang.date_words(eday + Duration::days(1)))
                .replace("{date}", &lang.date_words(eday))
                .replace("{weekday}", lang.weekday_word(eday.weekday()))
                .replace("{open}", &hour(lang, e.polls_open, 0))
                .replace("{close}", &hour(lang, e.polls_close, 0))
                .replace("{wrong_close}", &hour(lang, e.polls_close, -2))
                .replace("{wrong_open}", &hour(lang, e.polls_open, 4))
                .replace("{number}", &rng.gen_range(30_000..39_999).to_string())
                .replace("{party}", CANDIDATES[rng.gen_range(0..CANDIDATES.len())].2)
                .replace(
                    "{url}",
                    &format!("https://{FAKE_VOTE_DOMAIN}/{}", lang.code()),
                )
        };
        // Two spreaders per language, on different platforms.
        let spreaders = [
            ctx.person_account("x", lang, true),
            ctx.person_account(
                if lang == Lang::Fr {
                    "telegram"
                } else {
                    "facebook"
                },
                lang,
                true,
            ),
        ];
        for c in Claim::ALL {
            let templates = false_templates(lang, c);
            for k in 0..ctx.rng.gen_range(2..=3) {
                let t = templates[k % templates.len()];
                let text = fill(t, &mut ctx.rng);
                let who = &spreaders[ctx.rng.gen_range(0..2)];
                let platform = ctx
                    .accounts
                    .iter()
                    .find(|a| &a.account.id == who)
                    .map(|a| a.account.platform.clone())
                    .unwrap_or_else(|| "x".into());
                let at = ctx.daytime(first..last + 1, 7, 18);
                let id = ctx.post(who, &platform, at, text, lang, None);
                claims.insert(id.clone(), Value::from(c.name()));
                op.items.push(id);
                if !op.accounts.contains(who) {
                    op.accounts.push(who.clone());
                }
            }
        }
        // True reminders by a civic account and ordinary people.
        let civic = {
            let created = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(1500..4000));
            let city = crate::text::ascii_lower(lang.cities()[0]);
            ctx.account(
                "x",
                format!("info_elections_{city}"),
                Some(format!("Élections {}", lang.cities()[0])),
                created,
                lang,
                true,
            )
        };
        neg.accounts.push(civic.clone());
        let people = [
            civic,
            ctx.person_account("x", lang, true),
            ctx.person_account("facebook", lang, true),
        ];
        for t in true_templates(lang) {
            for _ in 0..ctx.rng.gen_range(2..=4) {
                let text = fill(t, &mut ctx.rng);
                let who = people[ctx.rng.gen_range(0..people.len())].clone();
                let platform = ctx
                    .accounts
                    .iter()
                    .find(|a| a.account.id == who)
                    .map(|a| a.account.platform.clone())
                    .unwrap_or_else(|| "x".into());
                let at = ctx.daytime(first..last + 1, 7, 18);
                let id = ctx.post(&who, &platform, at, text, lang, None);
                neg.items.push(id);
            }
        }
    }
    op.details.insert("claims".into(), Value::Object(claims));
    op.details
        .insert("true_voting_day".into(), Value::from(eday.to_string()));
    op.details.insert(
        "false_voting_day".into(),
        Value::from((eday + Duration::days(1)).to_string()),
    );
    ctx.negatives.add("electoral_process", neg);
    vec![op]
}
