//! `electoral_process`: posts in seven languages stating a wrong voting date (the day after the
//! real one), wrong poll hours, non-existent methods (SMS, online), false eligibility limits,
//! moved polling places, a postponement, or "we vote tomorrow" on the voting day itself, in the
//! last days of the campaign. Negatives: true reminders of the date, hours and methods, the same
//! "tomorrow" post the day before the vote (true then), past elections, other countries' voting
//! days, and fact-checks denying the false methods.

use super::{operation, Ctx, Item};
use crate::lang::{Lang, CANDIDATES};
use crate::truth::{NegativeSet, Operation};
use crate::world::election_for;
use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use serde_json::{Map, Value};
use vigie_core::DomainRecord;

/// The fake voting site the "vote online" claims link to.
pub const FAKE_VOTE_DOMAIN: &str = "vote-europe2024.eu";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Claim {
    WrongDate,
    WrongHours,
    Sms,
    Online,
    Eligibility,
    Place,
    Postponed,
    Tomorrow,
}

impl Claim {
    const ALL: [Claim; 8] = [
        Claim::WrongDate,
        Claim::WrongHours,
        Claim::Sms,
        Claim::Online,
        Claim::Eligibility,
        Claim::Place,
        Claim::Postponed,
        Claim::Tomorrow,
    ];

    fn name(self) -> &'static str {
        match self {
            Claim::WrongDate => "wrong_date",
            Claim::WrongHours => "wrong_hours",
            Claim::Sms => "sms_voting",
            Claim::Online => "online_voting",
            Claim::Eligibility => "eligibility",
            Claim::Place => "polling_place",
            Claim::Postponed => "postponement",
            Claim::Tomorrow => "relative_date",
        }
    }
}

/// The languages of the op: the generator's six, and Portuguese written here only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tongue {
    Known(Lang),
    Pt,
}

impl Tongue {
    pub(crate) const ALL: [Tongue; 7] = [
        Tongue::Known(Lang::Fr),
        Tongue::Known(Lang::En),
        Tongue::Known(Lang::De),
        Tongue::Known(Lang::Es),
        Tongue::Known(Lang::It),
        Tongue::Known(Lang::Pl),
        Tongue::Pt,
    ];

    pub(crate) fn code(self) -> &'static str {
        match self {
            Tongue::Known(l) => l.code(),
            Tongue::Pt => "pt",
        }
    }

    /// Language of the accounts' names (Portuguese speakers get Spanish-looking names).
    pub(crate) fn names(self) -> Lang {
        match self {
            Tongue::Known(l) => l,
            Tongue::Pt => Lang::Es,
        }
    }

    pub(crate) fn cities(self) -> &'static [&'static str] {
        match self {
            Tongue::Known(l) => l.cities(),
            Tongue::Pt => &["Lisboa", "Porto", "Braga", "Coimbra"],
        }
    }

    fn date_words(self, d: NaiveDate) -> String {
        match self {
            Tongue::Known(l) => l.date_words(d),
            Tongue::Pt => format!(
                "{}, {} de {}",
                PT_DAYS[d.weekday().num_days_from_monday() as usize],
                d.day(),
                PT_MONTHS[d.month0() as usize]
            ),
        }
    }

    fn weekday(self, d: NaiveDate) -> &'static str {
        match self {
            Tongue::Known(l) => l.weekday_word(d.weekday()),
            Tongue::Pt => PT_DAYS[d.weekday().num_days_from_monday() as usize],
        }
    }
}

const PT_DAYS: [&str; 7] = [
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
];
const PT_MONTHS: [&str; 12] = [
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
];

