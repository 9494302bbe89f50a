//! Languages and the small per-language word lists the text generator draws from.
//!
//! The lists are ordered roughly by frequency so that a Zipf draw over their rank gives text whose
//! word-frequency curve looks like natural language (many function words, a long tail), which is
//! what near-duplicate and language detectors are tuned against.

use chrono::{Datelike, NaiveDate, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    Fr,
    En,
    De,
    Es,
    It,
    Pl,
}

impl Lang {
    pub const ALL: [Lang; 6] = [Lang::Fr, Lang::En, Lang::De, Lang::Es, Lang::It, Lang::Pl];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
            Lang::De => "de",
            Lang::Es => "es",
            Lang::It => "it",
            Lang::Pl => "pl",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Share of organic accounts writing mainly in each language (French campaign, European mix).
    pub fn weights() -> [f64; 6] {
        [0.55, 0.14, 0.10, 0.08, 0.07, 0.06]
    }

    pub fn common_words(self) -> &'static str {
        match self {
            Lang::Fr => FR_WORDS,
            Lang::En => EN_WORDS,
            Lang::De => DE_WORDS,
            Lang::Es => ES_WORDS,
            Lang::It => IT_WORDS,
            Lang::Pl => PL_WORDS,
        }
    }

    pub fn topic_words(self) -> &'static str {
        match self {
            Lang::Fr => FR_TOPIC,
            Lang::En => EN_TOPIC,
            Lang::De => DE_TOPIC,
            Lang::Es => ES_TOPIC,
            Lang::It => IT_TOPIC,
            Lang::Pl => PL_TOPIC,
        }
    }

    pub fn hashtags(self) -> &'static [&'static str] {
        match self {
            Lang::Fr => FR_TAGS,
            Lang::En => EN_TAGS,
            Lang::De => DE_TAGS,
            Lang::Es => ES_TAGS,
            Lang::It => IT_TAGS,
            Lang::Pl => PL_TAGS,
        }
    }

    pub fn first_names(self) -> &'static [&'static str] {
        match self {
            Lang::Fr => &[
                "julie",
                "thomas",
                "marie",
                "nicolas",
                "camille",
                "lucas",
                "sophie",
                "antoine",
                "claire",
                "hugo",
                "emma",
                "julien",
                "laura",
                "maxime",
                "chloe",
                "pierre",
                "manon",
                "alexandre",
                "sarah",
                "romain",
                "celine",
                "guillaume",
                "lea",
                "mathieu",
                "ines",
                "baptiste",
                "pauline",
                "olivier",
                "nathalie",
                "francois",
                "isabelle",
                "vincent",
            ],
            Lang::En => &[
                "james", "emily", "oliver", "sophie", "jack", "amelia", "harry", "olivia",
                "george", "isla", "charlie", "grace", "thomas", "lucy", "daniel", "chloe",
                "william", "megan", "matthew", "hannah", "david", "rachel", "michael", "laura",
            ],
            Lang::De => &[
                "lukas",
                "anna",
                "jonas",
                "lena",
                "felix",
                "laura",
                "maximilian",
                "julia",
                "paul",
                "sarah",
                "leon",
                "lisa",
                "tim",
                "katharina",
                "jan",
                "sophie",
                "niklas",
                "marie",
                "florian",
                "hannah",
                "stefan",
                "sabine",
                "andreas",
                "petra",
            ],
            Lang::Es => &[
                "lucia",
                "hugo",
                "maria",
                "martin",
                "paula",
                "daniel",
                "sofia",
                "pablo",
                "carmen",
                "alejandro",
                "laura",
                "javier",
                "elena",
                "diego",
                "marta",
                "sergio",
                "ana",
                "carlos",
                "sara",
                "david",
                "cristina",
                "jorge",
            ],
            Lang::It => &[
                "giulia",
                "francesco",
                "sofia",
                "alessandro",
                "aurora",
                "lorenzo",
                "chiara",
                "matteo",
                "martina",
                "andrea",
                "giorgia",
                "marco",
                "sara",
                "luca",
                "elena",
                "giuseppe",
                "federica",
                "davide",
                "valentina",
                "simone",
            ],
            Lang::Pl => &[
                "anna",
                "piotr",
                "katarzyna",
                "krzysztof",
                "maria",
                "tomasz",
                "agnieszka",
                "pawel",
                "magdalena",
                "michal",
                "joanna",
                "marcin",
                "ewa",
                "jakub",
                "zofia",
                "kamil",
                "monika",
                "lukasz",
                "natalia",
                "adam",
            ],
        }
    }

    pub fn last_names(self) -> &'static [&'static str] {
        match self {
            Lang::Fr => &[
                "martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand",
                "leroy", "moreau", "simon", "laurent", "lefebvre", "michel", "garcia", "david",
                "bertrand", "roux", "vincent", "fournier", "morel", "girard", "andre", "mercier",
                "dupont", "lambert", "bonnet", "francois", "martinez", "legrand", "garnier",
                "faure", "rousseau", "blanc", "guerin", "muller", "henry", "roussel", "nicolas",
                "perrin", "morin", "mathieu", "clement", "gauthier", "dumont", "lopez", "fontaine",
            ],
            Lang::En => &[
                "smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies",
                "robinson", "wright", "thompson", "evans", "walker", "white", "roberts", "green",
                "hall", "wood", "jackson", "clarke", "patel", "khan", "lewis", "harris",
            ],
            Lang::De => &[
                "mueller",
                "schmidt",
                "schneider",
                "fischer",
                "weber",
                "meyer",
                "wagner",
                "becker",
                "schulz",
                "hoffmann",
                "schaefer",
                "koch",
                "bauer",
                "richter",
                "klein",
                "wolf",
                "schroeder",
                "neumann",
                "schwarz",
                "zimmermann",
                "braun",
                "krueger",
                "hofmann",
                "hartmann",
            ],
            Lang::Es => &[
                "garcia",
                "rodriguez",
                "gonzalez",
                "fernandez",
                "lopez",
                "martinez",
                "sanchez",
                "perez",
                "gomez",
                "martin",
                "jimenez",
                "ruiz",
                "hernandez",
                "diaz",
                "moreno",
                "alvarez",
                "romero",
                "alonso",
                "gutierrez",
                "navarro",
            ],
            Lang::It => &[
                "rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "colombo", "ricci",
                "marino", "greco", "bruno", "gallo", "conti", "deluca", "mancini", "costa",
                "giordano", "rizzo", "lombardi", "moretti",
            ],
            Lang::Pl => &[
                "nowak",
                "kowalski",
                "wisniewski",
                "wojcik",
                "kowalczyk",
                "kaminski",
                "lewandowski",
                "zielinski",
                "szymanski",
                "wozniak",
                "dabrowski",
                "kozlowski",
                "jankowski",
                "mazur",
                "kwiatkowski",
                "krawczyk",
                "piotrowski",
                "grabowski",
                "nowakowski",
                "pawlowski",
            ],
        }
    }

    pub fn cities(self) -> &'static [&'static str] {
        match self {
            Lang::Fr => &[
                "Paris",
                "Lyon",
                "Marseille",
                "Toulouse",
                "Nantes",
                "Lille",
                "Bordeaux",
                "Strasbourg",
                "Rennes",
                "Nice",
                "Montpellier",
                "Grenoble",
            ],
            Lang::En => &[
                "London",
                "Manchester",
                "Dublin",
                "Edinburgh",
                "Bristol",
                "Leeds",
            ],
            Lang::De => &[
                "Berlin",
                "Hamburg",
                "München",
                "Köln",
                "Frankfurt",
                "Leipzig",
            ],
            Lang::Es => &[
                "Madrid",
                "Barcelona",
                "Valencia",
                "Sevilla",
                "Bilbao",
                "Zaragoza",
            ],
            Lang::It => &["Roma", "Milano", "Napoli", "Torino", "Bologna", "Firenze"],
            Lang::Pl => &["Warszawa", "Kraków", "Wrocław", "Gdańsk", "Poznań", "Łódź"],
        }
    }

    /// "Monday 10 June"-style date as a local reader writes it (Polish: "10 czerwca").
    pub fn date_words(self, d: NaiveDate) -> String {
        let wd = d.weekday().num_days_from_monday() as usize;
        let m = d.month0() as usize;
        let day = d.day();
        match self {
            Lang::Fr => format!("{} {} {}", FR_DAYS[wd], day, FR_MONTHS[m]),
            Lang::En => format!("{} {} {}", EN_DAYS[wd], day, EN_MONTHS[m]),
            Lang::De => format!("{}, {}. {}", DE_DAYS[wd], day, DE_MONTHS[m]),
            Lang::Es => format!("{} {} de {}", ES_DAYS[wd], day, ES_MONTHS[m]),
            Lang::It => format!("{} {} {}", IT_DAYS[wd], day, IT_MONTHS[m]),
            // Polish names the day without the weekday, whose case would depend on the sentence.
            Lang::Pl => format!("{} {}", day, PL_MONTHS_GEN[m]),
        }
    }

    /// The local name of a weekday, for "ce dimanche"-style reminders.
    pub fn weekday_word(self, w: Weekday) -> &'static str {
        let i = w.num_days_from_monday() as usize;
        match self {
            Lang::Fr => FR_DAYS[i],
            Lang::En => EN_DAYS[i],
            Lang::De => DE_DAYS[i],
            Lang::Es => ES_DAYS[i],
            Lang::It => IT_DAYS[i],
            Lang::Pl => PL_DAYS[i],
        }
    }
}

