//! `incitement`: calls in seven languages to block, storm or burn polling stations, counting,
//! party offices and a candidate's rally, in the last days of the campaign. Negatives: news
//! reports of arrests for such calls, past protests, and the same violent words about football.

use super::electoral::{post_in, register_copies, Tongue};
use super::{operation, Ctx};
use crate::lang::{Lang, CANDIDATES};
use crate::truth::{NegativeSet, Operation};
use rand::Rng;
use serde_json::{Map, Value};

fn calls(t: Tongue) -> &'static [&'static str] {
    match t {
        Tongue::Known(Lang::Fr) => &[
            "Dimanche soir, tous devant la mairie de {city} : on bloque le dépouillement !",
            "Rendez-vous ce soir devant le siège du parti {party} à {city}, il faut tout casser.",
            "Il faut brûler les urnes à {city} dimanche, le vote est truqué !",
        ],
        Tongue::Known(Lang::En) => &[
            "Everyone to the polling station in {city} on Sunday at 7am: block the entrance, nobody votes!",
            "Let's burn down the {party} party office in {city} tonight.",
            "Show up at the {cand} rally in {city} on Saturday and smash their stands.",
        ],
        Tongue::Known(Lang::De) => &[
            "Alle am Sonntag um 18 Uhr zum Wahllokal in {city}: wir blockieren die Auszählung!",
            "Lasst uns heute Abend das Parteibüro der {party} in {city} anzünden.",
            "Kommt alle zur Kundgebung von {cand} in {city} und zerstört die Stände.",
        ],
        Tongue::Known(Lang::Es) => &[
            "Todos al colegio electoral de {city} el domingo a las 8: ¡bloquead la entrada!",
            "Esta noche vamos a quemar la sede del partido {party} en {city}.",
            "Hay que reventar el mitin de {cand} en {city} el sábado.",
        ],
        Tongue::Known(Lang::It) => &[
            "Tutti al seggio di {city} domenica alle 7: blocchiamo l'ingresso!",
            "Stasera bruciamo la sede del partito {party} a {city}.",
            "Andiamo al comizio di {cand} a {city} sabato e distruggiamo i gazebo.",
        ],
        Tongue::Known(Lang::Pl) => &[
            "Wszyscy pod lokal wyborczy w {city} w niedzielę o 7: zablokujmy wejście!",
            "Dziś wieczorem spalcie biuro partii {party} w {city}.",
            "Chodźmy na wiec {cand} w {city} w sobotę i rozwalcie stoiska.",
        ],
        Tongue::Pt => &[
            "Todos à assembleia de voto de {city} no domingo às 8h: bloqueiem a entrada!",
            "Hoje à noite vamos queimar a sede do partido {party} em {city}.",
            "Vamos ao comício de {cand} em {city} no sábado e destruam tudo.",
        ],
    }
}

fn near_misses(t: Tongue) -> &'static [&'static str] {
    match t {
        Tongue::Known(Lang::Fr) => &[
            "La police a interpellé deux hommes qui appelaient à bloquer les bureaux de vote de {city}.",
            "En 2017, des manifestants avaient bloqué la préfecture de {city} pendant deux jours.",
            "Ce soir on va tout casser au stade de {city}, allez les bleus !",
        ],
        Tongue::Known(Lang::En) => &[
            "Police arrested two men who called for blocking polling stations in {city}.",
            "In 2016, protesters had blocked the town hall in {city} for two days.",
            "We are going to smash it tonight at the {city} derby!",
        ],
        Tongue::Known(Lang::De) => &[
            "Die Polizei hat zwei Männer festgenommen, die dazu aufgerufen hatten, Wahllokale in {city} zu blockieren.",
            "2017 hatten Demonstranten das Rathaus von {city} zwei Tage lang besetzt.",
            "Heute Abend zerstören wir den Gegner im Stadion von {city}!",
        ],
        Tongue::Known(Lang::Es) => &[
            "La policía ha detenido a dos hombres que llamaron a bloquear los colegios electorales de {city}.",
            "En 2019, los manifestantes habían ocupado el ayuntamiento de {city} durante dos días.",
            "¡Esta noche vamos a reventar el estadio de {city} con nuestros cánticos!",
        ],
        Tongue::Known(Lang::It) => &[
            "La polizia ha arrestato due uomini che avevano invitato a bloccare i seggi di {city}.",
            "Nel 2018 i manifestanti avevano occupato il municipio di {city} per due giorni.",
            "Stasera distruggiamo gli avversari allo stadio di {city}!",
        ],
        Tongue::Known(Lang::Pl) => &[
            "Policja zatrzymała dwóch mężczyzn, którzy wzywali do blokowania lokali wyborczych w {city}.",
            "W 2019 roku demonstranci okupowali ratusz w {city} przez dwa dni.",
            "Dziś wieczorem rozwalimy rywali na stadionie w {city}!",
        ],
        Tongue::Pt => &[
            "A polícia deteve dois homens que convocaram o bloqueio das assembleias de voto de {city}.",
            "Em 2019, os manifestantes tinham ocupado a câmara municipal de {city} durante dois dias.",
            "Hoje à noite vamos destruir o adversário no estádio de {city}!",
        ],
    }
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let mut op = operation(
        "op-incitement-1",
        "incitement",
        "Calls in seven languages to block or burn polling stations, counting, party offices \
         and a candidate's rally in the last days of the campaign"
            .into(),
    );
    let mut neg = NegativeSet {
        reason: "news of arrests for such calls, past protests, violent words about football"
            .into(),
        ..NegativeSet::default()
    };
    let last = ctx.clock.days.saturating_sub(1);
    let first = last.saturating_sub(5);
    let mut violent = Map::new();
    for t in Tongue::ALL {
        let fill = |tpl: &str, rng: &mut rand_chacha::ChaCha8Rng| {
            let c = CANDIDATES[rng.gen_range(0..CANDIDATES.len())];
            let cities = t.cities();
            tpl.replace("{city}", cities[rng.gen_range(0..cities.len())])
                .replace("{party}", c.2)
                .replace("{cand}", c.0)
        };
        let agitators = [
            ctx.person_account("telegram", t.names(), true),
            ctx.person_account("x", t.names(), true),
        ];
        for (k, tpl) in calls(t).iter().enumerate() {
            for _ in 0..ctx.rng.gen_range(2..=3) {
                let text = fill(tpl, &mut ctx.rng);
                let who = agitators[ctx.rng.gen_range(0..2)].clone();
                let at = ctx.daytime(first..last + 1, 8, 23);
                let id = post_in(ctx, &who, at, text, t);
                violent.insert(id.clone(), Value::from(k > 0));
                op.items.push(id);
                if !op.accounts.contains(&who) {
                    op.accounts.push(who);
                }
            }
        }
        let people = [
            ctx.person_account("x", t.names(), true),
            ctx.person_account("facebook", t.names(), true),
        ];
        for tpl in near_misses(t) {
            for _ in 0..ctx.rng.gen_range(2..=3) {
                let text = fill(tpl, &mut ctx.rng);
                let who = people[ctx.rng.gen_range(0..2)].clone();
                let at = ctx.daytime(first..last + 1, 8, 23);
                neg.items.push(post_in(ctx, &who, at, text, t));
            }
        }
    }
    op.details.insert("violent".into(), Value::Object(violent));
    let ids: Vec<String> = op.items.iter().chain(&neg.items).cloned().collect();
    register_copies(ctx, &ids);
    ctx.negatives.add("incitement", neg);
    vec![op]
}
