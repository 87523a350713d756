//! Markdown rendering for bodies written by users.

/// Markdown to HTML for an article body: CommonMark with tables and
/// strikethrough, a `#` title demoted under the page's own `<h1>`, then
/// sanitised by ammonia, which drops `<script>`/`<style>` with their
/// content, event-handler attributes and any link or image whose scheme is
/// not http(s)/mailto (so `javascript:` links lose their target).
///
/// ```ignore
/// let html = render_markdown("# Titre\n\n<script>x</script>*ok*");
/// // "<h2>Titre</h2>\n<p><em>ok</em></p>\n"
/// ```
pub fn render_markdown(md: &str) -> String {
    use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let events = Parser::new_ext(md, opts).map(|e| match e {
        Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: HeadingLevel::H2,
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
            Event::End(TagEnd::Heading(HeadingLevel::H2))
        }
        e => e,
    });
    let mut raw = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut raw, events);
    static CLEANER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("noopener noreferrer nofollow"));
        b
    });
    cleaner.clean(&raw).to_string()
}