const FR_DAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const EN_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DE_DAYS: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];
const DE_MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const ES_DAYS: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const ES_MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const IT_DAYS: [&str; 7] = [
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica",
];
const IT_MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];
const PL_DAYS: [&str; 7] = [
    "poniedziałek",
    "wtorek",
    "środa",
    "czwartek",
    "piątek",
    "sobota",
    "niedziela",
];
const PL_MONTHS_GEN: [&str; 12] = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];

// Fictional candidates and parties: the generator must not put invented claims in the mouths of
// real people. They appear in every language's topic list and in vigie.toml as protected.
pub const CANDIDATES: [(&str, &str, &str); 4] = [
    ("Claire Fontaine", "clairefontaine", "Parti du Renouveau"),
    ("Marc Delorme", "marcdelorme", "Union Citoyenne"),
    ("Élise Marchand", "elisemarchand", "Les Écologistes Unis"),
    ("Hugo Bernier", "hugobernier", "Alliance Souveraine"),
];

const FR_WORDS: &str = "de la le et les des à un une est en que du pour pas qui dans sur il ce ne \
    plus on au par avec se mais son tout nous je elle vous sont ont cette comme sa ou ses été \
    aussi bien fait ils très leur peut même faire sans y avoir entre deux alors être dit encore \
    où moins après ces depuis contre tous quand autre notre donc avant toujours chez rien \
    jamais ici vraiment peu beaucoup trop faut voir sait veut va vont dire pourquoi comment \
    temps jour jours année ans semaine soir matin hier demain aujourd'hui maintenant gens monde \
    pays france europe ville vie travail prix argent question problème raison chose choses fois \
    moment place famille enfants femmes hommes jeunes français européens politique gouvernement \
    président ministre débat campagne programme projet loi droit droits liberté sécurité \
    économie emploi salaire retraite santé école climat énergie agriculture agriculteurs \
    immigration frontières guerre paix ukraine russie chine états-unis bruxelles paris \
    commission parlement député députés sondage sondages résultats chiffres promesse promesses \
    crise inflation dette impôts taxes écologie nucléaire essence électricité logement \
    transport police justice médias journalistes réseaux vérité mensonge confiance peur \
    colère espoir avenir changement nouveau nouvelle grand grande petit petite bon bonne \
    mauvais vrai faux important simple clair possible difficile normal incroyable honte \
    bravo merci enfin voilà regardez lisez écoutez partagez pensez croyez savez comprenez \
    voter vote votez voix bulletin liste listes candidat candidate électeurs électrice \
    abstention participation scrutin élection élections européennes dimanche juin";

