//! Out-of-office replies and delivery/read receipts recognised by their
//! subject, in French, English, German, Spanish and Italian, for the
//! software that sets none of the RFC 3834 headers (older Exchange, webmails,
//! the acknowledgement robots of other help desks).
//!
//! Subjects are matched at their start, after any Re:/TR:/AW: prefixes, and
//! narrowly: a bare word such as "Absence", "Ausencia" or "Assenza" counts
//! only when a colon follows it ("Absence : Re: votre demande"), so that
//! "Absence de synchronisation Apogée" stays a request.

use crate::auto::strip_reply_prefixes;

/// Out-of-office subject starts, lower-case.
const OUT_OF_OFFICE: &[&str] = &[
    // French
    "réponse automatique",
    "reponse automatique",
    "message d'absence",
    "message d’absence",
    "absence du bureau",
    "absent du bureau",
    "absente du bureau",
    "absent(e) du bureau",
    "notification d'absence",
    // English
    "out of office",
    "out of the office",
    "automatic reply",
    "auto-reply",
    "auto reply",
    "autoreply",
    "auto-response",
    "auto response",
    "autoresponse",
    "away from the office",
    "away from my desk",
    "vacation reply",
    "on vacation",
    // German
    "automatische antwort",
    "abwesenheitsnotiz",
    "abwesenheitsmeldung",
    "abwesenheitsnachricht",
    "außer haus",
    "ausser haus",
    "nicht im büro",
    "nicht im haus",
    "urlaubsabwesenheit",
    // Spanish
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
    "fuera de oficina",
    "mensaje de ausencia",
    "respuesta de ausencia",
    "respuesta fuera de la oficina",
    // Italian
    "risposta automatica",
    "fuori ufficio",
    "fuori sede",
    "messaggio di assenza",
    "risposta di assenza",
];

/// Words that mean "away" only when a colon follows them.
const AWAY_WITH_COLON: &[&str] = &[
    "absence",
    "absent",
    "absente",
    "absent(e)",
    "abwesend",
    "abwesenheit",
    "urlaub",
    "ausente",
    "ausencia",
    "vacaciones",
    "assente",
    "assenza",
    "ferie",
    "vacation",
    "away",
];

/// Delivery and read receipts (message disposition notifications written as
/// ordinary mail, and help-desk acknowledgements).
const RECEIPT: &[&str] = &[
    // French
    "accusé de réception",
    "accuse de reception",
    "accusé de lecture",
    "accuse de lecture",
    "confirmation de lecture",
    "confirmation de réception",
    "confirmation de remise",
    "notification de lecture",
    "lu :",
    "lu:",
    "non lu :",
    "non lu:",
    "remis :",
    "remis:",
    // English
    "read:",
    "read :",
    "not read:",
    "delivered:",
    "read receipt",
    "return receipt",
    "delivery receipt",
    "delivery notification",
    "receipt notification",
    "acknowledgement of receipt",
    "acknowledgment of receipt",
    // German
    "gelesen:",
    "ungelesen:",
    "nicht gelesen:",
    "zugestellt:",
    "lesebestätigung",
    "lesebestaetigung",
    "empfangsbestätigung",
    "eingangsbestätigung",
    "zustellbestätigung",
    "übermittlungsbestätigung",
    // Spanish
    "leído:",
    "leido:",
    "no leído:",
    "entregado:",
    "acuse de recibo",
    "acuse de lectura",
    "confirmación de lectura",
    "confirmacion de lectura",
    "confirmación de entrega",
    "confirmación de recepción",
    // Italian
    "letto:",
    "non letto:",
    "recapitato:",
    "consegnato:",
    "conferma di lettura",
    "conferma di ricezione",
    "conferma di consegna",
    "ricevuta di ritorno",
    "ricevuta di lettura",
    "ricevuta di consegna",
    "avviso di ricevimento",
];

fn normalised(subject: &str) -> String {
    strip_reply_prefixes(subject)
        .to_lowercase()
        .replace('\u{a0}', " ")
}

/// An out-of-office reply by its subject.
pub(crate) fn is_out_of_office_subject(subject: &str) -> bool {
    let s = normalised(subject);
    if OUT_OF_OFFICE.iter().any(|p| s.starts_with(p)) {
        return true;
    }
    AWAY_WITH_COLON.iter().any(|word| {
        s.strip_prefix(word)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// A delivery or read receipt by its subject.
pub(crate) fn is_receipt_subject(subject: &str) -> bool {
    let s = normalised(subject);
    RECEIPT.iter().any(|p| s.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_office_in_five_languages() {
        for s in [
            "Réponse automatique : [Relais R2021-000123] Export",
            "Absence du bureau",
            "Absence : Re: votre demande",
            "Automatic reply: Sifac",
            "Out of Office: ticket",
            "Abwesenheitsnotiz: Ihre Anfrage",
            "AW: Automatische Antwort: Sifac",
            "Abwesend: Re: Export",
            "Respuesta automática: Sifac",
            "Fuera de la oficina",
            "Ausente: su solicitud",
            "Risposta automatica: Sifac",
            "Fuori ufficio fino al 3 gennaio",
            "Assente: richiesta",
        ] {
            assert!(is_out_of_office_subject(s), "{s}");
        }
        for s in [
            "Absence de synchronisation Apogée",
            "Ausencia de datos en el informe",
            "Assenza di dati nel report",
            "Abwesenheitszeiten werden nicht exportiert",
            "Automatisation des exports",
            "Re: [Relais R2021-000123] réponse",
        ] {
            assert!(!is_out_of_office_subject(s), "{s}");
        }
    }

    #[test]
    fn receipts_in_five_languages() {
        for s in [
            "Accusé de réception : Export Sifac",
            "Lu : [Relais R2021-000123] Réponse",
            "Read: [Relais R2021-000123] Réponse",
            "Delivered: Sifac",
            "Gelesen: Sifac",
            "Lesebestätigung: Sifac",
            "Leído: Sifac",
            "Acuse de recibo: Sifac",
            "Letto: Sifac",
            "Conferma di lettura: Sifac",
            "Ricevuta di ritorno: Sifac",
        ] {
            assert!(is_receipt_subject(s), "{s}");
        }
        for s in [
            "Lecture impossible du fichier",
            "Readme manquant",
            "Lettore di badge",
            "Re: [Relais R2021-000123] réponse",
        ] {
            assert!(!is_receipt_subject(s), "{s}");
        }
    }
}
