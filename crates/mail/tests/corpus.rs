//! Inbound parsing on a corpus of real-world shaped messages
//! (`tests/corpus/*.eml`): one golden file per message under
//! `tests/snapshots/`, plus explicit checks of what must never go wrong.

use std::path::{Path, PathBuf};

use relais_mail::{
    find_ticket_ref, parse, AutoKind, MailError, ParsedMail, RefSource, ReplyAddress,
};
use serde::Serialize;

const OWN: &str = "Relais <support@relais.test>";
/// The secret the signed addresses of the corpus were made with.
const SECRET: &[u8] = b"corpus-secret";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
}

fn load(name: &str) -> Result<ParsedMail, MailError> {
    let raw = std::fs::read(corpus_dir().join(name)).expect("corpus file");
    parse(&raw, OWN)
}

fn ok(name: &str) -> ParsedMail {
    load(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn reply() -> ReplyAddress {
    ReplyAddress::new(SECRET, "support@relais.test")
}

fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[derive(Serialize)]
struct AttachmentSummary {
    filename: String,
    content_type: String,
    size: usize,
    inline: bool,
    content_id: Option<String>,
}

#[derive(Serialize)]
struct Summary {
    outcome: String,
    subject: Option<String>,
    from: Option<String>,
    from_name: Option<String>,
    to: Vec<String>,
    date: Option<String>,
    message_id: Option<String>,
    in_reply_to: Vec<String>,
    references: Vec<String>,
    auto: Option<String>,
    ticket_ref: Option<String>,
    text: Option<String>,
    quoted_present: bool,
    quoted: Option<String>,
    html: Option<String>,
    attachments: Vec<AttachmentSummary>,
}

fn summarise(result: &Result<ParsedMail, MailError>) -> Summary {
    let m = match result {
        Ok(m) => m,
        Err(e) => {
            return Summary {
                outcome: format!("error: {e:?}"),
                subject: None,
                from: None,
                from_name: None,
                to: Vec::new(),
                date: None,
                message_id: None,
                in_reply_to: Vec::new(),
                references: Vec::new(),
                auto: None,
                ticket_ref: None,
                text: None,
                quoted_present: false,
                quoted: None,
                html: None,
                attachments: Vec::new(),
            }
        }
    };
    Summary {
        outcome: "ok".into(),
        subject: Some(m.subject.clone()),
        from: m.from_address.clone(),
        from_name: m.from_name.clone(),
        to: m.to.clone(),
        date: m.date.map(|d| d.to_rfc3339()),
        message_id: m.message_id.clone(),
        in_reply_to: m.in_reply_to.clone(),
        references: m.references.clone(),
        auto: m.auto.map(|a| format!("{a:?}")),
        ticket_ref: find_ticket_ref(m, &reply()).map(|r| format!("{r:?}")),
        text: Some(head(&m.text, 300)),
        quoted_present: m.quoted.is_some(),
        quoted: m.quoted.as_deref().map(|q| head(q, 120)),
        html: m.html_sanitized.as_deref().map(|h| head(h, 300)),
        attachments: m
            .attachments
            .iter()
            .map(|a| AttachmentSummary {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.data.len(),
                inline: a.inline,
                content_id: a.content_id.clone(),
            })
            .collect(),
    }
}

#[test]
fn corpus_golden_files() {
    let files = corpus_files();
    assert!(files.len() >= 12, "corpus has {} messages", files.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for file in &files {
            let raw = std::fs::read(file).expect("corpus file");
            let name = file
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("utf-8 name")
                .to_string();
            insta::assert_yaml_snapshot!(name, summarise(&parse(&raw, OWN)));
        }
    });
}

#[test]
fn outlook_html_is_sanitised_and_rendered() {
    let m = ok("01-outlook-html-only.eml");
    let html = m.html_sanitized.as_deref().expect("html");
    for bad in [
        "<script",
        "document.cookie",
        "onclick",
        "o:p",
        "mso-",
        "attaquant",
        "<style",
    ] {
        assert!(
            !html.contains(bad),
            "{bad:?} left in sanitised HTML: {html}"
        );
    }
    assert!(html.contains("procédure interne"));
    assert!(m.text.contains("Depuis la mise à jour de lundi"));
    assert!(m.text.contains("l’UFR"), "windows-1252 quote: {}", m.text);
    assert!(m.text.contains("dépasse 12 000 € et"), "{}", m.text);
    for bad in ["document.cookie", "mso-", "font-family", "<"] {
        assert!(!m.text.contains(bad), "{bad:?} in text: {}", m.text);
    }
    assert_eq!(m.from_name.as_deref(), Some("Martine Lefèvre"));
    assert_eq!(
        m.from_address.as_deref(),
        Some("martine.lefevre@univ-exemple.fr")
    );
    assert_eq!(m.auto, None);
}

#[test]
fn charsets_come_out_right() {
    let m = ok("05-latin1-qp.eml");
    assert_eq!(m.subject, "Échec du traitement de paie de février");
    assert_eq!(m.from_name.as_deref(), Some("François Bonté"));
    for word in [
        "février",
        "échoué",
        "à l'étape",
        "Voilà",
        "Ça bloque",
        "« Opération",
    ] {
        assert!(m.text.contains(word), "{word} missing from {}", m.text);
    }
    assert!(!m.text.contains('\u{fffd}'));

    let m = ok("03-qp-utf8.eml");
    assert_eq!(m.subject, "Problème d'accès à Apogée");
    assert!(m
        .text
        .contains("se connecter à Apogée : l'écran d'accueil affiche « Erreur"));

    let m = ok("04-base64-utf8.eml");
    assert_eq!(m.subject, "Demande urgente : écran blanc après mise à jour");
    assert_eq!(m.from_name.as_deref(), Some("Élodie Martin"));
    assert!(m
        .text
        .starts_with("Bonjour,\n\nAprès la mise à jour de cette nuit"));

    let m = ok("02-thunderbird-alternative.eml");
    assert_eq!(m.subject, "Question sur l'export des maquettes Pégase");
    assert!(m.text.contains("éléments"));
    assert!(m.html_sanitized.is_some());
}

#[test]
fn nested_multipart_keeps_inline_image_and_pdf() {
    let m = ok("06-nested-related-inline-pdf.eml");
    assert_eq!(m.attachments.len(), 2, "{:?}", m.attachments);
    let img = &m.attachments[0];
    assert_eq!(img.content_type, "image/png");
    assert!(img.inline);
    assert_eq!(
        img.content_id.as_deref(),
        Some("capture-erreur@univ-exemple.fr")
    );
    assert!(img.data.starts_with(b"\x89PNG\r\n\x1a\n"));
    let pdf = &m.attachments[1];
    assert_eq!(pdf.filename, "procès-verbal de recette.pdf");
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(!pdf.inline);
    assert!(pdf.data.starts_with(b"%PDF-1.4"));
    let html = m.html_sanitized.as_deref().expect("html");
    assert!(
        html.contains("cid:capture-erreur@univ-exemple.fr"),
        "{html}"
    );
    assert!(m.text.contains("procès-verbal de recette en pièce jointe"));
}

#[test]
fn replies_have_their_history_set_apart() {
    let m = ok("08-reply-le-a-ecrit.eml");
    assert!(m.text.ends_with("Paul Girard"), "{}", m.text);
    assert!(!m.text.contains("a écrit"));
    let q = m.quoted.as_deref().expect("quoted");
    assert!(q.starts_with("Le 12 mars 2021 à 10:02, Support Relais a écrit :"));
    assert!(q.contains("vider le cache"));

    let m = ok("09-outlook-reply-de-envoye.eml");
    assert!(m.text.ends_with("Martine Lefèvre"), "{}", m.text);
    assert!(!m.text.contains("Envoyé"));
    let q = m.quoted.as_deref().expect("quoted");
    assert!(q.contains("De : Support Relais") && q.contains("Envoyé : vendredi 19 mars 2021"));

    let m = ok("16-gmail-reply-wrapped.eml");
    assert!(m.text.ends_with("Nadia"), "{}", m.text);
    assert!(m.quoted.is_some());
}

#[test]
fn forwards_keep_the_original() {
    let m = ok("07-forward-tr.eml");
    assert!(m.text.contains("Je vous transfère"));
    assert!(
        m.text.contains("FM 123 : engagement non soldé"),
        "{}",
        m.text
    );
    assert_eq!(m.quoted, None);

    let m = ok("18-forward-as-attachment.eml");
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].content_type, "message/rfc822");
    assert_eq!(
        m.attachments[0].filename,
        "Anomalie sur les écritures de février.eml"
    );
    let inner = parse(&m.attachments[0].data, OWN).expect("inner message");
    assert_eq!(inner.subject, "Anomalie sur les écritures de février");
    assert!(inner.text.contains("en double"));
}