const FR_TOPIC: &str = "Claire Fontaine, Marc Delorme, Élise Marchand, Hugo Bernier, Parti du \
    Renouveau, Union Citoyenne, Les Écologistes Unis, Alliance Souveraine, élections \
    européennes, Parlement européen, bureau de vote, procuration, liste électorale, tête de \
    liste, débat télévisé, meeting, sondage Ifop, taux de participation, Commission européenne, \
    pacte vert, politique agricole commune, pouvoir d'achat, Bruxelles, Strasbourg";

const EN_WORDS: &str = "the of and to a in is that it for on you with this was be are as have \
    not at but they by from we his or an all there will one what so if about up out more no \
    just can like their when who them some would been has do time people me my our other how \
    than then now only its also into over after new years know get make go see good think \
    because any these back well first way even want any most us very need really still going \
    right today week day night tomorrow yesterday country europe britain world money price \
    prices cost living jobs work wages pension health school climate energy farmers farming \
    migration border borders war peace ukraine russia china america brussels london \
    government minister president leader party parties vote voters voting election elections \
    european parliament campaign debate poll polls result results turnout ballot candidate \
    candidates policy policies law rights freedom security economy crisis inflation debt \
    taxes green nuclear fuel electricity housing transport police justice media news \
    journalists truth lies trust fear anger hope future change big small great bad real fake \
    important simple clear possible hard normal incredible shame thanks finally look read \
    listen share believe understand remember never always everyone nobody something nothing \
    everything again already around between against without under while where why which";

