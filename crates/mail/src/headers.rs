//! The header block of a message, by name, as raw unfolded text: for the
//! fields mail-parser does not interpret (Auto-Submitted, Precedence, X-…).

pub(crate) struct RawHeaders<'a> {
    pub(crate) fields: Vec<(&'a str, String)>,
}

impl<'a> RawHeaders<'a> {
    pub(crate) fn from_message(msg: &'a mail_parser::Message<'a>) -> Self {
        let raw = msg.raw_message();
        let fields = msg
            .root_part()
            .headers
            .iter()
            .map(|h| {
                let start = (h.offset_start as usize).min(raw.len());
                let end = (h.offset_end as usize).clamp(start, raw.len());
                let value = String::from_utf8_lossy(&raw[start..end])
                    .split(['\r', '\n'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                (h.name(), value)
            })
            .collect();
        RawHeaders { fields }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}
