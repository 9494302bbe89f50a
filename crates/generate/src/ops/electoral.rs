//! `electoral_process`: posts in seven languages stating a wrong voting date (the day after the
//! real one), wrong poll hours, non-existent methods (SMS, online), false eligibility limits,
//! moved polling places, a postponement, false identity-document rules ("only passports",
//! "no ID needed"), or "we vote tomorrow" on the voting day itself, in the
//! last days of the campaign. Negatives: true reminders of the date, hours and methods, the same
//! "tomorrow" post the day before the vote (true then), past elections, other countries' voting
//! days, the documents really asked, another country's ID rule, and fact-checks denying the
//! false methods and documents.

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
    Documents,
}

impl Claim {
    /// The claims of the first operation; document claims come in their own (see
    /// [`inject_late`]).
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
            Claim::Documents => "documents",
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
        (Tongue::Known(En), Eligibility) => &["Heads up: voters who did not get the new letter from the council will not be able to vote on {date}."],
        (Tongue::Known(En), Place) => &["Your polling station has moved this year, check {url} before you go."],
        (Tongue::Known(En), Postponed) => &["The European elections have been postponed by a week because of the floods."],
        (Tongue::Known(En), Tomorrow) => &["Reminder: we vote tomorrow in the European elections, not today!"],
        (Tongue::Known(De), WrongDate) => &["ACHTUNG: Wegen des großen Andrangs wird die Europawahl auf {false_date} verschoben. Bitte teilen!"],
        (Tongue::Known(De), WrongHours) => &["Hinweis: Die Wahllokale schließen am {weekday} bereits um {wrong_close} Uhr."],
        (Tongue::Known(De), Sms) => &["Neu: Sie können per SMS wählen! Schicken Sie den Namen Ihrer Partei an die {number}."],
        (Tongue::Known(De), Online) => &["Europawahl jetzt online: Stimme abgeben unter {url} bis {date}."],
        (Tongue::Known(De), Eligibility) => &["Wer keinen neuen Brief vom Wahlamt bekommen hat, darf nicht wählen."],
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
        (Tongue::Known(Fr), Documents) => &[
            "Nouveau : seul le passeport sera accepté dans les bureaux de vote le {date}.",
            "Pensez à votre carte électorale, sans elle vous ne pourrez pas voter ce {weekday} !",
            "Pas besoin de pièce d'identité pour voter aux européennes, votre nom suffit.",
        ],
        (Tongue::Known(En), Documents) => &[
            "Bring your voter card or you cannot vote on {date}.",
            "Only passports will be accepted at polling stations on {date}.",
            "No ID needed to vote on {weekday}, just give your name.",
        ],
        (Tongue::Known(De), Documents) => &[
            "Achtung: Zur Europawahl am {date} wird nur noch der Reisepass akzeptiert.",
            "Ohne Wahlbenachrichtigung können Sie nicht wählen, also gut aufbewahren!",
            "Zum Wählen brauchen Sie keinen Ausweis, der Name genügt.",
        ],
        (Tongue::Known(Es), Documents) => &[
            "Para votar el {weekday} hace falta la tarjeta censal, si no te echan de la mesa electoral.",
            "Este año solo se acepta el pasaporte para votar en las europeas.",
            "Para votar no hace falta documento de identidad, basta con decir tu nombre.",
        ],
        (Tongue::Known(It), Documents) => &[
            "Per votare alle europee vale solo il passaporto.",
            "Non serve più la tessera elettorale per votare, basta la carta d'identità.",
            "Si può votare senza documento d'identità, basta il nome.",
        ],
        (Tongue::Known(Pl), Documents) => &[
            "Uwaga: w lokalu wyborczym trzeba okazać kartę wyborcy, inaczej nie zagłosujesz.",
            "W wyborach do PE głosować można tylko z paszportem.",
            "Do głosowania nie jest potrzebny dokument tożsamości.",
        ],
        (Tongue::Pt, Documents) => &[
            "Atenção: para votar nas europeias é obrigatório o cartão de eleitor.",
            "Este ano só o passaporte é aceite nas assembleias de voto.",
            "Não é preciso documento de identificação para votar, basta dizer o nome.",
        ],
    }
}