const EN_TOPIC: &str = "Claire Fontaine, Marc Delorme, Élise Marchand, Hugo Bernier, EU \
    elections, European Parliament, polling station, postal vote, electoral roll, TV debate, \
    rally, opinion poll, voter turnout, European Commission, Green Deal, common agricultural \
    policy, cost of living, Brussels, Strasbourg, MEPs";

const DE_WORDS: &str = "der die und in den von zu das mit sich des auf für ist im dem nicht ein \
    eine als auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie \
    einem über einen so zum war haben nur oder aber vor zur bis mehr durch man sein wurde \
    sei hatte kann gegen vom schon wenn habe seine ihre dann unter wir soll ich eines jahr \
    zwei jahren diese dieser wieder keine seiner worden will zwischen immer was sehr heute \
    morgen gestern woche tag abend land europa deutschland welt geld preis preise kosten \
    arbeit lohn rente gesundheit schule klima energie bauern landwirtschaft migration grenze \
    grenzen krieg frieden ukraine russland china amerika brüssel berlin regierung minister \
    kanzler partei parteien wahl wahlen wähler stimme stimmen europawahl parlament wahlkampf \
    debatte umfrage umfragen ergebnis beteiligung kandidat kandidatin politik gesetz rechte \
    freiheit sicherheit wirtschaft krise inflation schulden steuern grüne atomkraft benzin \
    strom wohnung verkehr polizei justiz medien nachrichten journalisten wahrheit lüge \
    vertrauen angst wut hoffnung zukunft wandel neu neue groß kleine gut schlecht echt falsch \
    wichtig einfach klar möglich schwer normal unglaublich schande danke endlich schaut lest \
    hört teilt glaubt versteht alle niemand etwas nichts alles";

const DE_TOPIC: &str = "Claire Fontaine, Marc Delorme, Élise Marchand, Hugo Bernier, \
    Europawahl, Europäisches Parlament, Wahllokal, Briefwahl, Wählerverzeichnis, TV-Duell, \
    Kundgebung, Umfrage, Wahlbeteiligung, EU-Kommission, Green Deal, Agrarpolitik, \
    Lebenshaltungskosten, Brüssel, Straßburg";

const ES_WORDS: &str = "de la que el en y a los del se las por un para con no una su al lo como \
    más pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay \
    donde quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto \
    mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos \
    cual poco ella estar estas algunas algo nosotros hoy mañana ayer semana día noche país \
    europa españa mundo dinero precio precios coste trabajo salario pensión salud escuela \
    clima energía agricultores campo inmigración frontera fronteras guerra paz ucrania rusia \
    china américa bruselas madrid gobierno ministro presidente partido partidos voto votar \
    votantes elecciones europeas parlamento campaña debate encuesta encuestas resultado \
    participación candidato candidata política ley derechos libertad seguridad economía \
    crisis inflación deuda impuestos verde nuclear gasolina electricidad vivienda transporte \
    policía justicia medios noticias periodistas verdad mentira confianza miedo rabia \
    esperanza futuro cambio nuevo nueva grande pequeño bueno malo real falso importante \
    simple claro posible difícil normal increíble vergüenza gracias ojalá mirad leed \
    escuchad compartid creed entended nadie siempre nunca";

