//! Undoing what older mail software does to text: raw 8-bit bytes in header
//! fields (no RFC 2047 encoded-words; common from older Outlook and some
//! scanners), and attachments sent without a file name.

use std::borrow::Cow;

/// The header blocks of a message with every line that is not valid UTF-8
/// re-encoded from Windows-1252 (the superset of Latin-1 that such software
/// writes), so that the parser reads "Récépissé" instead of "R�c�piss�".
/// UTF-8 lines (RFC 6532) are kept as they are; bodies are never touched
/// (their charset is declared, and the parser decodes them). The headers of
/// MIME parts (an 8-bit file name) are handled as well: a line is treated as
/// a header line when it is in the message's header block or in the block
/// that follows a MIME boundary line.
pub(crate) fn eight_bit_headers(raw: &[u8]) -> Cow<'_, [u8]> {
    if raw.is_ascii() {
        return Cow::Borrowed(raw);
    }
    let mut out: Vec<u8> = Vec::with_capacity(raw.len() + 64);
    let mut changed = false;
    let mut in_headers = true;
    for line in raw.split_inclusive(|b| *b == b'\n') {
        let content = trim_eol(line);
        if in_headers {
            if content.is_empty() {
                in_headers = false;
            } else if !content.is_ascii() && std::str::from_utf8(content).is_err() {
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(content);
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(&line[content.len()..]);
                changed = true;
                continue;
            }
        } else if content.starts_with(b"--") && content.len() > 2 {
            // A boundary line (or the text of a body starting with "--",
            // in which case the next lines are still plain ASCII or UTF-8
            // body lines in the common case, and only non-UTF-8 lines up to
            // the next blank line are re-encoded).
            in_headers = true;
        }
        out.extend_from_slice(line);
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw)
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// The usual extension of a content type, for attachments sent without a
/// name (`piece-jointe-1` becomes `piece-jointe-1.pdf`). The common types of
/// office mail first (mime_guess lists several for some, not always the
/// expected one first), then mime_guess.
pub(crate) fn extension_for(content_type: &str) -> Option<&'static str> {
    let ct = content_type.trim().to_ascii_lowercase();
    let known = match ct.as_str() {
        "text/plain" => Some("txt"),
        "text/html" => Some("html"),
        "text/csv" => Some("csv"),
        "text/calendar" => Some("ics"),
        "text/rfc822-headers" => Some("txt"),
        "message/rfc822" => Some("eml"),
        "message/delivery-status" => Some("txt"),
        "application/pdf" => Some("pdf"),
        "application/zip" => Some("zip"),
        "application/msword" => Some("doc"),
        "application/vnd.ms-excel" => Some("xls"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Some("docx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Some("xlsx"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => Some("pptx"),
        "application/vnd.oasis.opendocument.text" => Some("odt"),
        "application/vnd.oasis.opendocument.spreadsheet" => Some("ods"),
        "application/ms-tnef" | "application/vnd.ms-tnef" => Some("dat"),
        "application/pkcs7-signature" | "application/x-pkcs7-signature" => Some("p7s"),
        "application/pgp-signature" => Some("asc"),
        "application/json" => Some("json"),
        "application/xml" | "text/xml" => Some("xml"),
        "image/jpeg" | "image/pjpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "image/gif" => Some("gif"),
        "image/webp" => Some("webp"),
        "image/svg+xml" => Some("svg"),
        "image/tiff" => Some("tif"),
        "image/bmp" => Some("bmp"),
        "audio/mpeg" => Some("mp3"),
        "video/mp4" => Some("mp4"),
        "application/octet-stream" => Some("bin"),
        _ => None,
    };
    known
        .or_else(|| mime_guess::get_mime_extensions_str(&ct).and_then(|exts| exts.first().copied()))
}

/// `piece-jointe-N` plus the extension of its type when the sender gave no
/// name; a sender's name is kept as it is.
pub(crate) fn name_with_extension(sanitized: String, given: bool, content_type: &str) -> String {
    if given {
        return sanitized;
    }
    match extension_for(content_type) {
        Some(ext) => format!("{sanitized}.{ext}"),
        None => sanitized,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_header_lines_become_utf8() {
        let raw =
            b"From: Ren\xe9 <rene@ua.fr>\r\nSubject: R\xe9c\xe9piss\xe9 \x80\r\n\r\ncorps \xe9\r\n";
        let out = eight_bit_headers(raw);
        let s = String::from_utf8_lossy(&out);
        assert!(s.contains("From: René <rene@ua.fr>\r\n"), "{s}");
        assert!(s.contains("Subject: Récépissé €\r\n"), "{s}");
        // The body is left to its declared charset.
        assert!(out.ends_with(b"corps \xe9\r\n"));
    }

    #[test]
    fn utf8_and_ascii_are_untouched() {
        let raw = "Subject: Déjà vu\r\n\r\nx\r\n".as_bytes();
        assert!(matches!(eight_bit_headers(raw), Cow::Borrowed(_)));
        let raw = b"Subject: x\r\n\r\n\xe9\r\n";
        assert!(matches!(eight_bit_headers(raw), Cow::Borrowed(_)));
    }

    #[test]
    fn part_headers_too() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Disposition: attachment; filename=\"re\xe7u.pdf\"\r\n\r\n%PDF\xe9\r\n--b--\r\n";
        let out = eight_bit_headers(raw);
        let s = String::from_utf8_lossy(&out);
        assert!(s.contains("filename=\"reçu.pdf\""), "{s}");
        assert!(out.windows(5).any(|w| w == b"%PDF\xe9"));
    }

    #[test]
    fn extensions() {
        assert_eq!(extension_for("application/pdf"), Some("pdf"));
        assert_eq!(extension_for("IMAGE/JPEG"), Some("jpg"));
        assert_eq!(extension_for("text/plain"), Some("txt"));
        assert_eq!(extension_for("application/x-unknown-thing"), None);
        assert_eq!(
            name_with_extension("piece-jointe-1".into(), false, "image/png"),
            "piece-jointe-1.png"
        );
        assert_eq!(
            name_with_extension("scan".into(), true, "image/png"),
            "scan"
        );
    }
}
