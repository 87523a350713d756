//! The full-text index of Relais (tantivy). Documents are tickets (subject,
//! public messages, workarounds — never internal notes), knowledge articles
//! and incidents, later trainings and publications: one generic shape, with
//! the list of *grants* that may read each document. Every query carries
//! the reader's grants, so a document a person may not read is neither
//! returned nor counted.
//!
//! French analysis: words are lower-cased and their accents folded *before*
//! stemming, so "universite", "Université" and "universités" meet; French
//! stop words are dropped; a query word of five letters or more also
//! matches index terms one edit away (typo tolerance).
//!
//! The index is written only from jobs (see `relais_app::search`) and can be
//! rebuilt from the database at any time.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("index: {0}")]
    Other(String),
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// The analyzer's name in the index.
pub const FRENCH: &str = "fr_folded";

/// Known words of a suggestion query kept, rarest first.
const MAX_LOOSE_TERMS: usize = 6;

/// French stop words, accents already folded (the filter runs after
/// folding).
const STOP_WORDS: &[&str] = &[
    "a",
    "au",
    "aux",
    "avec",
    "ce",
    "ces",
    "cet",
    "cette",
    "dans",
    "de",
    "des",
    "du",
    "elle",
    "en",
    "et",
    "eux",
    "il",
    "ils",
    "je",
    "la",
    "le",
    "les",
    "leur",
    "lui",
    "ma",
    "mais",
    "me",
    "meme",
    "mes",
    "moi",
    "mon",
    "ne",
    "nos",
    "notre",
    "nous",
    "on",
    "ou",
    "par",
    "pas",
    "pour",
    "qu",
    "que",
    "qui",
    "sa",
    "se",
    "ses",
    "son",
    "sur",
    "ta",
    "te",
    "tes",
    "toi",
    "ton",
    "tu",
    "un",
    "une",
    "vos",
    "votre",
    "vous",
    "c",
    "d",
    "j",
    "l",
    "m",
    "n",
    "s",
    "t",
    "y",
    "est",
    "sont",
    "ete",
    "etre",
    "avoir",
    "ai",
    "as",
    "avons",
    "avez",
    "ont",
    "suis",
    "es",
    "sommes",
    "etes",
    "bonjour",
    "merci",
    "cordialement",
];

/// Jargon members type → the words the documents use. A query word equal
/// to the abbreviation also looks for the expansion; in suggestions, a
/// query holding the whole expansion also looks for the abbreviation.
/// Kept small and explicit: each line is a term of the trade, not a guess.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("pj", "pièces justificatives"),
    ("bo", "business objects"),
    ("dsn", "déclaration sociale nominative"),
    ("sft", "supplément familial de traitement"),
    ("ia", "inscription administrative"),
    ("aap", "appel à projets"),
    ("edt", "emploi du temps"),
    ("bdc", "bon de commande"),
    ("bc", "bon de commande"),
    ("cde", "commande"),
    ("duerp", "document unique"),
    ("ms", "masse salariale"),
    ("ac", "agent comptable"),
    ("odf", "offre de formation"),
    ("immo", "immobilisations"),
    ("preliq", "préliquidation"),
    ("peda", "pédagogique"),
    ("pedago", "pédagogique"),
];

/// The analysed expansions of an analysed query term.
fn expansions(term: &str) -> Vec<Vec<String>> {
    SYNONYMS
        .iter()
        .filter(|(abbr, _)| analyse(abbr).first().map(String::as_str) == Some(term))
        .map(|(_, exp)| analyse(exp))
        .filter(|e| !e.is_empty())
        .collect()
}

