//! Text work on message bodies: HTML to plain text, HTML sanitising, setting
//! the quoted reply history apart, and safe attachment names.

use std::sync::OnceLock;

/// Above this nesting depth (counted roughly, see [`rough_depth`]) the HTML
/// libraries' recursive walks could exhaust a thread's stack, which aborts the
/// process rather than failing: such HTML gets the flat fallbacks instead.
/// Real mail (Outlook included) stays far below.
const MAX_HTML_DEPTH: usize = 400;

/// HTML larger than this is not worth rendering as text or HTML; it gets the
/// flat fallbacks too.
const MAX_HTML_BYTES: usize = 4 * 1024 * 1024;

/// Plain text of an HTML body: paragraphs and line breaks kept, scripts,
/// styles and markup dropped, no wrapping.
pub fn html_to_text(html: &str) -> String {
    let rendered = if html.len() <= MAX_HTML_BYTES && rough_depth(html) <= MAX_HTML_DEPTH {
        html2text::config::plain_no_decorate()
            .no_table_borders()
            .string_from_read(html.as_bytes(), 10_000)
            .ok()
    } else {
        None
    };
    let text = rendered.unwrap_or_else(|| mail_parser::decoders::html::html_to_text(html));
    tidy_text(&text)
}

/// Sanitised HTML, safe to show in a page: no script, style, event handler,
/// form or foreign markup (Outlook's `<o:p>`, `mso-` styles); `cid:` image
/// sources are kept so that the caller can point them at inline attachments.
/// `None` when the HTML is too large or too deeply nested to clean safely.
pub fn sanitize_html(html: &str) -> Option<String> {
    if html.len() > MAX_HTML_BYTES || rough_depth(html) > MAX_HTML_DEPTH {
        return None;
    }
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_clean_content_tags(["title"]).add_url_schemes(["cid"]);
        b
    });
    let cleaned = cleaner.clean(html).to_string();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// A cheap upper bound of the element nesting of `html`: open tags minus
