//! `doxxing`: posts in seven languages publishing two protected candidates' private phone,
//! e-mail and IBAN (the generated vigie.toml lists only their salted hashes), and dumps of
//! poll workers' phones, e-mails and addresses. Negatives: public contacts (a campaign office,
//! a town hall) and order numbers that look like IBANs but fail the checksum.

use super::electoral::{post_in, register_copies, Tongue};
use super::{operation, Ctx};
use crate::lang::{Lang, CANDIDATES};
use crate::truth::{NegativeSet, Operation};
use rand::Rng;
use sha2::{Digest, Sha256};

/// The salt the generated vigie.toml declares in `[privacy]`.
pub const SALT: &str = "vigie-generate";

/// A protected candidate's private data: raw forms as posted and normalised forms as hashed.
pub struct PrivateData {
    pub candidate: usize,
    pub phone_national: &'static str,
    pub phone_e164: &'static str,
    pub email: &'static str,
    pub iban: String,
}

/// IBAN check digits by ISO 13616 (mod 97 over the rearranged number).
fn iban(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let n = c.to_digit(36).unwrap_or(0);
        rem = if n >= 10 {
            (rem * 100 + n) % 97
        } else {
            (rem * 10 + n) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

/// Groups of four, as IBANs are printed.
fn printed(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn private_data() -> [PrivateData; 2] {
    [
        PrivateData {
            candidate: 0,
            phone_national: "06 47 21 83 95",
            phone_e164: "+33647218395",
            email: "c.fontaine.perso@mailbox.example",
            iban: iban("FR", "30004000031234567890143"),
        },
        PrivateData {
            candidate: 1,
            phone_national: "07 58 14 92 36",
            phone_e164: "+33758149236",
            email: "marc.delorme.prive@mailbox.example",
            iban: iban("FR", "20041010050500013402606"),
        },
    ]
}

/// `pii_sha256` values of a candidate's `[[protected]]` entry (SPEC §3: salt + normalised).
pub fn pii_hashes(candidate: usize) -> Vec<String> {
    let hash = |v: &str| {
        let mut h = Sha256::new();
        h.update(SALT.as_bytes());
        h.update(v.as_bytes());
        h.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    private_data()
        .iter()
        .filter(|d| d.candidate == candidate)
        .flat_map(|d| {
            [
                hash(d.phone_e164),
                hash(d.email),
                hash(&d.iban.to_lowercase()),
            ]
        })
        .collect()
}

fn leak_templates(t: Tongue) -> [&'static str; 2] {
    match t {
        Tongue::Known(Lang::Fr) => [
            "Voici le numéro perso de {cand} : {phone}. Appelez-le jour et nuit !",
            "Le mail privé de {cand} : {email}, et son IBAN {iban}. Faites tourner.",
        ],
        Tongue::Known(Lang::En) => [
            "Here is {cand}'s private number: {phone}. Call all night!",
            "{cand}'s private mail is {email} and the IBAN is {iban}. Spread it.",
        ],
        Tongue::Known(Lang::De) => [
            "Hier ist die private Nummer von {cand}: {phone}. Ruft Tag und Nacht an!",
            "Private Mail von {cand}: {email}, IBAN {iban}. Teilen!",
        ],
        Tongue::Known(Lang::Es) => [
            "Aquí está el número privado de {cand}: {phone}. ¡Llamad sin parar!",
            "Correo privado de {cand}: {email} y su IBAN {iban}. ¡Difundid!",
        ],
        Tongue::Known(Lang::It) => [
            "Ecco il numero privato di {cand}: {phone}. Chiamate giorno e notte!",
            "Mail privata di {cand}: {email}, IBAN {iban}. Condividete!",
        ],
        Tongue::Known(Lang::Pl) => [
            "Oto prywatny numer {cand}: {phone}. Dzwońcie dzień i noc!",
            "Prywatny mail {cand}: {email}, IBAN {iban}. Udostępniajcie!",
        ],
        Tongue::Pt => [
            "Aqui está o número privado de {cand}: {phone}. Liguem dia e noite!",
            "O e-mail privado de {cand}: {email} e o IBAN {iban}. Partilhem!",
        ],
    }
}

fn dump_template(t: Tongue) -> &'static str {
    match t {
        Tongue::Known(Lang::Fr) => "Fuite : les assesseurs du bureau de vote de {city} — {p1}, {p2}, {p3}. À vous de jouer.",
        Tongue::Known(Lang::En) => "Leak: the poll workers in {city} — {p1}, {p2}, {p3}. You know what to do.",
        Tongue::Known(Lang::De) => "Leak: die Wahlhelfer in {city} — {p1}, {p2}, {p3}. Ihr wisst, was zu tun ist.",
        Tongue::Known(Lang::Es) => "Filtración: los miembros de mesa de {city} — {p1}, {p2}, {p3}. Ya sabéis.",
        Tongue::Known(Lang::It) => "Leak: gli scrutatori di {city} — {p1}, {p2}, {p3}. Sapete cosa fare.",
        Tongue::Known(Lang::Pl) => "Wyciek: członkowie komisji w {city} — {p1}, {p2}, {p3}. Wiecie, co robić.",
        Tongue::Pt => "Fuga: os membros da mesa de {city} — {p1}, {p2}, {p3}. Já sabem.",
    }
}

fn public_templates(t: Tongue) -> [&'static str; 2] {
    match t {
        Tongue::Known(Lang::Fr) => [
            "Permanence de campagne ouverte : écrivez à {email} ou appelez le {phone}.",
            "Commande n° FR{order} bien reçue, merci !",
        ],
        Tongue::Known(Lang::En) => [
            "Our campaign office is open: write to {email} or call {phone}.",
            "Order FR{order} received, thank you!",
        ],
        Tongue::Known(Lang::De) => [
            "Unser Wahlkreisbüro ist offen: schreiben Sie an {email} oder rufen Sie {phone} an.",
            "Bestellung FR{order} erhalten, danke!",
        ],
        Tongue::Known(Lang::Es) => [
            "Nuestra oficina de campaña está abierta: escribid a {email} o llamad al {phone}.",
            "Pedido FR{order} recibido, ¡gracias!",
        ],
        Tongue::Known(Lang::It) => [
            "Il nostro comitato è aperto: scrivete a {email} o chiamate il {phone}.",
            "Ordine FR{order} ricevuto, grazie!",
        ],
        Tongue::Known(Lang::Pl) => [
            "Nasze biuro jest otwarte: piszcie na {email} lub dzwońcie pod {phone}.",
            "Zamówienie FR{order} otrzymane, dziękujemy!",
        ],
        Tongue::Pt => [
            "A nossa sede de campanha está aberta: escrevam para {email} ou liguem {phone}.",
            "Encomenda FR{order} recebida, obrigado!",
        ],
    }
}

fn random_phone(rng: &mut rand_chacha::ChaCha8Rng) -> String {
    let mut s = format!("+33 {}", rng.gen_range(6..=7));
    for _ in 0..4 {
        s.push_str(&format!(" {:02}", rng.gen_range(0..100)));
    }
    s
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let mut op = operation(
        "op-doxxing-1",
        "doxxing",
        "Two protected candidates' private phone, e-mail and IBAN published in seven \
         languages, and dumps of poll workers' personal data"
            .into(),
    );
    let mut neg = NegativeSet {
        reason: "public campaign contacts and order numbers failing the IBAN checksum".into(),
        ..NegativeSet::default()
    };
    let data = private_data();
    let last = ctx.clock.days.saturating_sub(1);
    let first = last.saturating_sub(10);
    for t in Tongue::ALL {
        let leaker = ctx.person_account("telegram", t.names(), true);
        op.accounts.push(leaker.clone());
        for d in &data {
            let cand = CANDIDATES[d.candidate].0;
            // French readers get the national number, others the international one.
            let phone = if t == Tongue::Known(Lang::Fr) {
                d.phone_national.to_owned()
            } else {
                d.phone_e164.to_owned()
            };
            for tpl in leak_templates(t) {
                let text = tpl
                    .replace("{cand}", cand)
                    .replace("{phone}", &phone)
                    .replace("{email}", d.email)
                    .replace("{iban}", &printed(&d.iban));
                let at = ctx.daytime(first..last + 1, 8, 23);
                op.items.push(post_in(ctx, &leaker, at, text, t));
            }
        }
        let cities = t.cities();
        let person = |rng: &mut rand_chacha::ChaCha8Rng| {
            let l = t.names();
            let first_name = l.first_names()[rng.gen_range(0..l.first_names().len())];
            let last_name = l.last_names()[rng.gen_range(0..l.last_names().len())];
            let mail = format!(
                "{}.{}@mailbox.example",
                crate::text::ascii_lower(first_name),
                crate::text::ascii_lower(last_name)
            );
            format!("{first_name} {last_name} {} {mail}", random_phone(rng))
        };
        for _ in 0..2 {
            let text = dump_template(t)
                .replace("{city}", cities[ctx.rng.gen_range(0..cities.len())])
                .replace("{p1}", &person(&mut ctx.rng))
                .replace("{p2}", &person(&mut ctx.rng))
                .replace("{p3}", &person(&mut ctx.rng));
            let at = ctx.daytime(first..last + 1, 8, 23);
            op.items.push(post_in(ctx, &leaker, at, text, t));
        }
        let office = ctx.person_account("x", t.names(), true);
        for tpl in public_templates(t) {
            let city = crate::text::ascii_lower(cities[0]);
            let order: String = (0..25)
                .map(|_| char::from(b'0' + ctx.rng.gen_range(0..10u8)))
                .collect();
            let text = tpl
                .replace("{email}", &format!("contact@campagne-{city}.example"))
                .replace("{phone}", &random_phone(&mut ctx.rng))
                .replace("{order}", &order);
            let at = ctx.daytime(first..last + 1, 8, 23);
            neg.items.push(post_in(ctx, &office, at, text, t));
        }
    }
    let ids: Vec<String> = op.items.iter().chain(&neg.items).cloned().collect();
    register_copies(ctx, &ids);
    ctx.negatives.add("doxxing", neg);
    vec![op]
}