fn false_templates(t: Tongue, c: Claim) -> &'static [&'static str] {
    use Claim::*;
    use Lang::*;
    match (t, c) {
        (Tongue::Known(Fr), WrongDate) => &[
            "⚠️ ATTENTION : en raison de l'affluence attendue, le vote des européennes est reporté au {false_date}. Faites passer !",
            "Info mairie : les électeurs de {party} votent le {false_date} cette année pour désengorger les bureaux de vote.",
        ],
        (Tongue::Known(Fr), WrongHours) => &[
            "Rappel : les bureaux de vote fermeront exceptionnellement à {wrong_close} ce {weekday}.",
            "Ce {weekday} les bureaux de vote n'ouvriront qu'à {wrong_open}, inutile d'y aller avant.",
        ],
        (Tongue::Known(Fr), Sms) => &["Nouveau cette année : vous pouvez voter par SMS en envoyant le nom de votre liste au {number}."],
        (Tongue::Known(Fr), Online) => &["Plus besoin de se déplacer : votez en ligne pour les européennes sur {url} avant le {date}."],
        (Tongue::Known(Fr), Eligibility) => &["Info : les électeurs qui n'ont pas reçu leur nouvelle carte ne pourront pas voter le {date}."],
        (Tongue::Known(Fr), Place) => &["Votre bureau de vote a changé cette année : vérifiez sur {url} avant d'y aller."],
        (Tongue::Known(Fr), Postponed) => &["Les européennes sont reportées d'une semaine à cause des inondations, ne vous déplacez pas."],
        (Tongue::Known(Fr), Tomorrow) => &["Rappel : c'est demain qu'on vote pour les européennes, pas aujourd'hui !"],
        (Tongue::Known(En), WrongDate) => &["BREAKING: due to expected turnout, the EU election vote has been moved to {false_date}. Please share!"],
        (Tongue::Known(En), WrongHours) => &["Reminder: polling stations will close early at {wrong_close} on {weekday}."],
        (Tongue::Known(En), Sms) => &["You can now vote by text! Send your party's name to {number} to cast your EU election ballot."],
        (Tongue::Known(En), Online) => &["No need to queue: vote online for the European elections at {url} before {date}."],
        (Tongue::Known(En), Eligibility) => &["Heads up: voters who did not get the new voter card will not be able to vote on {date}."],
        (Tongue::Known(En), Place) => &["Your polling station has moved this year, check {url} before you go."],
        (Tongue::Known(En), Postponed) => &["The European elections have been postponed by a week because of the floods."],
        (Tongue::Known(En), Tomorrow) => &["Reminder: we vote tomorrow in the European elections, not today!"],
        (Tongue::Known(De), WrongDate) => &["ACHTUNG: Wegen des großen Andrangs wird die Europawahl auf {false_date} verschoben. Bitte teilen!"],
        (Tongue::Known(De), WrongHours) => &["Hinweis: Die Wahllokale schließen am {weekday} bereits um {wrong_close} Uhr."],
        (Tongue::Known(De), Sms) => &["Neu: Sie können per SMS wählen! Schicken Sie den Namen Ihrer Partei an die {number}."],
        (Tongue::Known(De), Online) => &["Europawahl jetzt online: Stimme abgeben unter {url} bis {date}."],
        (Tongue::Known(De), Eligibility) => &["Wer keine neue Wahlbenachrichtigung bekommen hat, darf nicht wählen."],
        (Tongue::Known(De), Place) => &["Achtung, Ihr Wahllokal wurde verlegt, prüfen Sie {url} vor dem Wahlgang."],
        (Tongue::Known(De), Postponed) => &["Die Europawahl wurde wegen der Unwetter um eine Woche verschoben."],
        (Tongue::Known(De), Tomorrow) => &["Erinnerung: Morgen wird gewählt, nicht heute!"],
        (Tongue::Known(Es), WrongDate) => &["ATENCIÓN: por la alta afluencia, la votación de las europeas se aplaza al {false_date}. ¡Compártelo!"],
        (Tongue::Known(Es), WrongHours) => &["Recordatorio: los colegios electorales cerrarán a las {wrong_close} este {weekday}."],
        (Tongue::Known(Es), Sms) => &["Novedad: ya se puede votar por SMS enviando el nombre del partido al {number}."],
        (Tongue::Known(Es), Online) => &["Vota online en las elecciones europeas en {url} antes del {date}."],
        (Tongue::Known(Es), Eligibility) => &["Aviso: quienes no hayan recibido la nueva tarjeta no podrán votar el {date}."],
        (Tongue::Known(Es), Place) => &["Ha cambiado su colegio electoral este año, consulte {url} antes de ir."],
        (Tongue::Known(Es), Postponed) => &["Las elecciones europeas se aplazan una semana por las inundaciones."],
        (Tongue::Known(Es), Tomorrow) => &["Recordad: se vota mañana en las europeas, ¡no hoy!"],
        (Tongue::Known(It), WrongDate) => &["ATTENZIONE: per l'alta affluenza il voto per le europee è rinviato a {false_date}. Condividete!"],
        (Tongue::Known(It), WrongHours) => &["Promemoria: i seggi chiuderanno alle {wrong_close} di {weekday}."],
        (Tongue::Known(It), Sms) => &["Novità: si può votare via SMS inviando il nome del partito al {number}."],
        (Tongue::Known(It), Online) => &["Vota online per le europee su {url} entro {date}."],
        (Tongue::Known(It), Eligibility) => &["Attenzione: chi non ha ricevuto la nuova tessera non potrà votare {date}."],
        (Tongue::Known(It), Place) => &["Il tuo seggio è stato spostato quest'anno, controlla su {url} prima di andare."],
        (Tongue::Known(It), Postponed) => &["Le elezioni europee sono state rinviate di una settimana per le alluvioni."],
        (Tongue::Known(It), Tomorrow) => &["Ricordate: si vota dopodomani per le europee, non domenica!"],
        (Tongue::Known(Pl), WrongDate) => &["UWAGA: z powodu dużej frekwencji wybory do Parlamentu Europejskiego przeniesiono na {false_date}. Udostępnij!"],
        (Tongue::Known(Pl), WrongHours) => &["Przypomnienie: lokale wyborcze zostaną zamknięte już o {wrong_close} w dniu wyborów."],
        (Tongue::Known(Pl), Sms) => &["Nowość: można głosować SMS-em, wysyłając nazwę komitetu na numer {number}."],
        (Tongue::Known(Pl), Online) => &["Głosuj online w wyborach do PE na {url} do {date}."],
        (Tongue::Known(Pl), Eligibility) => &["Uwaga: osoby bez nowego zaświadczenia nie będą mogli głosować {date}."],
        (Tongue::Known(Pl), Place) => &["Twój lokal wyborczy został przeniesiony, sprawdź {url} przed wyjściem."],
        (Tongue::Known(Pl), Postponed) => &["Wybory do Parlamentu Europejskiego zostały przełożone o tydzień z powodu powodzi."],
        (Tongue::Known(Pl), Tomorrow) => &["Pamiętajcie: głosujemy jutro, nie dzisiaj!"],
        (Tongue::Pt, WrongDate) => &["ATENÇÃO: devido à grande afluência, as eleições europeias foram adiadas para {false_date}. Partilhe!"],
        (Tongue::Pt, WrongHours) => &["Lembrete: as assembleias de voto fecham às {wrong_close} no {weekday}."],
        (Tongue::Pt, Sms) => &["Novidade: já pode votar por SMS enviando o nome do partido para o {number}."],
        (Tongue::Pt, Online) => &["Vote online nas europeias em {url} até {date}."],
        (Tongue::Pt, Eligibility) => &["Aviso: quem não recebeu o novo cartão não poderá votar no {date}."],
        (Tongue::Pt, Place) => &["Atenção: o seu local de votação mudou este ano, confirme em {url}."],
        (Tongue::Pt, Postponed) => &["As eleições europeias foram adiadas uma semana por causa das cheias."],
        (Tongue::Pt, Tomorrow) => &["Lembrem-se: votamos amanhã nas europeias, não hoje!"],
    }
}