/// The words of a query; a word gluing letters and digits ("FI402") also
/// gives its parts ("FI", "402"), as documents write "FI-402".
fn query_words(text: &str) -> Vec<String> {
    let mut out = vec![];
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        out.push(word.to_string());
        let has_alpha = word.chars().any(|c| c.is_alphabetic());
        let has_digit = word.chars().any(|c| c.is_ascii_digit());
        if has_alpha && has_digit {
            let mut part = String::new();
            let mut prev_digit = None;
            for c in word.chars() {
                let d = c.is_ascii_digit();
                if prev_digit.is_some_and(|p| p != d) && !part.is_empty() {
                    out.push(std::mem::take(&mut part));
                }
                part.push(c);
                prev_digit = Some(d);
            }
            if !part.is_empty() {
                out.push(part);
            }
        }
    }
    out
}

/// The analyzer of every text field and of queries.
pub fn french_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|s| s.to_string()),
        ))
        .filter(Stemmer::new(Language::French))
        .build()
}

/// The analysed terms of a text, in order.
pub fn analyse(text: &str) -> Vec<String> {
    let mut a = french_analyzer();
    let mut stream = a.token_stream(text);
    let mut out = vec![];
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// One searchable document. `key` is unique (`ticket:<id>`); `grants` are
/// the reader grants that may see it (see [`Grant`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexDoc {
    pub kind: String,
    pub id: String,
    pub title: String,
    pub body: String,
    pub reference: Option<String>,
    pub product_id: Option<String>,
    pub institution_id: Option<String>,
    pub status: Option<String>,
    pub grants: Vec<String>,
    /// Seconds since the epoch.
    pub created: i64,
}

impl IndexDoc {
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }
}

/// Reader grants, as strings stored on documents and given with queries.
pub struct Grant;

impl Grant {
    /// Anyone signed in (published articles, public catalogue).
    pub const EVERYONE: &'static str = "everyone";
    /// Agency staff.
    pub const AGENCY: &'static str = "agency";
    pub fn institution(id: &str) -> String {
        format!("inst:{id}")
    }
    /// Members of an institution that uses the product (shared tickets,
    /// incidents).
    pub fn product_users(product: &str) -> String {
        format!("uses:{product}")
    }
    pub fn team(id: &str) -> String {
        format!("team:{id}")
    }
}