/// close tags, ignoring void elements and the ones HTML closes implicitly.
fn rough_depth(html: &str) -> usize {
    const NOT_NESTING: [&str; 22] = [
        "br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source",
        "embed", "param", "track", "p", "li", "dt", "dd", "tr", "td", "th", "option",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = memchr_lt(&bytes[i..]) {
        i += off + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b':') {
            end += 1;
        }
        if end == start {
            continue;
        }
        let name = html[start..end].to_ascii_lowercase();
        if NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        let self_closing = bytes[end..]
            .iter()
            .position(|&b| b == b'>')
            .is_some_and(|gt| gt > 0 && bytes[end + gt - 1] == b'/');
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// Normalises a text body: LF line ends, no-break spaces as spaces, no
/// trailing spaces (but in the signature separator `-- `), no runs of more
/// than one blank line, no blank lines at either end.
pub(crate) fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    // No-break spaces (French typography puts them before : ; ! ? » and
    // after «) become plain spaces: plain text is searched and matched.
    let text = text.replace(['\u{a0}', '\u{202f}'], " ");
    for line in text.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        // "-- " keeps its space: it is the signature separator.
        let line = if line == "-- " {
            line
        } else {
            line.trim_end_matches([' ', '\t'])
        };
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

/// Undoes `format=flowed` (RFC 3676), as Thunderbird and others send it:
/// a line ending in a space continues on the next line of the same quote
/// depth. Quote markers are written back as `> `.
pub(crate) fn unflow(text: &str, delsp: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for raw in text.replace("\r\n", "\n").split('\n') {
        let depth = raw.chars().take_while(|&c| c == '>').count();
        let mut content = &raw[depth..];
        if let Some(unstuffed) = content.strip_prefix(' ') {
            content = unstuffed;
        }
        let flowed = content.ends_with(' ') && content != "-- ";
        let piece = if flowed && delsp {
            &content[..content.len() - 1]
        } else {
            content
        };
        match open.take() {
            Some((d, mut acc)) if d == depth => {
                acc.push_str(piece);
                open = Some((d, acc));
            }
            Some((d, acc)) => {
                out.push(quote_prefix(d) + &acc);
                open = Some((depth, piece.to_string()));
            }
            None => open = Some((depth, piece.to_string())),
        }
        if !flowed {
            if let Some((d, acc)) = open.take() {
                out.push(quote_prefix(d) + &acc);
            }
        }
    }
    if let Some((d, acc)) = open {
        out.push(quote_prefix(d) + &acc);
    }
    out.join("\n")
}

fn quote_prefix(depth: usize) -> String {
    if depth == 0 {
        String::new()
    } else {
        format!("{} ", ">".repeat(depth))
    }
}

/// Splits a reply into what the person wrote and the history they quoted.
///
/// The history starts at the first of: an attribution line ("Le 12 mars 2021
/// à 10:02, X a écrit :", "On … wrote:", also wrapped over two lines as Gmail
/// does), an Outlook or Zimbra header block ("De : … / Envoyé : …", "-----
/// Mail original -----", "-----Message d'origine-----"), or a trailing block
/// of `>` lines. When nothing is written above the history (bottom posting),
/// the unquoted lines are the text. Returns the text unchanged and `None` when
/// there is no history.
pub fn split_quoted(text: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let Some(cut) = find_quote_start(&lines) else {
        return (tidy_text(text), None);
    };
    let head = tidy_text(&lines[..cut].join("\n"));
    let tail = tidy_text(&lines[cut..].join("\n"));
    if !head.is_empty() {
        return (head, (!tail.is_empty()).then_some(tail));
    }
    // Bottom posting or inline answers: keep the person's own lines.
    let (mut own, mut quoted) = (Vec::new(), Vec::new());
    for (i, line) in lines.iter().enumerate() {
        let is_attribution = i == cut || (i == cut + 1 && attribution_len(&lines[cut..]) == 2);
        if is_attribution || line.trim_start().starts_with('>') {
            quoted.push(*line);
        } else {
            own.push(*line);
        }
    }
    let own = tidy_text(&own.join("\n"));
    if own.is_empty() {
        return (tidy_text(text), None);
    }
    let quoted = tidy_text(&quoted.join("\n"));
    (own, (!quoted.is_empty()).then_some(quoted))
}

fn find_quote_start(lines: &[&str]) -> Option<usize> {
    for i in 0..lines.len() {
        let line = clean_marker(lines[i]);
        if attribution_len(&lines[i..]) > 0 {
            return Some(i);
        }
        let lower = line.to_lowercase();
        let lower = lower.trim_matches('-').trim();
        if matches!(
            lower,
            "original message"
                | "message d'origine"
                | "message d’origine"
                | "mail original"
                | "message original"
        ) && line.starts_with("--")
        {
            return Some(i);
        }
        if is_header_block_start(&lines[i..]) {
            // Outlook puts a rule of underscores just above the block.
            let above = (0..i).rev().find(|&j| !lines[j].trim().is_empty());
            return Some(match above {
                Some(j) if is_rule(lines[j]) => j,
                _ => i,
            });
        }
        if line.starts_with('>')
            && lines[i..]
                .iter()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('>'))
        {
            return Some(i);
        }
    }
    None
}

/// Strips the decorations a text rendering of HTML may leave around a marker.
fn clean_marker(line: &str) -> &str {
    line.trim().trim_matches('*').trim()
}

fn is_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 10 && t.chars().all(|c| c == '_' || c == '-' || c == '─')
}

/// How many lines an attribution ("Le … a écrit :", "On … wrote:") takes at
/// the start of `lines`: 0 when there is none.
fn attribution_len(lines: &[&str]) -> usize {
    let Some(first) = lines.first() else {
        return 0;
    };
    let first = clean_marker(first);
    let lower = first.to_lowercase();
    let starts_fr = lower.starts_with("le ");
    let starts_en = lower.starts_with("on ");
    if !(starts_fr || starts_en) || first.chars().count() > 300 {
        return 0;
    }
    let ends_fr = |s: &str| {
        let s = s.trim_end_matches([' ', ':']).trim_end();
        s.ends_with("a écrit") || s.ends_with("a ecrit") || s.ends_with("a écrit")
    };
    if (starts_fr && ends_fr(&lower)) || (starts_en && lower.trim_end().ends_with("wrote:")) {
        return 1;
    }
    // Gmail wraps long attributions: "Le ven. 12 mars 2021 à 10:02, X <x@y> a\nécrit :"
    if let Some(next) = lines.get(1) {
        let next = clean_marker(next).to_lowercase();
        let wrapped_fr = starts_fr
            && (lower.ends_with(" a") && (next.starts_with("écrit") || next.starts_with("ecrit"))
                || ends_fr(&format!("{lower} {next}")) && next.len() < 80);
        let wrapped_en = starts_en && next.trim_end().ends_with("wrote:") && next.len() < 80;
        if wrapped_fr || wrapped_en {
            return 2;
        }
    }
    0
}