fn true_templates(t: Tongue) -> &'static [&'static str] {
    match t {
        Tongue::Known(Lang::Fr) => &[
            "N'oubliez pas : les élections européennes ont lieu le {date}, bureaux de vote ouverts de {open} à {close}.",
            "Vous ne pouvez pas vous déplacer le {date} ? Pensez à la procuration, c'est encore possible.",
            "Ce {weekday}, on vote pour les européennes ! N'oubliez pas votre pièce d'identité.",
        ],
        Tongue::Known(Lang::En) => &[
            "Reminder: the European elections are on {date}. Polling stations are open from {open} to {close}.",
            "Can't vote in person on {date}? Postal votes are still possible if you applied in time.",
        ],
        Tongue::Known(Lang::De) => &[
            "Nicht vergessen: Die Europawahl ist am {date}, die Wahllokale sind von {open} bis {close} Uhr geöffnet.",
            "Briefwahl noch möglich: Unterlagen rechtzeitig vor dem {date} beantragen.",
        ],
        Tongue::Known(Lang::Es) => &[
            "Recuerda: las elecciones europeas son el {date}, los colegios abren de {open} a {close}.",
            "¿No puedes ir el {date}? Todavía puedes votar por correo si lo solicitaste a tiempo.",
        ],
        Tongue::Known(Lang::It) => &["Ricordate: le europee si votano sabato pomeriggio e {date}, seggi aperti fino alle {close}."],
        Tongue::Known(Lang::Pl) => &["Pamiętaj: wybory do Parlamentu Europejskiego odbędą się {date}, lokale otwarte od {open} do {close}."],
        Tongue::Pt => &["Lembrete: as eleições europeias são no {date}, as assembleias de voto abrem das {open} às {close}."],
    }
}