const ES_TOPIC: &str = "Claire Fontaine, Marc Delorme, Élise Marchand, Hugo Bernier, \
    elecciones europeas, Parlamento Europeo, colegio electoral, voto por correo, censo \
    electoral, debate televisado, mitin, encuesta del CIS, participación electoral, Comisión \
    Europea, Pacto Verde, política agraria común, coste de la vida, Bruselas, Estrasburgo";

const IT_WORDS: &str = "di e il la che in a per un è non del le si con una i da al della sono \
    lo come ma anche ha più se nel dei alla gli ci questo o mi ne delle cosa tutto molto \
    essere fatto quando ti sua suo poi io chi già solo dove nella perché questa lui hanno \
    stato sempre ancora tra fare noi tutti mai oggi domani ieri settimana giorno sera paese \
    europa italia mondo soldi prezzo prezzi costo lavoro stipendio pensione salute scuola \
    clima energia agricoltori campagna immigrazione confine confini guerra pace ucraina \
    russia cina america bruxelles roma governo ministro presidente partito partiti voto \
    votare elettori elezioni europee parlamento dibattito sondaggio sondaggi risultato \
    affluenza candidato candidata politica legge diritti libertà sicurezza economia crisi \
    inflazione debito tasse verde nucleare benzina elettricità casa trasporti polizia \
    giustizia media notizie giornalisti verità bugia fiducia paura rabbia speranza futuro \
    cambiamento nuovo nuova grande piccolo buono cattivo vero falso importante semplice \
    chiaro possibile difficile normale incredibile vergogna grazie finalmente guardate \
    leggete ascoltate condividete credete capite nessuno qualcosa niente";

const IT_TOPIC: &str = "Claire Fontaine, Marc Delorme, Élise Marchand, Hugo Bernier, elezioni \
    europee, Parlamento europeo, seggio elettorale, scheda elettorale, liste elettorali, \
    dibattito in tv, comizio, sondaggio, affluenza alle urne, Commissione europea, Green Deal, \
    politica agricola comune, caro vita, Bruxelles, Strasburgo";

const PL_WORDS: &str = "i w nie na się z do to że jest o jak a po co tak za od ale przez jego \
    już tylko czy jej ich tym może być są który która które dla jeszcze tego ten ta by \
    bardzo gdy kiedy więc także też teraz wszystko wszyscy nic nikt zawsze nigdy dziś jutro \
    wczoraj tydzień dzień wieczór kraj europa polska świat pieniądze cena ceny koszty praca \
    pensja emerytura zdrowie szkoła klimat energia rolnicy wieś migracja granica granice \
    wojna pokój ukraina rosja chiny ameryka bruksela warszawa rząd minister premier \
    prezydent partia partie głos głosować wyborcy wybory europejskie parlament kampania \
    debata sondaż sondaże wynik frekwencja kandydat kandydatka polityka prawo prawa wolność \
    bezpieczeństwo gospodarka kryzys inflacja dług podatki zielony atom benzyna prąd \
    mieszkanie transport policja sąd media wiadomości dziennikarze prawda kłamstwo zaufanie \
    strach gniew nadzieja przyszłość zmiana nowy nowa duży mały dobry zły prawdziwy \
    fałszywy ważny prosty jasny możliwy trudny normalny niesamowity wstyd dziękuję wreszcie \
    patrzcie czytajcie słuchajcie udostępniajcie wierzcie rozumiecie";

const PL_TOPIC: &str = "Claire Fontaine, Marc Delorme, Élise Marchand, Hugo Bernier, wybory do \
    Parlamentu Europejskiego, lokal wyborczy, głosowanie korespondencyjne, spis wyborców, \
    debata telewizyjna, wiec, sondaż, frekwencja wyborcza, Komisja Europejska, Zielony Ład, \
    wspólna polityka rolna, koszty życia, Bruksela, Strasburg";

