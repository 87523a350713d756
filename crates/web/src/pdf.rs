//! Plain PDF documents (statements, certificates): A4 pages of text in the
//! standard Helvetica fonts, paginated, with the document's title in its
//! metadata. The standard fonts need no embedding; text is encoded in
//! WinAnsi, which holds every French letter, the euro sign and the
//! typographic quotes (anything else becomes "?").

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// One line of a document.
#[derive(Debug, Clone)]
pub enum Line {
    Title(String),
    Heading(String),
    Text(String),
    /// Cells placed at x offsets (points from the left margin).
    Row(Vec<(f32, String)>),
    /// A row in bold (table headers, totals).
    BoldRow(Vec<(f32, String)>),
    Gap,
}

fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{202f}' | '\u{2009}' => 0xa0,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            'Œ' => 0x8c,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            'œ' => 0x9c,
            'Ÿ' => 0x9f,
            _ => b'?',
        })
        .collect()
}

const MARGIN: f32 = 50.0;
const TOP: f32 = 792.0;
const BOTTOM: f32 = 60.0;

/// Renders `lines` under `title`; `footer` goes at the foot of each page
/// with the page number.
pub fn render(title: &str, footer: &str, lines: &[Line]) -> Vec<u8> {
    // Lay out first, so the page count is known.
    let mut pages: Vec<Content> = vec![];
    let mut content = Content::new();
    let mut y = TOP;
    let mut started = false;
    let regular = Name(b"F1");
    let bold = Name(b"F2");
    let new_page = |content: &mut Content, pages: &mut Vec<Content>, y: &mut f32| {
        let done = std::mem::replace(content, Content::new());
        pages.push(done);
        *y = TOP;
    };
    for l in lines {
        let (h, _) = match l {
            Line::Title(_) => (26.0, 0),
            Line::Heading(_) => (20.0, 0),
            Line::Gap => (8.0, 0),
            _ => (14.0, 0),
        };
        if y - h < BOTTOM && started {
            new_page(&mut content, &mut pages, &mut y);
        }
        started = true;
        y -= h;
        let mut put = |font: Name, size: f32, x: f32, text: &str| {
            content.begin_text();
            content.set_font(font, size);
            content.next_line(MARGIN + x, y);
            content.show(Str(&win_ansi(text)));
            content.end_text();
        };
        match l {
            Line::Title(t) => put(bold, 16.0, 0.0, t),
            Line::Heading(t) => put(bold, 12.0, 0.0, t),
            Line::Text(t) => put(regular, 10.0, 0.0, t),
            Line::Row(cells) => {
                for (x, t) in cells {
                    put(regular, 9.0, *x, t);
                }
            }
            Line::BoldRow(cells) => {
                for (x, t) in cells {
                    put(bold, 9.0, *x, t);
                }
            }
            Line::Gap => {}
        }
    }
    pages.push(content);

    let n = pages.len();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let f1 = Ref::new(3);
    let f2 = Ref::new(4);
    let info = Ref::new(5);
    let page_ids: Vec<Ref> = (0..n).map(|i| Ref::new(10 + 2 * i as i32)).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(n as i32);
    pdf.type1_font(f1)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(f2)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Relais"));
    for (i, mut c) in pages.into_iter().enumerate() {
        c.begin_text();
        c.set_font(regular, 8.0);
        c.next_line(MARGIN, 30.0);
        c.show(Str(&win_ansi(&format!("{footer} — page {} / {n}", i + 1))));
        c.end_text();
        let page_id = page_ids[i];
        let content_id = Ref::new(11 + 2 * i as i32);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
        page.parent(tree);
        page.contents(content_id);
        let mut res = page.resources();
        let mut fonts = res.fonts();
        fonts.pair(regular, f1);
        fonts.pair(bold, f2);
        fonts.finish();
        res.finish();
        page.finish();
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_text_fits_win_ansi() {
        assert_eq!(win_ansi("é€’œ"), vec![0xe9, 0x80, 0x92, 0x9c]);
        assert_eq!(win_ansi("1\u{202f}560,00"), b"1\xa0560,00".to_vec());
        assert_eq!(win_ansi("日"), b"?".to_vec());
    }

    #[test]
    fn long_documents_get_pages() {
        let lines: Vec<Line> = (0..200).map(|i| Line::Text(format!("Ligne {i}"))).collect();
        let pdf = render("Relevé", "Relais", &lines);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(
            text.contains("/Count 4"),
            "200 lines at 14 pt, 52 a page, make 4 A4 pages"
        );
    }
}