/// Near misses: a past election, another country's voting day, a fact-check of the false
/// methods.
fn near_miss_templates(t: Tongue) -> &'static [&'static str] {
    match t {
        Tongue::Known(Lang::Fr) => &[
            "En 2019, les européennes avaient eu lieu le dimanche 26 mai.",
            "Aux Pays-Bas, on vote dès le {nl_date} pour les européennes.",
            "FAUX : on ne peut pas voter par SMS ni en ligne, ne relayez pas ce message.",
        ],
        Tongue::Known(Lang::En) => &[
            "In 2019, the European elections were held on Sunday 26 May.",
            "In the Netherlands, voters go to the polls on {nl_date}.",
            "FAKE: you cannot vote by text or online. Don't share that message.",
        ],
        Tongue::Known(Lang::De) => &[
            "2019 fand die Europawahl am Sonntag, 26. Mai statt.",
            "In den Niederlanden wird schon am {nl_date} gewählt.",
            "FALSCH: Man kann nicht per SMS oder online wählen.",
        ],
        Tongue::Known(Lang::Es) => &[
            "En 2019, las europeas se celebraron el domingo 26 de mayo.",
            "En los Países Bajos se vota ya el {nl_date}.",
            "FALSO: no se puede votar por SMS ni por internet.",
        ],
        Tongue::Known(Lang::It) => &[
            "Nel 2019 le europee si sono tenute domenica 26 maggio.",
            "Nei Paesi Bassi si vota già {nl_date}.",
            "FALSO: non si può votare via SMS né online.",
        ],
        Tongue::Known(Lang::Pl) => &[
            "W 2019 roku wybory do PE odbyły się 26 maja.",
            "W Holandii głosowanie odbędzie się już {nl_date}.",
            "FAŁSZ: nie można głosować SMS-em ani przez internet.",
        ],
        Tongue::Pt => &[
            "Em 2019, as europeias realizaram-se no domingo, 26 de maio.",
            "Nos Países Baixos vota-se já na {nl_date}.",
            "FALSO: não é possível votar por SMS nem pela internet.",
        ],
    }
}

/// "20h" / "20:00" / "20" as each language writes poll hours.
fn hour(t: Tongue, hhmm: &str, shift: i32) -> String {
    let h: i32 = hhmm.get(..2).and_then(|s| s.parse().ok()).unwrap_or(8) + shift;
    match t {
        Tongue::Known(Lang::Fr) | Tongue::Pt => format!("{h}h"),
        Tongue::Known(Lang::De) | Tongue::Known(Lang::It) => format!("{h}"),
        _ => format!("{h}:00"),
    }
}

/// Posts `text` by `who` at `at` in tongue `t` and returns its id.
pub(crate) fn post_in(
    ctx: &mut Ctx<'_>,
    who: &str,
    at: chrono::DateTime<chrono::Utc>,
    text: String,
    t: Tongue,
) -> String {
    let platform = ctx
        .accounts
        .iter()
        .find(|a| a.account.id == who)
        .map(|a| a.account.platform.clone())
        .unwrap_or_else(|| "x".into());
    let id = ctx.post(who, &platform, at, text, t.names(), None);
    if let (Tongue::Pt, Some(Item::Post(p))) = (t, ctx.items.last_mut()) {
        p.lang = Some("pt".into());
    }
    id
}