/// What to look for, within the grants of the reader.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub kinds: Vec<String>,
    pub product_id: Option<String>,
    pub institution_id: Option<String>,
    pub status: Option<String>,
    /// Any of these statuses (e.g. published articles and resolved tickets).
    pub statuses: Vec<String>,
    /// Only documents created at or after (seconds since the epoch).
    pub created_since: Option<i64>,
    /// Only documents created strictly before (seconds since the epoch):
    /// lets triage be evaluated on a held-out part of the history, as if
    /// later tickets did not exist yet.
    pub created_before: Option<i64>,
    pub limit: usize,
    pub offset: usize,
    /// Compute facet counts (kind, product, status, institution).
    pub facets: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub kind: String,
    pub id: String,
    pub title: String,
    pub reference: Option<String>,
    pub product_id: Option<String>,
    pub institution_id: Option<String>,
    pub status: Option<String>,
    /// HTML-escaped passage with the matching words in `<b>`.
    pub snippet_html: String,
    pub score: f32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// Documents the reader may see that match.
    pub total: usize,
    /// Facet name → (value, count), most frequent first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    title: Field,
    body: Field,
    reference: Field,
    product: Field,
    institution: Field,
    status: Field,
    grants: Field,
    created: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(FRENCH)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        id: b.add_text_field("id", STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        reference: b.add_text_field("reference", STRING | STORED),
        product: b.add_text_field("product", STRING | STORED | FAST),
        institution: b.add_text_field("institution", STRING | STORED | FAST),
        status: b.add_text_field("status", STRING | STORED | FAST),
        grants: b.add_text_field("grants", STRING),
        created: b.add_i64_field("created", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

/// The index: one writer (behind a mutex) and a reader reloaded after each
/// commit.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, f) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Other(e.to_string()))?;
        let index = Index::open_or_create(mmap, schema)?;
        Self::with_index(index, f)
    }

    /// Opens the index in `dir`; when it cannot be read (damaged files, a
    /// schema from another version) it is moved aside to `<dir>.damaged`
    /// and a fresh one is created, which the caller rebuilds from the
    /// database. Returns the index and whether it was replaced. An index
    /// locked by another process is an error, never replaced.
    pub fn open_or_replace(dir: &Path) -> Result<(SearchIndex, bool)> {
        match Self::open(dir) {
            Ok(ix) => Ok((ix, false)),
            Err(SearchError::Tantivy(tantivy::TantivyError::LockFailure(e, m))) => Err(
                SearchError::Tantivy(tantivy::TantivyError::LockFailure(e, m)),
            ),
            Err(e) => {
                let aside = dir.with_extension("damaged");
                let _ = std::fs::remove_dir_all(&aside);
                std::fs::rename(dir, &aside).map_err(|io| {
                    SearchError::Other(format!(
                        "index {} unreadable ({e}) and could not be moved aside: {io}",
                        dir.display()
                    ))
                })?;
                Ok((Self::open(dir)?, true))
            }
        }
    }

    /// The payload of the last commit (the change-log sequence it applied,
    /// written by [`Self::apply_with`] and [`Self::commit_with`]).
    pub fn payload(&self) -> Result<Option<String>> {
        Ok(self.index.load_metas()?.payload)
    }

    /// [`Self::apply`] with a commit payload, in one commit.
    pub fn apply_with(
        &self,
        upserts: &[IndexDoc],
        deleted: &[String],
        payload: &str,
    ) -> Result<()> {
        let mut w = self.writer()?;
        for d in upserts {
            w.delete_term(Term::from_field_text(self.f.key, &d.key()));
            w.add_document(self.to_doc(d))?;
        }
        for k in deleted {
            w.delete_term(Term::from_field_text(self.f.key, k));
        }
        let mut p = w.prepare_commit()?;
        p.set_payload(payload);
        p.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// [`Self::commit`] with a commit payload.
    pub fn commit_with(&self, payload: &str) -> Result<()> {
        let mut w = self.writer()?;
        let mut p = w.prepare_commit()?;
        p.set_payload(payload);
        p.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Looks into an index another process writes (no writer lock taken):
    /// the number of documents and whether `key` is among them.
    pub fn peek(dir: &Path, key: &str) -> Result<(u64, bool)> {
        let (_, f) = schema();
        let index = Index::open_in_dir(dir)?;
        index.tokenizers().register(FRENCH, french_analyzer());
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let q = TermQuery::new(Term::from_field_text(f.key, key), IndexRecordOption::Basic);
        Ok((searcher.num_docs(), searcher.search(&q, &Count)? > 0))
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, f) = schema();
        Self::with_index(Index::create_in_ram(schema), f)
    }

    fn with_index(index: Index, f: Fields) -> Result<SearchIndex> {
        index.tokenizers().register(FRENCH, french_analyzer());
        let writer = index.writer_with_num_threads(1, 50_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            f,
        })
    }

    fn to_doc(&self, d: &IndexDoc) -> TantivyDocument {
        let f = self.f;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, d.key());
        doc.add_text(f.kind, &d.kind);
        doc.add_text(f.id, &d.id);
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        if let Some(r) = &d.reference {
            doc.add_text(f.reference, r);
        }
        if let Some(p) = &d.product_id {
            doc.add_text(f.product, p);
        }
        if let Some(i) = &d.institution_id {
            doc.add_text(f.institution, i);
        }
        if let Some(s) = &d.status {
            doc.add_text(f.status, s);
        }
        for g in &d.grants {
            doc.add_text(f.grants, g);
        }
        doc.add_i64(f.created, d.created);
        doc
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer
            .lock()
            .map_err(|_| SearchError::Other("index writer poisoned".into()))
    }

    /// Replaces documents (by key) and removes `deleted` keys, in one
    /// commit. Idempotent: running it twice leaves the same index.
    pub fn apply(&self, upserts: &[IndexDoc], deleted: &[String]) -> Result<()> {
        let mut w = self.writer()?;
        for d in upserts {
            w.delete_term(Term::from_field_text(self.f.key, &d.key()));
            w.add_document(self.to_doc(d))?;
        }
        for k in deleted {
            w.delete_term(Term::from_field_text(self.f.key, k));
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Rebuilds the whole index from `docs`; readers keep the previous
    /// state until the single final commit.
    pub fn rebuild<I: IntoIterator<Item = IndexDoc>>(&self, docs: I) -> Result<usize> {
        let mut w = self.writer()?;
        w.delete_all_documents()?;
        let mut n = 0;
        for d in docs {
            w.add_document(self.to_doc(&d))?;
            n += 1;
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(n)
    }

    /// Adds documents without a commit (bulk loading); call [`Self::commit`].
    pub fn add_uncommitted(&self, docs: &[IndexDoc]) -> Result<()> {
        let w = self.writer()?;
        for d in docs {
            w.delete_term(Term::from_field_text(self.f.key, &d.key()));
            w.add_document(self.to_doc(d))?;
        }
        Ok(())
    }

    pub fn clear_uncommitted(&self) -> Result<()> {
        self.writer()?.delete_all_documents()?;
        Ok(())
    }

    pub fn commit(&self) -> Result<()> {
        self.writer()?.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Documents in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a document is in the index (tests and consistency checks).
    pub fn contains(&self, key: &str) -> Result<bool> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.f.key, key),
            IndexRecordOption::Basic,
        );
        Ok(searcher.search(&q, &Count)? > 0)
    }

    /// The text part of a query: each analysed word must match (AND), in
    /// the title (boosted) or the body; words of five letters or more also
    /// match one edit away, at a lower score than an exact match.
    fn text_query(&self, searcher: &tantivy::Searcher, text: &str) -> Option<Box<dyn Query>> {
        let mut musts: Vec<(Occur, Box<dyn Query>)> = vec![];
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            let terms = analyse(word);
            let Some(term) = terms.first() else { continue };
            // Typo tolerance only for words the index does not know: a
            // known word is taken as typed (and fuzzy expansion over a
            // million documents is what costs).
            let fuzzy = word.chars().count() >= 5 && self.doc_freq(searcher, term) == 0;
            let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![];
            for (field, boost) in [(self.f.title, 2.0), (self.f.body, 1.0)] {
                let t = Term::from_field_text(field, term);
                alts.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            t.clone(),
                            IndexRecordOption::WithFreqsAndPositions,
                        )),
                        boost,
                    )),
                ));
                if fuzzy {
                    alts.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(t, 1, true)),
                            0.3 * boost,
                        )),
                    ));
                }
            }
            // Jargon: "PJ" also finds "pièces justificatives" (all words).
            for exp in expansions(term) {
                let all: Vec<(Occur, Box<dyn Query>)> = exp
                    .iter()
                    .map(|t| -> (Occur, Box<dyn Query>) {
                        (
                            Occur::Must,
                            Box::new(self.either_field(t, IndexRecordOption::WithFreqs)),
                        )
                    })
                    .collect();
                alts.push((Occur::Should, Box::new(BooleanQuery::new(all))));
            }
            musts.push((Occur::Must, Box::new(BooleanQuery::new(alts))));
        }
        if musts.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(musts)))
        }
    }

    /// Documents holding an analysed term in the title or the body.
    fn doc_freq(&self, searcher: &tantivy::Searcher, term: &str) -> u64 {
        [self.f.title, self.f.body]
            .iter()
            .map(|f| {
                searcher
                    .doc_freq(&Term::from_field_text(*f, term))
                    .unwrap_or(0)
            })
            .sum()
    }

    /// A term in the title (boosted) or the body.
    fn either_field(&self, term: &str, rec: IndexRecordOption) -> BooleanQuery {
        let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![];
        for (field, boost) in [(self.f.title, 2.0), (self.f.body, 1.0)] {
            alts.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(Term::from_field_text(field, term), rec)),
                    boost,
                )),
            ));
        }
        BooleanQuery::new(alts)
    }

    /// Like [`Self::text_query`] but any word may match (OR), the more the
    /// better: for suggestions from a whole paragraph. Beyond exact terms, a
    /// word of five letters or more matches one edit away, a word of four or
    /// more also matches as the start of a longer term ("immo" →
    /// "immobilisations"), and jargon meets its expansion both ways (see
    /// [`SYNONYMS`]), each at a lower weight than an exact match.
    fn loose_query(&self, searcher: &tantivy::Searcher, text: &str) -> Option<Box<dyn Query>> {
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = vec![];
        let mut seen = std::collections::HashSet::new();
        let mut terms_in_query = std::collections::HashSet::new();
        // The words of a paragraph, rarest first: the most telling
        // MAX_LOOSE_TERMS known words are kept, plus every unknown word
        // (typos, word starts), so that a long description stays cheap.
        let mut words: Vec<(String, String, u64)> = vec![];
        for word in query_words(text) {
            let terms = analyse(&word);
            let Some(term) = terms.first() else { continue };
            terms_in_query.insert(term.clone());
            if !seen.insert(term.clone()) {
                continue;
            }
            let df = self.doc_freq(searcher, term);
            words.push((word, term.clone(), df));
        }
        let (unknown, mut known): (Vec<_>, Vec<_>) = words.into_iter().partition(|w| w.2 == 0);
        known.sort_by_key(|w| w.2);
        known.truncate(MAX_LOOSE_TERMS);
        for (word, term, df) in known.into_iter().chain(unknown) {
            let term = &term;
            let len = if df == 0 { word.chars().count() } else { 0 };
            for (field, boost) in [(self.f.title, 2.0), (self.f.body, 1.0)] {
                let t = Term::from_field_text(field, term);
                shoulds.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs)),
                        boost,
                    )),
                ));
                if len >= 5 {
                    shoulds.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(t.clone(), 1, true)),
                            0.3 * boost,
                        )),
                    ));
                }
                if len >= 4 {
                    shoulds.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new_prefix(t, 0, false)),
                            0.2 * boost,
                        )),
                    ));
                }
            }
        }
        if shoulds.is_empty() {
            return None;
        }
        for (abbr, exp) in SYNONYMS {
            let Some(a) = analyse(abbr).into_iter().next() else {
                continue;
            };
            let e = analyse(exp);
            if e.is_empty() {
                continue;
            }
            let wanted: Vec<String> = if terms_in_query.contains(&a) {
                e
            } else if e.iter().all(|t| terms_in_query.contains(t)) {
                vec![a]
            } else {
                continue;
            };
            for t in wanted {
                if seen.insert(t.clone()) {
                    shoulds.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(self.either_field(&t, IndexRecordOption::WithFreqs)),
                            0.8,
                        )),
                    ));
                }
            }
        }
        Some(Box::new(BooleanQuery::new(shoulds)))
    }

    fn filters(&self, q: &SearchQuery, grants: &[String]) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.f;
        let mut out: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(TermSetQuery::new(
                grants.iter().map(|g| Term::from_field_text(f.grants, g)),
            )),
        )];
        if !q.kinds.is_empty() {
            out.push((
                Occur::Must,
                Box::new(TermSetQuery::new(
                    q.kinds.iter().map(|k| Term::from_field_text(f.kind, k)),
                )),
            ));
        }
        for (field, v) in [
            (f.product, &q.product_id),
            (f.institution, &q.institution_id),
            (f.status, &q.status),
        ] {
            if let Some(v) = v {
                out.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
        }
        if !q.statuses.is_empty() {
            out.push((
                Occur::Must,
                Box::new(TermSetQuery::new(
                    q.statuses
                        .iter()
                        .map(|k| Term::from_field_text(f.status, k)),
                )),
            ));
        }
        if q.created_since.is_some() || q.created_before.is_some() {
            let lower = match q.created_since {
                Some(since) => std::ops::Bound::Included(Term::from_field_i64(f.created, since)),
                None => std::ops::Bound::Unbounded,
            };
            let upper = match q.created_before {
                Some(before) => std::ops::Bound::Excluded(Term::from_field_i64(f.created, before)),
                None => std::ops::Bound::Unbounded,
            };
            out.push((
                Occur::Must,
                Box::new(tantivy::query::RangeQuery::new(lower, upper)),
            ));
        }
        out
    }

    /// Searches with every word required. No grant, no result.
    pub fn search(&self, q: &SearchQuery, grants: &[String]) -> Result<SearchResults> {
        let text = self.text_query(&self.reader.searcher(), &q.text);
        self.run(q, grants, text)
    }

    /// Searches with any word counting (suggestions from a description).
    pub fn suggest(&self, q: &SearchQuery, grants: &[String]) -> Result<SearchResults> {
        let text = self.loose_query(&self.reader.searcher(), &q.text);
        if text.is_none() {
            return Ok(SearchResults::default());
        }
        self.run(q, grants, text)
    }

    fn run(
        &self,
        q: &SearchQuery,
        grants: &[String],
        text: Option<Box<dyn Query>>,
    ) -> Result<SearchResults> {
        if grants.is_empty() {
            return Ok(SearchResults::default());
        }
        let mut clauses = self.filters(q, grants);
        let has_text = text.is_some();
        clauses.push((Occur::Must, text.unwrap_or_else(|| Box::new(AllQuery))));
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let limit = q.limit.clamp(1, 200);
        let (top, total) = searcher.search(
            &query,
            &(
                TopDocs::with_limit(limit)
                    .and_offset(q.offset)
                    .order_by_score(),
                Count,
            ),
        )?;
        let snippets = if has_text {
            let mut g = SnippetGenerator::create(&searcher, &query, self.f.body)?;
            g.set_max_num_chars(220);
            Some(g)
        } else {
            None
        };
        let f = self.f;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text_of = |field: Field| -> Option<String> {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let body = text_of(f.body).unwrap_or_default();
            let snippet_html = match &snippets {
                Some(g) => {
                    let s = g.snippet_from_doc(&doc);
                    if s.fragment().is_empty() {
                        escape(&first_chars(&body, 220))
                    } else {
                        s.to_html()
                    }
                }
                None => escape(&first_chars(&body, 220)),
            };
            hits.push(Hit {
                kind: text_of(f.kind).unwrap_or_default(),
                id: text_of(f.id).unwrap_or_default(),
                title: text_of(f.title).unwrap_or_default(),
                reference: text_of(f.reference),
                product_id: text_of(f.product),
                institution_id: text_of(f.institution),
                status: text_of(f.status),
                snippet_html,
                score,
            });
        }
        let facets = if q.facets {
            self.facets(&searcher, &query)?
        } else {
            BTreeMap::new()
        };
        Ok(SearchResults {
            hits,
            total,
            facets,
        })
    }

    fn facets(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
    ) -> Result<BTreeMap<String, Vec<(String, u64)>>> {
        use tantivy::aggregation::agg_req::Aggregations;
        use tantivy::aggregation::AggregationCollector;
        let req: Aggregations = serde_json::from_value(serde_json::json!({
            "kind": {"terms": {"field": "kind", "size": 10}},
            "product": {"terms": {"field": "product", "size": 30}},
            "status": {"terms": {"field": "status", "size": 20}},
            "institution": {"terms": {"field": "institution", "size": 20}},
        }))
        .map_err(|e| SearchError::Other(e.to_string()))?;
        let collector = AggregationCollector::from_aggs(req, Default::default());
        let res = searcher.search(query, &collector)?;
        let v = serde_json::to_value(res).map_err(|e| SearchError::Other(e.to_string()))?;
        let mut out = BTreeMap::new();
        for name in ["kind", "product", "status", "institution"] {
            let buckets = v[name]["buckets"]
                .as_array()
                .map(|b| {
                    b.iter()
                        .filter_map(|x| {
                            Some((x["key"].as_str()?.to_string(), x["doc_count"].as_u64()?))
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.insert(name.to_string(), buckets);
        }
        Ok(out)
    }
}

fn first_chars(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str, id: &str, title: &str, body: &str, grants: &[&str]) -> IndexDoc {
        IndexDoc {
            kind: kind.into(),
            id: id.into(),
            title: title.into(),
            body: body.into(),
            product_id: Some("siham".into()),
            institution_id: Some("a".into()),
            status: Some("resolu".into()),
            grants: grants.iter().map(|g| g.to_string()).collect(),
            created: 1_600_000_000,
            ..Default::default()
        }
    }

    fn grants(g: &[&str]) -> Vec<String> {
        g.iter().map(|s| s.to_string()).collect()
    }

    fn q(text: &str) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            limit: 10,
            ..Default::default()
        }
    }

    #[test]
    fn accents_case_and_plurals_meet() {
        assert_eq!(analyse("Université"), analyse("universite"));
        assert_eq!(analyse("universités"), analyse("Universite"));
        assert_eq!(analyse("préliquidation"), analyse("preliquidations"));
        assert!(analyse("la de et").is_empty(), "stop words dropped");
    }

    #[test]
    fn finds_with_accents_missing_and_a_typo() {
        let ix = SearchIndex::in_memory().expect("index");
        ix.apply(
            &[
                doc(
                    "article",
                    "1",
                    "Rejet de la préliquidation de paie",
                    "Erreur PAI-201 sur les contractuels de l'université.",
                    &["everyone"],
                ),
                doc(
                    "article",
                    "2",
                    "Édition des bons de commande",
                    "Le modèle PDF a changé.",
                    &["everyone"],
                ),
            ],
            &[],
        )
        .expect("apply");
        let g = grants(&["everyone"]);
        for text in [
            "preliquidation",
            "PRÉLIQUIDATION",
            "prelquidation",
            "universites contractuels",
        ] {
            let r = ix.search(&q(text), &g).expect("search");
            assert_eq!(r.hits.first().map(|h| h.id.as_str()), Some("1"), "{text}");
        }
        // Short words get no typo tolerance: "paue" is not "paie".
        assert_eq!(ix.search(&q("paue"), &g).expect("search").total, 0);
        let r = ix.search(&q("contractuels"), &g).expect("search");
        assert!(
            r.hits[0].snippet_html.contains("<b>contractuels</b>"),
            "{}",
            r.hits[0].snippet_html
        );
    }

    #[test]
    fn grants_filter_hits_and_counts() {
        let ix = SearchIndex::in_memory().expect("index");
        ix.apply(
            &[
                doc(
                    "ticket",
                    "a1",
                    "Paie bloquée",
                    "Paie de mars bloquée",
                    &["agency", "inst:a"],
                ),
                doc(
                    "ticket",
                    "b1",
                    "Paie bloquée",
                    "Paie de mars bloquée",
                    &["agency", "inst:b"],
                ),
                doc(
                    "ticket",
                    "b2",
                    "Paie bloquée",
                    "Paie partagée",
                    &["agency", "inst:b", "uses:siham"],
                ),
            ],
            &[],
        )
        .expect("apply");
        let member_a = grants(&["everyone", "inst:a", "uses:siham"]);
        let r = ix.search(&q("paie"), &member_a).expect("search");
        let ids: Vec<_> = r.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(r.total, 2, "b1 is neither returned nor counted");
        assert!(ids.contains(&"a1") && ids.contains(&"b2") && !ids.contains(&"b1"));
        assert_eq!(
            ix.search(&q("paie"), &grants(&["agency"]))
                .expect("s")
                .total,
            3
        );
        assert_eq!(
            ix.search(&q("paie"), &[]).expect("s").total,
            0,
            "no grant, nothing"
        );
    }

    #[test]
    fn apply_replaces_and_deletes_by_key() {
        let ix = SearchIndex::in_memory().expect("index");
        let mut d = doc("ticket", "t", "Écran blanc", "Écran blanc", &["agency"]);
        ix.apply(std::slice::from_ref(&d), &[]).expect("apply");
        d.title = "Écran noir".into();
        ix.apply(std::slice::from_ref(&d), &[])
            .expect("apply twice");
        assert_eq!(ix.len(), 1);
        let g = grants(&["agency"]);
        assert_eq!(ix.search(&q("noir"), &g).expect("s").total, 1);
        assert_eq!(ix.search(&q("blanc"), &g).expect("s").total, 1, "body kept");
        ix.apply(&[], &["ticket:t".into()]).expect("delete");
        assert!(ix.is_empty());
    }

    #[test]
    fn facets_count_what_the_reader_sees() {
        let ix = SearchIndex::in_memory().expect("index");
        let mut d1 = doc("ticket", "1", "Paie", "paie", &["agency"]);
        d1.status = Some("nouveau".into());
        let d2 = doc("article", "2", "Paie", "paie", &["agency"]);
        ix.apply(&[d1, d2], &[]).expect("apply");
        let mut query = q("paie");
        query.facets = true;
        let r = ix.search(&query, &grants(&["agency"])).expect("s");
        let kinds = &r.facets["kind"];
        assert!(kinds.contains(&("ticket".into(), 1)) && kinds.contains(&("article".into(), 1)));
        assert!(r.facets["status"].contains(&("nouveau".into(), 1)));
    }

    #[test]
    fn jargon_glued_codes_and_word_starts_in_suggestions() {
        let ix = SearchIndex::in_memory().expect("index");
        ix.apply(
            &[
                doc(
                    "article",
                    "pj",
                    "Pièces justificatives non transmises",
                    "Les pièces justificatives dématérialisées manquent.",
                    &["everyone"],
                ),
                doc(
                    "article",
                    "dsn",
                    "DSN bloquée au dépôt",
                    "La DSN mensuelle est refusée.",
                    &["everyone"],
                ),
                doc(
                    "article",
                    "fi",
                    "Mandat rejeté (FI-402)",
                    "Rejet du comptable.",
                    &["everyone"],
                ),
                doc(
                    "article",
                    "immo",
                    "Écart sur les immobilisations",
                    "Clôture de l'exercice.",
                    &["everyone"],
                ),
            ],
            &[],
        )
        .expect("apply");
        let g = grants(&["everyone"]);
        let top = |text: &str| {
            ix.suggest(&q(text), &g)
                .expect("suggest")
                .hits
                .first()
                .map(|h| h.id.clone())
        };
        assert_eq!(
            top("PJ manquantes").as_deref(),
            Some("pj"),
            "abbreviation → words"
        );
        assert_eq!(
            top("declaration sociale nominative refusee").as_deref(),
            Some("dsn"),
            "words → abbreviation"
        );
        assert_eq!(top("FI402").as_deref(), Some("fi"), "glued code");
        assert_eq!(top("immo").as_deref(), Some("immo"), "word start");
        // In search mode (every word required) the abbreviation also finds
        // the expansion.
        assert_eq!(ix.search(&q("pj"), &g).expect("search").total, 1);
        assert_eq!(query_words("FI402 x"), vec!["FI402", "FI", "402", "x"]);
    }

    #[test]
    fn the_index_survives_reopening() {
        let dir = tempfile::tempdir().expect("dir");
        {
            let ix = SearchIndex::open(dir.path()).expect("open");
            ix.apply(
                &[doc(
                    "article",
                    "1",
                    "Clôture",
                    "Clôture de l'exercice",
                    &["everyone"],
                )],
                &[],
            )
            .expect("apply");
        }
        let ix = SearchIndex::open(dir.path()).expect("reopen");
        assert!(ix.contains("article:1").expect("contains"));
        assert_eq!(
            ix.search(&q("cloture"), &grants(&["everyone"]))
                .expect("s")
                .total,
            1
        );
    }
}
