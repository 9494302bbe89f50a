//! Ground truth for semantic links: claims in six languages, each written twice in each language
//! (an original and a rewording with other words and structure), plus hard negatives — texts on
//! the same topic that make a different claim — and the generator's ordinary posts as background.
//!
//! How the translations were produced: every sentence here was written by hand for vigie by the
//! engineer who wrote this module (no machine translation, no text copied from elsewhere). The
//! six versions of a claim say the same thing; the rewording in a language says it again with
//! other words, as a troll escaping exact matching would.

use crate::lang::Lang;
use crate::text::Texts;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Languages of the parallel claims.
pub const LANGS: [&str; 6] = ["fr", "en", "de", "es", "pl", "ru"];

pub struct Claim {
    /// Per language (in [`LANGS`] order): the original and its rewording.
    pub versions: [[&'static str; 2]; 6],
    /// Same topic, different claim: `(language, text)`.
    pub negatives: [(&'static str, &'static str); 3],
}

pub const CLAIMS: [Claim; 12] = [
    Claim {
        versions: [
            ["Les sanctions contre la Russie ruinent nos agriculteurs.", "Nos paysans sont en train de faire faillite à cause des mesures prises contre Moscou."],
            ["Sanctions against Russia are ruining our farmers.", "Our farmers are going bankrupt because of the measures taken against Moscow."],
            ["Die Sanktionen gegen Russland ruinieren unsere Bauern.", "Unsere Landwirte gehen pleite wegen der Maßnahmen gegen Moskau."],
            ["Las sanciones contra Rusia arruinan a nuestros agricultores.", "Nuestros campesinos están quebrando por las medidas tomadas contra Moscú."],
            ["Sankcje wobec Rosji rujnują naszych rolników.", "Nasi rolnicy bankrutują przez środki podjęte przeciwko Moskwie."],
            ["Санкции против России разоряют наших фермеров.", "Наши крестьяне банкротятся из-за мер, принятых против Москвы."],
        ],
        negatives: [
            ("fr", "Les agriculteurs manifestent à Paris contre la hausse du prix du gazole."),
            ("de", "Die Bauern demonstrieren in Berlin gegen die Kürzung der Dieselsubventionen."),
            ("pl", "Rolnicy protestują w Warszawie przeciwko importowi zboża."),
        ],
    },
    Claim {
        versions: [
            ["L'Ukraine revend au marché noir les armes que lui donne l'Europe.", "Les armes européennes envoyées à Kiev finissent vendues illégalement à des trafiquants."],
            ["Ukraine is selling the weapons Europe gives it on the black market.", "European arms sent to Kyiv end up sold illegally to traffickers."],
            ["Die Ukraine verkauft die Waffen, die Europa ihr gibt, auf dem Schwarzmarkt.", "Europäische Waffen, die nach Kiew geschickt werden, landen illegal bei Schmugglern."],
            ["Ucrania vende en el mercado negro las armas que le da Europa.", "Las armas europeas enviadas a Kiev terminan vendidas ilegalmente a traficantes."],
            ["Ukraina sprzedaje na czarnym rynku broń, którą daje jej Europa.", "Europejska broń wysłana do Kijowa trafia nielegalnie do przemytników."],
            ["Украина продаёт на чёрном рынке оружие, которое ей даёт Европа.", "Европейское оружие, отправленное в Киев, незаконно попадает к контрабандистам."],
        ],
        negatives: [
            ("en", "Germany delivered a new air defence system to Ukraine this week."),
            ("es", "Alemania entregó esta semana un nuevo sistema de defensa aérea a Ucrania."),
            ("ru", "Германия на этой неделе передала Украине новую систему ПВО."),
        ],
    },
    Claim {
        versions: [
            ["Les machines de vote ont été piratées pour truquer l'élection.", "Des hackers ont manipulé les ordinateurs de vote afin de fausser le résultat du scrutin."],
            ["The voting machines were hacked to rig the election.", "Hackers tampered with the voting computers to falsify the result of the ballot."],
            ["Die Wahlgeräte wurden gehackt, um die Wahl zu manipulieren.", "Hacker haben die Wahlcomputer verändert, um das Ergebnis der Abstimmung zu fälschen."],
            ["Las máquinas de votación fueron pirateadas para amañar las elecciones.", "Unos hackers manipularon los ordenadores de voto para falsear el resultado de los comicios."],
            ["Maszyny do głosowania zostały zhakowane, żeby sfałszować wybory.", "Hakerzy zmienili komputery wyborcze, aby sfałszować wynik głosowania."],
            ["Машины для голосования взломали, чтобы сфальсифицировать выборы.", "Хакеры вмешались в компьютеры для голосования, чтобы подделать итоги выборов."],
        ],
        negatives: [
            ("fr", "Les bureaux de vote ouvriront à huit heures et les résultats seront connus à vingt heures."),
            ("en", "Polling stations open at eight and the first results are expected at ten in the evening."),
            ("pl", "Lokale wyborcze będą otwarte od siódmej do dwudziestej pierwszej."),
        ],
    },
    Claim {
        versions: [
            ["Ce candidat est un agent de la CIA payé par Washington.", "Les Américains financent en secret ce politicien qui travaille pour leurs services secrets."],
            ["This candidate is a CIA agent paid by Washington.", "The Americans secretly fund this politician, who works for their intelligence services."],
            ["Dieser Kandidat ist ein von Washington bezahlter CIA-Agent.", "Die Amerikaner finanzieren heimlich diesen Politiker, der für ihre Geheimdienste arbeitet."],
            ["Este candidato es un agente de la CIA pagado por Washington.", "Los estadounidenses financian en secreto a este político que trabaja para sus servicios de inteligencia."],
            ["Ten kandydat jest agentem CIA opłacanym przez Waszyngton.", "Amerykanie potajemnie finansują tego polityka, który pracuje dla ich wywiadu."],
            ["Этот кандидат — агент ЦРУ, которому платит Вашингтон.", "Американцы тайно финансируют этого политика, работающего на их спецслужбы."],
        ],
        negatives: [
            ("de", "Der Kandidat hat in Leipzig sein Programm zur Bildungspolitik vorgestellt."),
            ("es", "El candidato presentó en Sevilla su programa sobre educación."),
            ("en", "The candidate presented his education programme at a rally in Leeds."),
        ],
    },
    Claim {
        versions: [
            ["Les réfugiés touchent plus d'aides sociales que nos retraités.", "Un migrant reçoit davantage d'allocations qu'une personne âgée qui a travaillé toute sa vie."],
            ["Refugees receive more welfare than our pensioners.", "A migrant gets more benefits than an elderly person who worked all their life."],
            ["Flüchtlinge bekommen mehr Sozialhilfe als unsere Rentner.", "Ein Migrant erhält mehr Leistungen als ein alter Mensch, der sein ganzes Leben gearbeitet hat."],
            ["Los refugiados cobran más ayudas sociales que nuestros jubilados.", "Un inmigrante recibe más subsidios que un anciano que ha trabajado toda su vida."],
            ["Uchodźcy dostają więcej zasiłków niż nasi emeryci.", "Migrant otrzymuje więcej świadczeń niż starsza osoba, która pracowała całe życie."],
            ["Беженцы получают больше пособий, чем наши пенсионеры.", "Мигрант получает больше выплат, чем пожилой человек, проработавший всю жизнь."],
        ],
        negatives: [
            ("fr", "La mairie ouvre un nouveau centre de cours de langue pour les réfugiés."),
            ("ru", "Мэрия открыла новые языковые курсы для беженцев."),
            ("de", "Die Stadt eröffnet ein neues Sprachkurszentrum für Geflüchtete."),
        ],
    },
    Claim {
        versions: [
            ["L'OTAN prépare l'envoi de soldats français en Ukraine pour attaquer la Russie.", "L'Alliance atlantique s'apprête à déployer nos troupes sur le front ukrainien contre les Russes."],
            ["NATO is preparing to send French soldiers to Ukraine to attack Russia.", "The Atlantic alliance is about to deploy our troops on the Ukrainian front against the Russians."],
            ["Die NATO bereitet die Entsendung französischer Soldaten in die Ukraine vor, um Russland anzugreifen.", "Das Atlantische Bündnis will unsere Truppen an der ukrainischen Front gegen die Russen einsetzen."],
            ["La OTAN prepara el envío de soldados franceses a Ucrania para atacar a Rusia.", "La Alianza Atlántica se dispone a desplegar nuestras tropas en el frente ucraniano contra los rusos."],
            ["NATO przygotowuje wysłanie francuskich żołnierzy na Ukrainę, by zaatakować Rosję.", "Sojusz Północnoatlantycki zamierza rozmieścić nasze wojska na froncie ukraińskim przeciwko Rosjanom."],
            ["НАТО готовит отправку французских солдат на Украину для нападения на Россию.", "Североатлантический альянс собирается развернуть наши войска на украинском фронте против русских."],
        ],
        negatives: [
            ("en", "NATO held its annual naval exercise in the Baltic Sea this month."),
            ("pl", "NATO przeprowadziło w tym miesiącu coroczne ćwiczenia morskie na Bałtyku."),
            ("fr", "L'OTAN a tenu ce mois-ci son exercice naval annuel en mer Baltique."),
        ],
    },
    Claim {
        versions: [
            ["Bruxelles veut interdire la viande et nous forcer à manger des insectes.", "L'Union européenne compte bannir le steak et imposer la farine de grillons dans nos assiettes."],
            ["Brussels wants to ban meat and force us to eat insects.", "The European Union plans to outlaw steak and put cricket flour on our plates."],
            ["Brüssel will Fleisch verbieten und uns zwingen, Insekten zu essen.", "Die Europäische Union plant, das Steak abzuschaffen und uns Grillenmehl auf den Teller zu legen."],
            ["Bruselas quiere prohibir la carne y obligarnos a comer insectos.", "La Unión Europea planea vetar el filete e imponer harina de grillos en nuestros platos."],
            ["Bruksela chce zakazać mięsa i zmusić nas do jedzenia owadów.", "Unia Europejska planuje zakazać steków i wprowadzić mąkę ze świerszczy na nasze talerze."],
            ["Брюссель хочет запретить мясо и заставить нас есть насекомых.", "Евросоюз собирается запретить стейки и положить нам в тарелки муку из сверчков."],
        ],
        negatives: [
            ("es", "La Unión Europea aprobó nuevas normas sobre el etiquetado de los alimentos."),
            ("de", "Die EU hat neue Regeln für die Kennzeichnung von Lebensmitteln beschlossen."),
            ("en", "The EU approved new rules on food labelling."),
        ],
    },
    Claim {
        versions: [
            ["Le prix du gaz explose à cause de Bruxelles, pas de la Russie.", "Ce sont les décisions de l'Union européenne, et non Moscou, qui font flamber nos factures de chauffage."],
            ["Gas prices are soaring because of Brussels, not Russia.", "It is the European Union's decisions, not Moscow, that are sending our heating bills through the roof."],
            ["Die Gaspreise explodieren wegen Brüssel, nicht wegen Russland.", "Es sind die Entscheidungen der EU und nicht Moskau, die unsere Heizkosten in die Höhe treiben."],
            ["El precio del gas se dispara por culpa de Bruselas, no de Rusia.", "Son las decisiones de la Unión Europea, y no Moscú, las que disparan nuestras facturas de calefacción."],
            ["Ceny gazu szybują przez Brukselę, a nie przez Rosję.", "To decyzje Unii Europejskiej, a nie Moskwy, sprawiają, że nasze rachunki za ogrzewanie rosną."],
            ["Цены на газ взлетели из-за Брюсселя, а не из-за России.", "Именно решения Евросоюза, а не Москвы, заставляют расти наши счета за отопление."],
        ],
        negatives: [
            ("fr", "Les réserves de gaz sont remplies à quatre-vingt-dix pour cent avant l'hiver."),
            ("pl", "Magazyny gazu są zapełnione w dziewięćdziesięciu procentach przed zimą."),
            ("ru", "Газовые хранилища заполнены на девяносто процентов перед зимой."),
        ],
    },
    Claim {
        versions: [
            ["Les États-Unis fabriquent des armes biologiques dans des laboratoires secrets en Ukraine.", "Des labos américains cachés sur le sol ukrainien développent des virus pour la guerre."],
            ["The United States is making biological weapons in secret laboratories in Ukraine.", "Hidden American labs on Ukrainian soil are developing viruses for war."],
            ["Die USA stellen in geheimen Laboren in der Ukraine biologische Waffen her.", "Versteckte amerikanische Labore auf ukrainischem Boden entwickeln Viren für den Krieg."],
            ["Estados Unidos fabrica armas biológicas en laboratorios secretos en Ucrania.", "Laboratorios estadounidenses ocultos en suelo ucraniano desarrollan virus para la guerra."],
            ["Stany Zjednoczone produkują broń biologiczną w tajnych laboratoriach na Ukrainie.", "Ukryte amerykańskie laboratoria na ukraińskiej ziemi opracowują wirusy do celów wojennych."],
            ["США производят биологическое оружие в секретных лабораториях на Украине.", "Скрытые американские лаборатории на украинской земле разрабатывают вирусы для войны."],
        ],
        negatives: [
            ("en", "The WHO launched a measles vaccination campaign in Ukraine."),
            ("de", "Die WHO startete in der Ukraine eine Impfkampagne gegen Masern."),
            ("es", "La OMS lanzó una campaña de vacunación contra el sarampión en Ucrania."),
        ],
    },
    Claim {
        versions: [
            ["Les votes par correspondance sont jetés à la poubelle sans être comptés.", "Les bulletins envoyés par la poste finissent détruits avant le dépouillement."],
            ["Postal votes are thrown in the bin without being counted.", "Ballots sent by mail end up destroyed before the count."],
            ["Briefwahlstimmen werden ungezählt in den Müll geworfen.", "Per Post verschickte Stimmzettel werden vor der Auszählung vernichtet."],
            ["Los votos por correo se tiran a la basura sin contarlos.", "Las papeletas enviadas por correo acaban destruidas antes del recuento."],
            ["Głosy korespondencyjne są wyrzucane do kosza bez liczenia.", "Karty wysłane pocztą są niszczone przed liczeniem głosów."],
            ["Голоса, поданные по почте, выбрасывают в мусор без подсчёта.", "Бюллетени, отправленные почтой, уничтожают ещё до подсчёта."],
        ],
        negatives: [
            ("de", "Die Frist für die Beantragung der Briefwahl endet am Freitag."),
            ("fr", "La date limite pour demander un vote par procuration est vendredi."),
            ("ru", "Срок подачи заявления на голосование по почте истекает в пятницу."),
        ],
    },
    Claim {
        versions: [
            ["Des dizaines de mercenaires français ont été tués en Ukraine et Paris le cache.", "Le gouvernement dissimule la mort de nombreux combattants français sur le front ukrainien."],
            ["Dozens of French mercenaries have been killed in Ukraine and Paris is hiding it.", "The government is covering up the deaths of many French fighters on the Ukrainian front."],
            ["Dutzende französische Söldner wurden in der Ukraine getötet, und Paris verschweigt es.", "Die Regierung vertuscht den Tod zahlreicher französischer Kämpfer an der ukrainischen Front."],
            ["Decenas de mercenarios franceses han muerto en Ucrania y París lo oculta.", "El gobierno encubre la muerte de numerosos combatientes franceses en el frente ucraniano."],
            ["Dziesiątki francuskich najemników zginęły na Ukrainie, a Paryż to ukrywa.", "Rząd tuszuje śmierć wielu francuskich bojowników na froncie ukraińskim."],
            ["Десятки французских наёмников убиты на Украине, а Париж это скрывает.", "Правительство скрывает гибель многих французских бойцов на украинском фронте."],
        ],
        negatives: [
            ("fr", "L'armée française mène un exercice d'entraînement avec des soldats roumains."),
            ("en", "The French army is running a training exercise with Romanian soldiers."),
            ("es", "El ejército francés realiza un ejercicio de entrenamiento con soldados rumanos."),
        ],
    },
    Claim {
        versions: [
            ["Zelensky s'est acheté des villas de luxe avec l'argent de l'aide occidentale.", "Le président ukrainien utilise les fonds envoyés par l'Occident pour s'offrir des propriétés somptueuses."],
            ["Zelensky bought himself luxury villas with Western aid money.", "The Ukrainian president uses the funds sent by the West to buy himself lavish properties."],
            ["Selenskyj hat sich mit westlichen Hilfsgeldern Luxusvillen gekauft.", "Der ukrainische Präsident nutzt die vom Westen geschickten Mittel, um sich prunkvolle Anwesen zu leisten."],
            ["Zelenski se compró villas de lujo con el dinero de la ayuda occidental.", "El presidente ucraniano usa los fondos enviados por Occidente para regalarse propiedades suntuosas."],
            ["Zełenski kupił sobie luksusowe wille za pieniądze z zachodniej pomocy.", "Prezydent Ukrainy wykorzystuje środki przysłane przez Zachód, by kupować sobie okazałe posiadłości."],
            ["Зеленский купил себе роскошные виллы на деньги западной помощи.", "Украинский президент тратит присланные Западом средства на шикарную недвижимость для себя."],
        ],
        negatives: [
            ("en", "Zelensky met the Dutch prime minister in Kyiv to discuss reconstruction."),
            ("pl", "Zełenski spotkał się w Kijowie z premierem Holandii, by rozmawiać o odbudowie."),
            ("de", "Selenskyj traf in Kiew den niederländischen Regierungschef, um über den Wiederaufbau zu sprechen."),
        ],
    },
];

/// One text of the semantic evaluation set.
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticItem {
    pub text: String,
    /// Language the text was written in (ISO 639-1).
    pub lang: &'static str,
    /// Meaning: claims are `0..12`, hard negatives `100 + 3 * claim + k`; background posts none.
    pub meaning: Option<u32>,
    /// Which wording of the meaning in that language (copies of one wording share it).
    pub wording: u32,
}

/// Background languages from the generator's vocabularies.
fn background_lang(rng: &mut ChaCha8Rng) -> Lang {
    Lang::ALL[rng.gen_range(0..Lang::ALL.len())]
}

/// The evaluation set: every claim version, one light-noise copy of each (a copy, not a
/// rewording), the hard negatives, and `background` ordinary generated posts; shuffled by `seed`.
pub fn semantic_corpus(seed: u64, background: usize) -> Vec<SemanticItem> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut items = Vec::new();
    const NOISE: [(&str, &str); 4] = [("", " #EU"), ("RT ", ""), ("", " !!"), ("➡️ ", "")];
    for (c, claim) in CLAIMS.iter().enumerate() {
        for (l, pair) in claim.versions.iter().enumerate() {
            for (w, text) in pair.iter().enumerate() {
                let item = SemanticItem {
                    text: text.to_string(),
                    lang: LANGS[l],
                    meaning: Some(c as u32),
                    wording: w as u32,
                };
                let (pre, post) = NOISE[rng.gen_range(0..NOISE.len())];
                items.push(SemanticItem {
                    text: format!("{pre}{text}{post}"),
                    ..item.clone()
                });
                items.push(item);
            }
        }
        for (k, (lang, text)) in claim.negatives.iter().enumerate() {
            items.push(SemanticItem {
                text: text.to_string(),
                lang,
                meaning: Some(100 + 3 * c as u32 + k as u32),
                wording: 0,
            });
        }
    }
    let texts = Texts::new();
    for _ in 0..background {
        let lang = background_lang(&mut rng);
        let n = rng.gen_range(1..=2);
        items.push(SemanticItem {
            text: texts.vocab(lang).sentences(&mut rng, n),
            lang: lang.code(),
            meaning: None,
            wording: 0,
        });
    }
    // Fisher-Yates with the seeded generator: positions carry no information.
    for i in (1..items.len()).rev() {
        let j = rng.gen_range(0..=i);
        items.swap(i, j);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_seeded_and_complete() {
        let a = semantic_corpus(3, 50);
        assert_eq!(a, semantic_corpus(3, 50));
        assert_ne!(a, semantic_corpus(4, 50));
        assert_eq!(a.len(), 12 * 6 * 2 * 2 + 12 * 3 + 50);
        for lang in LANGS {
            assert!(a.iter().any(|i| i.lang == lang && i.meaning.is_some()));
        }
        // Every claim version is distinct text: a rewording is never a copy of the original.
        let mut seen = std::collections::BTreeSet::new();
        for c in &CLAIMS {
            for pair in &c.versions {
                assert_ne!(pair[0], pair[1]);
                assert!(seen.insert(pair[0]) && seen.insert(pair[1]));
            }
        }
    }
}