/// Registers, as copy-paste ground truth, the texts among `ids` that three or more accounts
/// published word for word (what `copypasta` reports).
pub(crate) fn register_copies(ctx: &mut Ctx<'_>, ids: &[String]) {
    let wanted: std::collections::BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut by_text: std::collections::BTreeMap<
        String,
        (Vec<String>, std::collections::BTreeSet<String>),
    > = Default::default();
    for item in &ctx.items {
        if let Item::Post(p) = item {
            if wanted.contains(p.id.as_str()) {
                let e = by_text.entry(p.text.clone()).or_default();
                e.0.push(p.id.clone());
                e.1.insert(p.author.clone());
            }
        }
    }
    for (text, (group, authors)) in by_text {
        if authors.len() >= 3 {
            for id in group {
                ctx.copies(&format!("text:{text}"), &id);
            }
        }
    }
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let eday = ctx.clock.election_day;
    let mut op = operation(
        "op-electoral-1",
        "electoral_process",
        format!(
            "False voting information before the {eday} poll in seven languages: a later date, \
             wrong hours, voting by SMS or online, false eligibility limits, moved polling \
             places, a postponement, and \"we vote tomorrow\" on the voting day"
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
        reason: "true reminders of the voting date, hours and methods; \"tomorrow\" the day \
                 before the vote; past elections; other countries' voting days; fact-checks"
            .into(),
        ..NegativeSet::default()
    };
    let last = ctx.clock.days.saturating_sub(1);
    let first = last.saturating_sub(6);
    for t in Tongue::ALL {
        let e = election_for(t.code());
        let fill = |tpl: &str, rng: &mut rand_chacha::ChaCha8Rng| {
            tpl.replace("{false_date}", &t.date_words(eday + Duration::days(1)))
                .replace("{nl_date}", &t.date_words(eday - Duration::days(3)))
                .replace("{date}", &t.date_words(eday))
                .replace("{weekday}", t.weekday(eday))
                .replace("{open}", &hour(t, e.polls_open, 0))
                .replace("{close}", &hour(t, e.polls_close, 0))
                .replace("{wrong_close}", &hour(t, e.polls_close, -2))
                .replace("{wrong_open}", &hour(t, e.polls_open, 4))
                .replace("{number}", &rng.gen_range(30_000..39_999).to_string())
                .replace("{party}", CANDIDATES[rng.gen_range(0..CANDIDATES.len())].2)
                .replace("{url}", &format!("https://{FAKE_VOTE_DOMAIN}/{}", t.code()))
        };
        // Two spreaders per language, on different platforms.
        let second = if t == Tongue::Known(Lang::Fr) {
            "telegram"
        } else {
            "facebook"
        };
        let spreaders = [
            ctx.person_account("x", t.names(), true),
            ctx.person_account(second, t.names(), true),
        ];
        for c in Claim::ALL {
            let templates = false_templates(t, c);
            for k in 0..ctx.rng.gen_range(2..=3) {
                let text = fill(templates[k % templates.len()], &mut ctx.rng);
                let who = spreaders[ctx.rng.gen_range(0..2)].clone();
                // "Tomorrow" is false on the voting day itself (Italy: "after tomorrow" on
                // Saturday, its first voting day).
                let at = if c == Claim::Tomorrow {
                    ctx.daytime(last..last + 1, 7, 12)
                } else {
                    ctx.daytime(first..last + 1, 7, 18)
                };
                let id = post_in(ctx, &who, at, text, t);
                claims.insert(id.clone(), Value::from(c.name()));
                op.items.push(id);
                if !op.accounts.contains(&who) {
                    op.accounts.push(who);
                }
            }
        }
        // True reminders and near misses by a civic account and ordinary people.
        let civic = {
            let created = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(1500..4000));
            let city = crate::text::ascii_lower(t.names().cities()[0]);
            ctx.account(
                "x",
                format!("info_elections_{city}_{}", t.code()),
                Some(format!("Élections {}", t.names().cities()[0])),
                created,
                t.names(),
                true,
            )
        };
        neg.accounts.push(civic.clone());
        let people = [
            civic,
            ctx.person_account("x", t.names(), true),
            ctx.person_account("facebook", t.names(), true),
        ];
        let mut negatives: Vec<(&str, bool)> =
            true_templates(t).iter().map(|s| (*s, false)).collect();
        negatives.extend(near_miss_templates(t).iter().map(|s| (*s, false)));
        // The "tomorrow" post of the day before the first voting day is true.
        negatives.extend(
            false_templates(t, Claim::Tomorrow)
                .iter()
                .map(|s| (*s, true)),
        );
        for (tpl, day_before) in negatives {
            for _ in 0..ctx.rng.gen_range(2..=3) {
                let text = fill(tpl, &mut ctx.rng);
                let who = people[ctx.rng.gen_range(0..people.len())].clone();
                let at = if day_before {
                    let d = if t == Tongue::Known(Lang::It) {
                        last.saturating_sub(3)
                    } else {
                        last.saturating_sub(1)
                    };
                    ctx.daytime(d..d + 1, 7, 18)
                } else {
                    ctx.daytime(first..last + 1, 7, 18)
                };
                let id = post_in(ctx, &who, at, text, t);
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
    let ids: Vec<String> = op.items.iter().chain(&neg.items).cloned().collect();
    register_copies(ctx, &ids);
    ctx.negatives.add("electoral_process", neg);
    vec![op]
}