#[test]
fn machines_are_recognised() {
    let cases = [
        ("10-auto-replied.eml", AutoKind::AutoSubmitted),
        ("11-out-of-office-subject.eml", AutoKind::AutoReply),
        ("12-mailing-list.eml", AutoKind::Bulk),
        ("13-bounce-report.eml", AutoKind::Bounce),
        ("17-own-notification-loop.eml", AutoKind::OwnNotification),
    ];
    for (file, kind) in cases {
        assert_eq!(ok(file).auto, Some(kind), "{file}");
    }
    for file in [
        "01-outlook-html-only.eml",
        "02-thunderbird-alternative.eml",
        "03-qp-utf8.eml",
        "04-base64-utf8.eml",
        "05-latin1-qp.eml",
        "06-nested-related-inline-pdf.eml",
        "07-forward-tr.eml",
        "08-reply-le-a-ecrit.eml",
        "09-outlook-reply-de-envoye.eml",
        "14-dangerous-filenames.eml",
        "16-gmail-reply-wrapped.eml",
        "18-forward-as-attachment.eml",
    ] {
        assert_eq!(ok(file).auto, None, "{file}");
    }
}

#[test]
fn attachment_names_are_sanitised() {
    let m = ok("14-dangerous-filenames.eml");
    let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names[0], "passwd");
    assert_eq!(names[1], "_script_.html");
    assert_eq!(names[2], "facturefdp.exe");
    // No name given: one from its index, with the extension of its type.
    assert_eq!(names[3], "piece-jointe-4.bin");
    assert!(names[4].starts_with("compte-rendu-très-long-") && names[4].ends_with(".docx"));
    assert_eq!(names[4].chars().count(), 200);
    assert_eq!(names[5], "journal.log");
    for a in &m.attachments {
        assert!(
            !a.filename.contains(['/', '\\', '<', '>']),
            "{}",
            a.filename
        );
        assert!(!a
            .filename
            .chars()
            .any(|c| c.is_control() || c == '\u{202e}'));
        assert!(!a.filename.starts_with('.'));
    }
    // The HTML file is an attachment: kept as it is, never taken as the body.
    assert_eq!(m.attachments[1].content_type, "text/html");
    assert!(m.html_sanitized.is_none());
    assert!(!m.text.contains("alert"));
}

