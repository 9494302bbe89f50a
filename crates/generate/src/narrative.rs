//! Disinformation narratives carried by the injected operations, in every language, with the
//! keywords vigie.toml lists for them. `{cand}` is a candidate's name, `{n}` a number.

use crate::lang::{Lang, CANDIDATES};
use rand::Rng;

pub struct NarrativeSpec {
    pub name: &'static str,
    pub keywords: &'static [&'static str],
    pub templates: &'static [(Lang, &'static [&'static str])],
}

pub const NARRATIVES: [NarrativeSpec; 4] = [
    NarrativeSpec {
        name: "candidate is a foreign agent",
        keywords: &[
            "cia", "cheval de troie", "trojan horse", "trojanische pferd", "caballo de troya",
            "cavallo di troia", "koń trojański", "washington",
        ],
        templates: &[
            (Lang::Fr, &[
                "{cand} est le cheval de Troie de la CIA en Europe.",
                "Des documents prouvent que {cand} est payé par Washington depuis {n} jours.",
            ]),
            (Lang::En, &[
                "{cand} is the CIA's Trojan horse in Europe.",
                "Leaked documents prove {cand} has been paid by Washington for {n} days.",
            ]),
            (Lang::De, &[
                "{cand} ist das Trojanische Pferd der CIA in Europa.",
                "Geleakte Dokumente beweisen: {cand} wird seit {n} Tagen aus Washington bezahlt.",
            ]),
            (Lang::Es, &["{cand} es el caballo de Troya de la CIA en Europa."]),
            (Lang::It, &["{cand} è il cavallo di Troia della CIA in Europa."]),
            (Lang::Pl, &["{cand} to koń trojański CIA w Europie."]),
        ],
    },
    NarrativeSpec {
        name: "sanctions ruin European farmers",
        keywords: &[
            "sanctions", "sanktionen", "sanciones", "sanzioni", "sankcje", "agriculteurs",
            "farmers", "bauern", "agricultores", "agricoltori", "rolników",
        ],
        templates: &[
            (Lang::Fr, &[
                "Les sanctions contre la Russie ruinent nos agriculteurs, et Bruxelles s'en moque.",
                "À cause des sanctions, {n} fermes ont fermé ce mois-ci selon nos sources.",
            ]),
            (Lang::En, &[
                "Sanctions against Russia are ruining our farmers while Brussels looks away.",
                "Because of the sanctions, {n} farms closed this month according to our sources.",
            ]),
            (Lang::De, &[
                "Die Sanktionen gegen Russland ruinieren unsere Bauern, Brüssel schaut weg.",
                "Wegen der Sanktionen haben diesen Monat {n} Höfe geschlossen.",
            ]),
            (Lang::Es, &["Las sanciones contra Rusia arruinan a nuestros agricultores y Bruselas mira hacia otro lado."]),
            (Lang::It, &["Le sanzioni contro la Russia rovinano i nostri agricoltori e Bruxelles se ne frega."]),
            (Lang::Pl, &["Sankcje wobec Rosji rujnują naszych rolników, a Bruksela odwraca wzrok."]),
        ],
    },
    NarrativeSpec {
        name: "Ukraine resells Western weapons",
        keywords: &[
            "marché noir", "black market", "schwarzmarkt", "mercado negro", "mercato nero",
            "czarnym rynku", "armes", "weapons", "waffen", "armas", "armi", "broń",
        ],
        templates: &[
            (Lang::Fr, &[
                "L'Ukraine revend les armes européennes au marché noir, {n} missiles ont disparu.",
                "Nos impôts financent le trafic d'armes de Kiev sur le marché noir.",
            ]),
            (Lang::En, &[
                "Ukraine is reselling European weapons on the black market: {n} missiles have vanished.",
                "Our taxes fund Kyiv's arms trafficking on the black market.",
            ]),
            (Lang::De, &["Die Ukraine verkauft europäische Waffen auf dem Schwarzmarkt weiter, {n} Raketen sind verschwunden."]),
            (Lang::Es, &["Ucrania revende las armas europeas en el mercado negro: han desaparecido {n} misiles."]),
            (Lang::It, &["L'Ucraina rivende le armi europee al mercato nero: {n} missili sono spariti."]),
            (Lang::Pl, &["Ukraina odsprzedaje europejską broń na czarnym rynku, zniknęło {n} rakiet."]),
        ],
    },
    NarrativeSpec {
        name: "the election is rigged",
        keywords: &["truquées", "rigged", "manipuliert", "amañadas", "truccate", "sfałszowane"],
        templates: &[
            (Lang::Fr, &["Les élections européennes sont truquées d'avance, {cand} a déjà gagné."]),
            (Lang::En, &["The EU elections are rigged in advance, {cand} has already won."]),
            (Lang::De, &["Die Europawahl ist manipuliert, {cand} hat schon gewonnen."]),
            (Lang::Es, &["Las elecciones europeas están amañadas, {cand} ya ha ganado."]),
            (Lang::It, &["Le elezioni europee sono truccate, {cand} ha già vinto."]),
            (Lang::Pl, &["Wybory europejskie są sfałszowane, {cand} już wygrał."]),
        ],
    },
];

/// A narrative sentence in `lang` from a random narrative, with its slots filled, and its
/// talking-point key (`narrative/lang/template`): texts with the same key are copies of one
/// talking point, whatever fills its slots.
pub fn keyed_sentence<R: Rng>(rng: &mut R, lang: Lang) -> (String, String) {
    let index = rng.gen_range(0..NARRATIVES.len());
    let n = &NARRATIVES[index];
    let templates = n
        .templates
        .iter()
        .find(|(l, _)| *l == lang)
        .map(|(_, t)| *t)
        .unwrap_or(n.templates[0].1);
    let template = rng.gen_range(0..templates.len());
    let t = templates[template];
    let candidate = rng.gen_range(0..CANDIDATES.len());
    let text = t
        .replace("{cand}", CANDIDATES[candidate].0)
        .replace("{n}", &rng.gen_range(12..900).to_string());
    // One template is one talking point, whichever candidate or figure fills it: swapping a
    // name in a copied text is still copy-paste.
    (
        text,
        format!("talking-point/{index}/{}/{template}", lang.code()),
    )
}