const FR_TAGS: &[&str] = &[
    "Européennes2024",
    "EU2024",
    "Politique",
    "Européennes",
    "Vote",
    "Débat",
    "France",
    "Agriculture",
    "Climat",
    "PouvoirDAchat",
    "Ukraine",
    "Immigration",
    "Sondage",
    "Retraites",
    "Économie",
    "Bruxelles",
    "Élections",
    "JeVote",
    "Europe",
    "Paris",
    "Santé",
    "Énergie",
    "Inflation",
    "Sécurité",
    "Éducation",
    "Écologie",
    "Médias",
    "Justice",
    "Logement",
    "Emploi",
    "Fontaine2024",
    "Delorme2024",
    "UnionCitoyenne",
    "Renouveau",
    "Jeunesse",
    "Transport",
    "Nucléaire",
    "Frontières",
    "Démocratie",
    "Liberté",
    "Fiscalité",
    "Culture",
    "Sport",
    "Météo",
    "JO2024",
    "Lyon",
    "Marseille",
    "Bordeaux",
    "Lille",
    "Toulouse",
];
const EN_TAGS: &[&str] = &[
    "EUelections",
    "EP2024",
    "Politics",
    "Europe",
    "Vote",
    "Ukraine",
    "Climate",
    "Brussels",
    "CostOfLiving",
    "Migration",
    "Farmers",
    "Energy",
    "Economy",
    "Democracy",
    "News",
    "Debate",
    "Poll",
    "Elections2024",
    "EU",
    "Security",
    "Health",
    "Housing",
    "GreenDeal",
    "Inflation",
    "Media",
    "Breaking",
    "Trade",
    "Tech",
    "Jobs",
    "Football",
];
const DE_TAGS: &[&str] = &[
    "Europawahl",
    "Europawahl2024",
    "Politik",
    "Wahl",
    "Ukraine",
    "Klima",
    "Brüssel",
    "Migration",
    "Bauern",
    "Energie",
    "Wirtschaft",
    "Demokratie",
    "Nachrichten",
    "Umfrage",
    "Debatte",
    "EU",
    "Sicherheit",
    "Gesundheit",
    "Wohnen",
    "Inflation",
    "Medien",
    "Rente",
    "Bundestag",
    "Berlin",
    "Bildung",
    "Verkehr",
    "Steuern",
    "Grenzen",
    "Frieden",
    "Fußball",
    "Wahlkampf",
    "Briefwahl",
    "Zukunft",
    "Arbeit",
    "Landwirtschaft",
];
const ES_TAGS: &[&str] = &[
    "EleccionesEuropeas",
    "9J",
    "Política",
    "Europa",
    "Voto",
    "Ucrania",
    "Clima",
    "Bruselas",
    "Vivienda",
    "Migración",
    "Agricultores",
    "Energía",
    "Economía",
    "Democracia",
    "Noticias",
    "Debate",
    "Encuesta",
    "UE",
    "Seguridad",
    "Sanidad",
    "Inflación",
    "Medios",
    "Empleo",
    "Madrid",
    "Futuro",
];
const IT_TAGS: &[&str] = &[
    "Europee2024",
    "Elezioni",
    "Politica",
    "Europa",
    "Voto",
    "Ucraina",
    "Clima",
    "Bruxelles",
    "CaroVita",
    "Migranti",
    "Agricoltori",
    "Energia",
    "Economia",
    "Democrazia",
    "Notizie",
    "Dibattito",
    "Sondaggio",
    "UE",
    "Sicurezza",
    "Sanità",
    "Inflazione",
    "Media",
    "Lavoro",
    "Roma",
    "Futuro",
];
const PL_TAGS: &[&str] = &[
    "WyboryDoPE",
    "Wybory2024",
    "Polityka",
    "Europa",
    "Głosuj",
    "Ukraina",
    "Klimat",
    "Bruksela",
    "Mieszkania",
    "Migracja",
    "Rolnicy",
    "Energia",
    "Gospodarka",
    "Demokracja",
    "Wiadomości",
    "Debata",
    "Sondaż",
    "UE",
    "Bezpieczeństwo",
    "Zdrowie",
    "Inflacja",
    "Media",
    "Praca",
    "Warszawa",
    "Przyszłość",
];