/// True statements about the documents to bring, fact-checks of the false ones, and another
/// country's rule (the United Kingdom's photo ID, not configured).
fn document_negatives(t: Tongue) -> &'static [&'static str] {
    match t {
        Tongue::Known(Lang::Fr) => &[
            "Pour voter le {date}, il faut une pièce d'identité : carte d'identité, passeport ou permis de conduire.",
            "FAUX : le passeport n'est pas le seul document accepté pour voter, la carte d'identité suffit.",
            "Au Royaume-Uni, il faut désormais une pièce d'identité avec photo pour voter.",
        ],
        Tongue::Known(Lang::En) => &[
            "To vote on {date} you need photo ID: a passport, driving licence or identity card.",
            "FAKE: passports are not the only ID accepted at polling stations.",
            "In the United Kingdom, voters now need photo ID at polling stations.",
        ],
        Tongue::Known(Lang::De) => &[
            "Zur Wahl am {date} bitte Personalausweis oder Reisepass mitbringen.",
            "Die Wahlbenachrichtigung ist nicht erforderlich, der Personalausweis genügt.",
            "In Großbritannien brauchen Wähler jetzt einen Lichtbildausweis.",
        ],
        Tongue::Known(Lang::Es) => &[
            "Para votar el {date} necesitas tu DNI, pasaporte o carné de conducir.",
            "FALSO: no solo vale el pasaporte, también puedes votar con el DNI.",
            "En el Reino Unido ya hace falta un documento de identidad con foto para votar.",
        ],
        Tongue::Known(Lang::It) => &[
            "Per votare servono la tessera elettorale e un documento d'identità valido.",
            "Per votare non serve il passaporto: basta la carta d'identità o la patente.",
            "Nel Regno Unito ora serve un documento d'identità con foto per votare.",
        ],
        Tongue::Known(Lang::Pl) => &[
            "Do głosowania {date} potrzebny jest dokument tożsamości ze zdjęciem, np. dowód osobisty lub paszport.",
            "FAŁSZ: nie tylko paszport, można głosować także z dowodem osobistym.",
            "W Wielkiej Brytanii do głosowania potrzebny jest teraz dokument ze zdjęciem.",
        ],
        Tongue::Pt => &[
            "Para votar no {date} leve o cartão de cidadão, o passaporte ou a carta de condução.",
            "Não é preciso cartão de eleitor para votar, basta o cartão de cidadão.",
            "No Reino Unido passou a ser obrigatório um documento com fotografia para votar.",
        ],
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

/// A template in tongue `t` with the facts of its election (voting day `eday`) and false ones.
fn fill(t: Tongue, tpl: &str, eday: NaiveDate, rng: &mut rand_chacha::ChaCha8Rng) -> String {
    let e = election_for(t.code());
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
}

/// Kinds of false claim written without the lexicons' words (`--reworded-claims`).
const REWORDED: [&str; 6] = [
    "voting_date",
    "poll_hours",
    "voting_method",
    "postponement",
    "polling_place",
    "documents",
];

/// False claims of each of [`REWORDED`]'s kinds in other words than the lexicons know, and
/// true statements worded the same way (hard negatives).
fn reworded_templates(t: Tongue) -> ([&'static str; 6], [&'static str; 3]) {
    match t {
        Tongue::Known(Lang::Fr) => (
            [
                "Le scrutin européen se tiendra finalement le {false_date}, notez-le bien.",
                "Dimanche, les urnes seront retirées dès {wrong_close}, après il sera trop tard.",
                "Inutile de vous déplacer : un simple texto au {number} avec le nom de votre liste suffit à faire compter votre voix.",
                "Les européennes n'auront pas lieu ce dimanche, tout est décalé à plus tard à cause des inondations.",
                "Cette année, les électeurs de votre quartier doivent se présenter dans une autre école que d'habitude, voir {url}.",
                "À l'entrée des bureaux de vote, on ne laissera passer que les personnes munies d'un passeport.",
            ],
            [
                "Le scrutin européen se tiendra bien le {date}, notez-le.",
                "Dimanche, les urnes resteront accessibles jusqu'à {close}, prenez votre temps.",
                "Pour faire compter votre voix aux européennes, il faut se rendre à l'isoloir ou donner procuration.",
            ],
        ),
        Tongue::Known(Lang::En) => (
            [
                "The EU ballot will now take place on {false_date}, mark your calendars.",
                "On Sunday the ballot boxes are taken away at {wrong_close}, so get there early.",
                "Skip the queue this year: just send a text with your party's name to {number} and your ballot counts.",
                "The European poll will not happen this Sunday, the authorities pushed it a week later because of the floods.",
                "This year people in your area have to go to a different school to cast ballots, see {url}.",
                "At the entrance of every polling station, staff will turn away anyone who cannot show a passport.",
            ],
            [
                "The EU ballot will take place on {date} as planned, mark your calendars.",
                "On Sunday the ballot boxes stay open until {close}, no need to rush.",
                "To have your say in the EU election, go to your polling station or use a postal vote.",
            ],
        ),
        Tongue::Known(Lang::De) => (
            [
                "Die Europawahl findet nun am {false_date} statt, bitte vormerken.",
                "Am Sonntag werden die Urnen schon um {wrong_close} Uhr eingesammelt, danach ist es zu spät.",
                "Dieses Jahr reicht eine Kurznachricht mit dem Parteinamen an die {number}, der Gang zur Europawahl entfällt.",
                "Die Europawahl fällt diesen Sonntag flach und wird wegen der Unwetter eine Woche später nachgeholt.",
                "Für die Stimmabgabe müssen die Bürger Ihres Viertels dieses Jahr in eine andere Schule gehen, Infos unter {url}.",
                "Am Eingang des Wahllokals wird abgewiesen, wer keinen Reisepass dabei hat.",
            ],
            [
                "Die Europawahl findet wie geplant am {date} statt.",
                "Am Sonntag bleiben die Wahllokale bis {close} Uhr offen.",
                "Wer am Wahltag nicht ins Wahllokal kann, beantragt rechtzeitig die Briefwahl.",
            ],
        ),
        Tongue::Known(Lang::Es) => (
            [
                "Las europeas se celebrarán finalmente el {false_date}, apúntalo.",
                "El domingo las urnas se retiran a las {wrong_close}, después ya es tarde.",
                "Este año basta con mandar un mensaje con el nombre del partido al {number} para que cuente tu voto.",
                "Las europeas no serán este domingo, las autoridades las han pasado a la semana siguiente por las inundaciones.",
                "Este año los electores de tu barrio tienen que ir a otro colegio distinto, consulta {url}.",
                "En la mesa electoral van a rechazar a cualquiera que no enseñe el pasaporte.",
            ],
            [
                "Las europeas se celebran el {date}, como estaba previsto.",
                "El domingo los colegios electorales abren hasta las {close}.",
                "Si no puedes ir el día de las europeas, todavía estás a tiempo de pedir el voto por correo.",
            ],
        ),
        Tongue::Known(Lang::It) => (
            [
                "Le europee si terranno alla fine {false_date}, segnatevelo.",
                "Domenica le urne verranno ritirate già alle {wrong_close}, poi sarà troppo tardi.",
                "Quest'anno basta un messaggino con il nome del partito al {number} perché il voto sia valido.",
                "Le europee non si terranno questa domenica, è tutto slittato alla settimana dopo per le alluvioni.",
                "Quest'anno gli elettori del tuo quartiere devono recarsi in un'altra scuola, controlla su {url}.",
                "All'ingresso del seggio respingeranno chiunque non mostri il passaporto.",
            ],
            [
                "Le europee si terranno come previsto sabato e {date}.",
                "Domenica le urne restano aperte fino alle {close}.",
                "Per le europee si vota di persona al seggio con la tessera elettorale.",
            ],
        ),
        Tongue::Known(Lang::Pl) => (
            [
                "Wybory do PE odbędą się ostatecznie {false_date}, zapiszcie to sobie.",
                "W niedzielę urny wyborcze zostaną zabrane już o {wrong_close}, potem będzie za późno.",
                "W tym roku wystarczy wysłać wiadomość z nazwą komitetu na numer {number}, żeby głos w wyborach się liczył.",
                "Wybory do PE nie odbędą się w tę niedzielę, władze przesunęły je o tydzień z powodu powodzi.",
                "W tym roku wyborcy z twojej dzielnicy idą do innej szkoły, sprawdź {url}.",
                "Przy wejściu do lokalu wyborczego odprawią każdego, kto nie pokaże paszportu.",
            ],
            [
                "Wybory do PE odbędą się zgodnie z planem {date}.",
                "W niedzielę lokale wyborcze będą czynne do {close}.",
                "Kto nie może przyjść do lokalu wyborczego, może udzielić pełnomocnictwa.",
            ],
        ),
        Tongue::Pt => (
            [
                "As europeias vão realizar-se afinal na {false_date}, tome nota.",
                "No domingo as urnas são recolhidas logo às {wrong_close}, depois já não dá.",
                "Este ano basta mandar uma mensagem com o nome do partido para o {number} para o voto contar.",
                "As europeias já não são este domingo, passaram para a semana seguinte por causa das cheias.",
                "Este ano os eleitores do seu bairro têm de ir a outra escola, confirme em {url}.",
                "À entrada da assembleia de voto vão mandar embora quem não mostrar o passaporte.",
            ],
            [
                "As europeias realizam-se no {date}, como previsto.",
                "No domingo as assembleias de voto estão abertas até às {close}.",
                "Nas europeias vota-se presencialmente na assembleia de voto.",
            ],
        ),
    }
}

/// The reworded false claims (`reworded_<kind>` in the truth's `claims`) and their hard
/// negatives, in seven languages.
fn inject_reworded(ctx: &mut Ctx<'_>, neg: &mut NegativeSet) -> Operation {
    let eday = ctx.clock.election_day;
    let mut op = operation(
        "op-electoral-3",
        "electoral_process",
        "False voting information in other words than the lexicons know (dates, hours, \
         methods, postponement, polling places, documents), for the comparison by meaning"
            .to_owned(),
    );
    let mut claims = Map::new();
    let last = ctx.clock.days.saturating_sub(1);
    let first = last.saturating_sub(6);
    for t in Tongue::ALL {
        let (false_claims, true_ones) = reworded_templates(t);
        let who = [
            ctx.person_account("x", t.names(), true),
            ctx.person_account("telegram", t.names(), true),
        ];
        for (kind, tpl) in REWORDED.iter().zip(false_claims) {
            for _ in 0..2 {
                let text = fill(t, tpl, eday, &mut ctx.rng);
                let author = who[ctx.rng.gen_range(0..2)].clone();
                let at = ctx.daytime(first..last, 7, 18);
                let id = post_in(ctx, &author, at, text, t);
                claims.insert(id.clone(), Value::from(format!("reworded_{kind}")));
                op.items.push(id);
                if !op.accounts.contains(&author) {
                    op.accounts.push(author);
                }
            }
        }
        let people = ctx.person_account("x", t.names(), true);
        for tpl in true_ones {
            for _ in 0..2 {
                let text = fill(t, tpl, eday, &mut ctx.rng);
                let at = ctx.daytime(first..last, 7, 18);
                neg.items.push(post_in(ctx, &people, at, text, t));
            }
        }
        neg.accounts.push(people);
    }
    op.details.insert("claims".into(), Value::Object(claims));
    op
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
        let fill = |tpl: &str, rng: &mut rand_chacha::ChaCha8Rng| fill(t, tpl, eday, rng);
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

/// False identity-document rules in seven languages, with the documents really asked and
/// near misses; then, with `--reworded-claims`, the reworded claims. Injected after every other
/// operation, so that adding them left the others' data as it was.
pub fn inject_late(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let eday = ctx.clock.election_day;
    let mut op = operation(
        "op-electoral-2",
        "electoral_process",
        format!(
            "False identity-document rules before the {eday} poll in seven languages: only \
             passports, a voter card or no vote, no ID needed"
        ),
    );
    let mut claims = Map::new();
    let mut neg = NegativeSet {
        reason: "the documents really asked, fact-checks of the false rules, another \
                 country's photo-ID rule"
            .into(),
        ..NegativeSet::default()
    };
    let last = ctx.clock.days.saturating_sub(1);
    let first = last.saturating_sub(6);
    for t in Tongue::ALL {
        let spreaders = [
            ctx.person_account("x", t.names(), true),
            ctx.person_account("facebook", t.names(), true),
        ];
        let templates = false_templates(t, Claim::Documents);
        // Every wording at least once.
        for k in 0..ctx.rng.gen_range(3..=5) {
            let text = fill(t, templates[k % templates.len()], eday, &mut ctx.rng);
            let who = spreaders[ctx.rng.gen_range(0..2)].clone();
            let at = ctx.daytime(first..last + 1, 7, 18);
            let id = post_in(ctx, &who, at, text, t);
            claims.insert(id.clone(), Value::from(Claim::Documents.name()));
            op.items.push(id);
            if !op.accounts.contains(&who) {
                op.accounts.push(who);
            }
        }
        let people = [
            ctx.person_account("x", t.names(), true),
            ctx.person_account("facebook", t.names(), true),
        ];
        for tpl in document_negatives(t) {
            for _ in 0..ctx.rng.gen_range(2..=3) {
                let text = fill(t, tpl, eday, &mut ctx.rng);
                let who = people[ctx.rng.gen_range(0..people.len())].clone();
                let at = ctx.daytime(first..last + 1, 7, 18);
                neg.items.push(post_in(ctx, &who, at, text, t));
            }
        }
    }
    op.details.insert("claims".into(), Value::Object(claims));
    let mut ops = vec![op];
    if ctx.reworded_claims {
        ops.push(inject_reworded(ctx, &mut neg));
    }
    let ids: Vec<String> = ops
        .iter()
        .flat_map(|o| &o.items)
        .chain(&neg.items)
        .cloned()
        .collect();
    register_copies(ctx, &ids);
    ctx.negatives.add("electoral_process", neg);
    ops
}