/// An Outlook/Zimbra header block: "De :" (or "From:") followed within a few
/// lines by "Envoyé :", "Date :" or "Sent:".
fn is_header_block_start(lines: &[&str]) -> bool {
    let Some(first) = lines.first() else {
        return false;
    };
    if !has_field(first, &["de", "from"]) {
        return false;
    }
    lines
        .iter()
        .skip(1)
        .take(4)
        .any(|l| has_field(l, &["envoyé", "envoye", "sent", "date"]))
}

fn has_field(line: &str, names: &[&str]) -> bool {
    let line = clean_marker(line);
    let Some((name, _)) = line.split_once(':') else {
        return false;
    };
    let name = name.trim().trim_matches('*').trim().to_lowercase();
    names.contains(&name.as_str())
}

/// A filename safe to store and to offer for download: the last path
/// component only, without control or bidirectional-override characters or
/// the characters Windows forbids, not starting with a dot, at most 200
/// characters (the extension kept); `piece-jointe-N` when nothing is left.
pub fn sanitize_filename(name: &str, index: usize) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned
        .trim_matches(|c: char| c.is_whitespace())
        .trim_start_matches('.')
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();
    if !cleaned.chars().any(|c| c.is_alphanumeric()) {
        return format!("piece-jointe-{index}");
    }
    truncate_keeping_extension(&cleaned, 200)
}

fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