#[test]
fn garbage_is_refused() {
    match load("15-garbage.eml") {
        Err(MailError::Unparseable(_)) | Err(MailError::NoSender) => {}
        other => panic!("garbage parsed as {other:?}"),
    }
}

#[test]
fn ticket_references_in_the_corpus() {
    let r = reply();
    let get = |f: &str| find_ticket_ref(&ok(f), &r);
    assert_eq!(
        get("08-reply-le-a-ecrit.eml"),
        Some(RefSource::SignedAddress("R2021-000123".into()))
    );
    assert_eq!(
        get("09-outlook-reply-de-envoye.eml"),
        Some(RefSource::SignedAddress("R2021-000456".into()))
    );
    assert_eq!(
        get("16-gmail-reply-wrapped.eml"),
        Some(RefSource::Header(
            "relais.kmz1y2x3.8899aabbccddeeff@relais.test".into()
        ))
    );
    assert_eq!(get("02-thunderbird-alternative.eml"), None);
    // With another secret the signed address proves nothing, the subject
    // tag remains (unauthenticated: the caller checks the institution).
    let other = ReplyAddress::new(b"another-secret", "support@relais.test");
    assert_eq!(
        find_ticket_ref(&ok("08-reply-le-a-ecrit.eml"), &other),
        Some(RefSource::Subject("R2021-000123".into()))
    );
}