fn truncate_keeping_extension(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 16 => (stem, ext),
        _ => (name, ""),
    };
    if ext.is_empty() {
        return name.chars().take(max).collect();
    }
    let keep = max - ext.chars().count() - 1;
    let stem: String = stem.chars().take(keep).collect();
    format!("{}.{ext}", stem.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flowed_text_is_joined() {
        let t = "Lors de l'export, les \r\néléments créés\r\n\r\n> cité \r\n> suite\r\n-- \r\nPaul";
        assert_eq!(
            unflow(t, false),
            "Lors de l'export, les éléments créés\n\n> cité suite\n-- \nPaul"
        );
        assert_eq!(unflow("mot \ncollé", true), "motcollé");
        assert_eq!(unflow(" >pas une citation", false), ">pas une citation");
    }

    #[test]
    fn filenames() {
        assert_eq!(sanitize_filename("../../etc/passwd", 1), "passwd");
        assert_eq!(sanitize_filename("..\\..\\boot.ini", 1), "boot.ini");
        assert_eq!(sanitize_filename("<script>.html", 2), "_script_.html");
        assert_eq!(
            sanitize_filename("facture\u{202E}fdp.exe", 3),
            "facturefdp.exe"
        );
        assert_eq!(sanitize_filename("a\u{0}b\nc.txt", 1), "abc.txt");
        assert_eq!(sanitize_filename("...", 4), "piece-jointe-4");
        assert_eq!(sanitize_filename("", 5), "piece-jointe-5");
        assert_eq!(sanitize_filename("../", 6), "piece-jointe-6");
        assert_eq!(sanitize_filename(".bashrc", 1), "bashrc");
        assert_eq!(
            sanitize_filename("Procès-verbal été.pdf", 1),
            "Procès-verbal été.pdf"
        );
        let long = format!("{}.pdf", "é".repeat(300));
        let s = sanitize_filename(&long, 1);
        assert_eq!(s.chars().count(), 200);
        assert!(s.ends_with(".pdf"));
    }

    #[test]
    fn french_attribution_is_trimmed() {
        let t = "Merci, c'est réglé.\n\nLe 12 mars 2021 à 10:02, Support Relais a écrit :\n> Bonjour,\n> essayez ceci.\n";
        let (text, quoted) = split_quoted(t);
        assert_eq!(text, "Merci, c'est réglé.");
        assert!(quoted.unwrap_or_default().starts_with("Le 12 mars 2021"));
    }

    #[test]
    fn gmail_wrapped_attribution() {
        let t = "Toujours bloqué.\n\nLe ven. 12 mars 2021 à 10:02, Support Relais <support@relais.test> a\nécrit :\n\n> Bonjour\n";
        let (text, quoted) = split_quoted(t);
        assert_eq!(text, "Toujours bloqué.");
        assert!(quoted.is_some());
    }

    #[test]
    fn outlook_block_with_rule() {
        let t = "Bien reçu.\n\n________________________________\nDe : Support Relais <support@relais.test>\nEnvoyé : vendredi 12 mars 2021 10:02\nÀ : Dupont Jean\nObjet : RE: x\n\nBonjour";
        let (text, quoted) = split_quoted(t);
        assert_eq!(text, "Bien reçu.");
        assert!(quoted.unwrap_or_default().starts_with("_____"));
    }

    #[test]
    fn zimbra_block() {
        let t = "Voici le fichier.\n\n----- Mail original -----\nDe: \"Support\" <support@relais.test>\nÀ: moi\nEnvoyé: Vendredi 12 Mars 2021 10:02:00\nObjet: x\n\ntexte";
        let (text, quoted) = split_quoted(t);
        assert_eq!(text, "Voici le fichier.");
        assert!(quoted.is_some());
    }

    #[test]
    fn attribution_with_no_break_space() {
        let t = tidy_text("Réglé.\n\nLe 12 mars 2021 à 10:02, Support a écrit\u{a0}:\n> x");
        let (text, quoted) = split_quoted(&t);
        assert_eq!(text, "Réglé.");
        assert!(quoted.is_some());
    }

    #[test]
    fn outlook_original_message_marker() {
        let t = "Merci.\n\n-----Message d'origine-----\nDe : Support\nEnvoyé : lundi\nObjet : x\n\ntexte";
        let (text, quoted) = split_quoted(t);
        assert_eq!(text, "Merci.");
        assert!(quoted
            .unwrap_or_default()
            .starts_with("-----Message d'origine-----"));
    }

    #[test]
    fn bottom_posting_keeps_own_lines() {
        let t = "Le 12 mars 2021 à 10:02, Support a écrit :\n> Avez-vous redémarré ?\n\nOui, sans effet.";
        let (text, quoted) = split_quoted(t);
        assert_eq!(text, "Oui, sans effet.");
        assert!(quoted.unwrap_or_default().contains("redémarré"));
    }

    #[test]
    fn plain_text_without_history() {
        let t = "Bonjour,\n\nLe serveur ne répond plus.\nDe : la part de tous, merci.";
        let (text, quoted) = split_quoted(t);
        assert_eq!(text, t);
        assert_eq!(quoted, None);
    }

    #[test]
    fn html_sanitising() {
        let html = r#"<html><head><title>t</title><style>p{mso-x:1}</style></head><body><p class=MsoNormal style="mso-fareast-language:FR" onclick="steal()">Bonjour<o:p></o:p></p><script>alert(1)</script><img src="cid:image001.png@01D7"><a href="javascript:alert(1)">x</a></body></html>"#;
        let clean = sanitize_html(html).unwrap_or_default();
        for bad in [
            "script",
            "onclick",
            "o:p",
            "mso-",
            "javascript",
            "<title",
            "style",
        ] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        assert!(clean.contains("Bonjour"));
        assert!(clean.contains("cid:image001.png@01D7"));
    }

    #[test]
    fn html_text_rendering() {
        let t = html_to_text("<div>Bonjour,</div><div>ligne&nbsp;2 &eacute;t&eacute;</div><p>para</p><script>alert(1)</script>");
        assert_eq!(t, "Bonjour,\nligne 2 été\n\npara");
    }

    #[test]
    fn deep_html_does_not_overflow() {
        let deep = format!("{}texte{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || (html_to_text(&deep), sanitize_html(&deep)))
            .expect("thread");
        let (text, html) = handle.join().expect("no stack overflow");
        assert_eq!(text, "texte");
        assert_eq!(html, None);
    }
}
