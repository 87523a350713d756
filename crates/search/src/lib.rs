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

pub mod baseline;

use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
    TermSetQuery,
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

/// The analyzer of the alias field: the vocabulary writes already
/// analysed terms there, taken as they are.
pub const ALIAS: &str = "alias_terms";

/// The analyzer of the spelling field: words folded but not stemmed, for
/// typo tolerance ("attestaton" is one edit from "attestation", while
/// their stems are far apart).
pub const SPELL: &str = "fr_spell";

fn spelling_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|s| s.to_string()),
        ))
        .build()
}

/// A word folded as the spelling field keeps it.
fn folded(word: &str) -> Option<String> {
    let mut a = spelling_analyzer();
    let mut stream = a.token_stream(word);
    stream.advance().then(|| stream.token().text.clone())
}

/// Weight of a word found in the title, against 1 in the body.
const TITLE_BOOST: f32 = 2.5;
/// Weight of a word the vocabulary added to a document.
const ALIAS_BOOST: f32 = 0.8;
/// Weight of two query words found side by side.
const PHRASE_BOOST: f32 = 1.5;
/// Word pairs tried as phrases, at most.
const MAX_PHRASES: usize = 8;
/// A word in more than this share of the documents counts for the score,
/// not for the share of words a document must match.
const COMMON_SHARE: f64 = 0.2;
/// Share of the telling words of a sentence a document must match in the
/// search box (one or two words: all of them).
pub const MIN_SHARE: f64 = 0.5;

/// How the words of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The search box: a share of the words.
    Sentence,
    /// Suggestions: any word, the more the better.
    Loose,
}

/// One analysed word of a query.
#[derive(Debug, Clone)]
struct QueryTerm {
    word: String,
    term: String,
    /// Letters of the word as typed.
    len: usize,
    df: u64,
}

/// Words a document must match among `n` telling words of a sentence.
pub fn min_required(n: usize) -> usize {
    if n <= 2 {
        n
    } else {
        ((n as f64) * MIN_SHARE).ceil() as usize
    }
}

/// Typo tolerance by word length: none under five letters, one edit up
/// to eight, two from nine.
pub fn fuzzy_distance(len: usize) -> u8 {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

fn register_analyzers(index: &Index) {
    index.tokenizers().register(FRENCH, french_analyzer());
    index.tokenizers().register(SPELL, spelling_analyzer());
    index.tokenizers().register(
        ALIAS,
        TextAnalyzer::builder(tantivy::tokenizer::WhitespaceTokenizer::default()).build(),
    );
}

/// The analysed terms of a text with their positions (stop words leave a
/// gap, so "bon de commande" gives bon@0, command@2).
pub fn analyse_with_positions(text: &str) -> Vec<(String, usize)> {
    let mut a = french_analyzer();
    let mut stream = a.token_stream(text);
    let mut out = vec![];
    while stream.advance() {
        let t = stream.token();
        out.push((t.text.clone(), t.position));
    }
    out
}

/// The vocabulary of the field: lines of two equivalent ways to say a
/// thing (an abbreviation and its expansion, a product and its old name),
/// used both ways, at indexing (a document saying one side also holds
/// the other in its alias field) and at query time (a query word or a
/// whole side of a line also looks for the other side).
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Both sides of each line, analysed.
    lines: Vec<(Vec<String>, Vec<String>)>,
    /// First term of a side → (line, which side).
    by_first: HashMap<String, Vec<(usize, bool)>>,
}

impl Vocabulary {
    /// From (term, equivalent) lines as people write them; lines with an
    /// empty side once analysed (only stop words) are left out.
    pub fn new<A: AsRef<str>, B: AsRef<str>>(pairs: impl IntoIterator<Item = (A, B)>) -> Self {
        let mut v = Vocabulary::default();
        for (a, b) in pairs {
            let (a, b) = (analyse(a.as_ref()), analyse(b.as_ref()));
            if a.is_empty() || b.is_empty() || a == b {
                continue;
            }
            let i = v.lines.len();
            v.by_first.entry(a[0].clone()).or_default().push((i, false));
            v.by_first.entry(b[0].clone()).or_default().push((i, true));
            v.lines.push((a, b));
        }
        v
    }

    /// The built-in lines ([`SYNONYMS`]), used until the database's are
    /// loaded.
    pub fn builtin() -> Self {
        Self::new(SYNONYMS.iter().copied())
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn side(&self, i: usize, second: bool) -> (&[String], &[String]) {
        let (a, b) = &self.lines[i];
        if second {
            (b, a)
        } else {
            (a, b)
        }
    }

    /// The other sides of the lines one side of which is this one word.
    fn others_of_word(&self, term: &str) -> Vec<&[String]> {
        self.by_first
            .get(term)
            .into_iter()
            .flatten()
            .map(|&(i, second)| self.side(i, second))
            .filter(|(this, _)| this.len() == 1)
            .map(|(_, other)| other)
            .collect()
    }

    /// The other sides of the lines a side of several words of which is
    /// all in the query.
    fn others_of_phrase(&self, terms: &HashSet<String>) -> Vec<&[String]> {
        let mut out = vec![];
        for t in terms {
            for &(i, second) in self.by_first.get(t).into_iter().flatten() {
                let (this, other) = self.side(i, second);
                if this.len() > 1 && this.iter().all(|x| terms.contains(x)) {
                    out.push(other);
                }
            }
        }
        out
    }

    /// What a document saying `text` also says in other words: the other
    /// side of every line one side of which it holds (words in a row),
    /// as analysed terms separated by spaces.
    pub fn aliases_of(&self, text: &str) -> String {
        if self.lines.is_empty() {
            return String::new();
        }
        let tokens = analyse(text);
        let mut out: Vec<&str> = vec![];
        let mut done = HashSet::new();
        for (k, t) in tokens.iter().enumerate() {
            for &(i, second) in self.by_first.get(t).into_iter().flatten() {
                let (this, other) = self.side(i, second);
                if tokens.len() >= k + this.len()
                    && tokens[k..k + this.len()] == *this
                    && done.insert((i, second))
                {
                    out.extend(other.iter().map(String::as_str));
                }
            }
        }
        out.join(" ")
    }
}

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
    "comment",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "quoi",
    "pourquoi",
    "dois",
    "doit",
    "peux",
    "peut",
    "puis",
    "faut",
    "si",
    "cordialement",
];

/// Jargon members type → the words the documents use. A query word equal
/// to the abbreviation also looks for the expansion; in suggestions, a
/// query holding the whole expansion also looks for the abbreviation.
/// Kept small and explicit: each line is a term of the trade, not a guess.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("pj", "pièces justificatives"),
    ("pj", "pièce jointe"),
    ("bo", "business objects"),
    ("dsn", "déclaration sociale nominative"),
    ("sft", "supplément familial de traitement"),
    ("ia", "inscription administrative"),
    ("ip", "inscription pédagogique"),
    ("om", "ordre de mission"),
    ("aap", "appel à projets"),
    ("edt", "emploi du temps"),
    ("bdc", "bon de commande"),
    ("bc", "bon de commande"),
    ("cde", "commande"),
    ("sf", "service fait"),
    ("duerp", "document unique"),
    ("ms", "masse salariale"),
    ("ac", "agent comptable"),
    ("odf", "offre de formation"),
    ("immo", "immobilisations"),
    ("preliq", "préliquidation"),
    ("peda", "pédagogique"),
    ("pedago", "pédagogique"),
    ("cvec", "contribution de vie étudiante et de campus"),
    ("rib", "relevé d'identité bancaire"),
    ("ec", "enseignant-chercheur"),
    ("mcf", "maître de conférences"),
    ("ater", "attaché temporaire d'enseignement et de recherche"),
    ("biatss", "personnels administratifs techniques"),
    ("ine", "identifiant national étudiant"),
    ("ent", "environnement numérique de travail"),
    ("ue", "unité d'enseignement"),
    ("ects", "crédits européens"),
    ("vae", "validation des acquis de l'expérience"),
    ("vap", "validation des acquis professionnels"),
    ("dse", "dossier social étudiant"),
    (
        "crous",
        "centre régional des œuvres universitaires et scolaires",
    ),
    ("cesu", "chèque emploi service universel"),
    ("gbcp", "gestion budgétaire et comptable publique"),
    ("dgfip", "direction générale des finances publiques"),
    ("tva", "taxe sur la valeur ajoutée"),
    ("ej", "engagement juridique"),
    ("dp", "demande de paiement"),
    ("rh", "ressources humaines"),
    ("cdd", "contrat à durée déterminée"),
    ("cdi", "contrat à durée indéterminée"),
    ("rgpd", "règlement général sur la protection des données"),
    ("mdp", "mot de passe"),
    ("bu", "bibliothèque universitaire"),
    ("l1", "première année de licence"),
    ("bts", "brevet de technicien supérieur"),
    ("cpge", "classe préparatoire"),
    ("pc-scol", "pégase"),
    ("harpège", "siham"),
];

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
    /// No document matched enough of the words: these match some of them
    /// (the page says so and offers other ways on).
    pub relaxed: bool,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    title: Field,
    body: Field,
    alias: Field,
    spell: Field,
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
        alias: b.add_text_field(
            "alias",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ALIAS)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        spell: b.add_text_field(
            "spell",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(SPELL)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
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
    vocab: RwLock<Arc<Vocabulary>>,
    needs_rebuild: bool,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, f) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Other(e.to_string()))?;
        let index = match Index::open_or_create(mmap, schema.clone()) {
            Ok(index) => index,
            // An index written by an older Relais (other fields): it is
            // only a copy of the database, so it is emptied and created
            // again; the caller sees `needs_rebuild` and rebuilds it.
            Err(tantivy::TantivyError::SchemaError(_)) => {
                for entry in std::fs::read_dir(dir)? {
                    let path = entry?.path();
                    if path.is_dir() {
                        std::fs::remove_dir_all(&path)?;
                    } else {
                        std::fs::remove_file(&path)?;
                    }
                }
                let mmap = tantivy::directory::MmapDirectory::open(dir)
                    .map_err(|e| SearchError::Other(e.to_string()))?;
                let mut ix = Self::with_index(Index::create(mmap, schema, Default::default())?, f)?;
                ix.needs_rebuild = true;
                return Ok(ix);
            }
            Err(e) => return Err(e.into()),
        };
        Self::with_index(index, f)
    }

    /// Whether the index was found in an older shape and created again
    /// empty at opening: the database must be indexed again.
    pub fn needs_rebuild(&self) -> bool {
        self.needs_rebuild
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
        register_analyzers(&index);
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
        register_analyzers(&index);
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
            vocab: RwLock::new(Arc::new(Vocabulary::builtin())),
            needs_rebuild: false,
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
        doc.add_text(f.spell, &d.title);
        doc.add_text(f.spell, &d.body);
        let aliases = self
            .vocabulary()
            .aliases_of(&format!("{}\n{}", d.title, d.body));
        if !aliases.is_empty() {
            doc.add_text(f.alias, aliases);
        }
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

    /// The vocabulary used from now on, at query time at once and for the
    /// documents indexed from now on (a rebuild brings older ones in line).
    pub fn set_vocabulary(&self, v: Vocabulary) {
        if let Ok(mut g) = self.vocab.write() {
            *g = Arc::new(v);
        }
    }

    pub fn vocabulary(&self) -> Arc<Vocabulary> {
        self.vocab
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|_| Arc::new(Vocabulary::builtin()))
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

    /// The analysed words of a query, first occurrence kept, each with its
    /// document frequency (title, body and aliases).
    fn query_terms(&self, searcher: &tantivy::Searcher, text: &str) -> Vec<QueryTerm> {
        let mut seen = HashSet::new();
        let mut out = vec![];
        for word in query_words(text) {
            let terms = analyse(&word);
            let Some(term) = terms.into_iter().next() else {
                continue;
            };
            if !seen.insert(term.clone()) {
                continue;
            }
            let df = self.doc_freq(searcher, &term);
            out.push(QueryTerm {
                len: word.chars().count(),
                word: word.clone(),
                term,
                df,
            });
        }
        out
    }

    /// Every way one query word may match: the exact term in the title
    /// (boosted), the body or the aliases the vocabulary added; when the
    /// index does not know the word, one edit away (two for long words)
    /// and as the start of a longer word; and the other side of each
    /// vocabulary line it is one side of ("ia" → "inscription
    /// administrative", all words required).
    fn word_alternatives(&self, w: &QueryTerm, vocab: &Vocabulary) -> Vec<(Occur, Box<dyn Query>)> {
        let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![];
        let fields = [
            (self.f.title, TITLE_BOOST),
            (self.f.body, 1.0),
            (self.f.alias, ALIAS_BOOST),
        ];
        for (field, boost) in fields {
            alts.push((
                Occur::Should,
                boosted(
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &w.term),
                        IndexRecordOption::WithFreqs,
                    )),
                    boost,
                ),
            ));
        }
        if w.df == 0 {
            // Typo tolerance and word starts, only for words the index
            // does not know: a known word is taken as typed, and fuzzy
            // expansion over a million documents is what costs.
            let distance = fuzzy_distance(w.len);
            if let Some(raw) = folded(&w.word) {
                let t = Term::from_field_text(self.f.spell, &raw);
                if distance > 0 {
                    alts.push((
                        Occur::Should,
                        boosted(
                            Box::new(FuzzyTermQuery::new(t.clone(), distance, true)),
                            0.6,
                        ),
                    ));
                }
                if w.len >= 4 {
                    alts.push((
                        Occur::Should,
                        boosted(Box::new(FuzzyTermQuery::new_prefix(t, 0, false)), 0.4),
                    ));
                }
            }
        }
        for other in vocab.others_of_word(&w.term) {
            alts.push((Occur::Should, boosted(Box::new(self.all_terms(other)), 0.9)));
        }
        alts
    }

    /// Every term of `terms` in some field.
    fn all_terms(&self, terms: &[String]) -> BooleanQuery {
        BooleanQuery::new(
            terms
                .iter()
                .map(|t| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Must,
                        Box::new(self.either_field(t, IndexRecordOption::WithFreqs)),
                    )
                })
                .collect(),
        )
    }

    /// Adjacent words of the query as phrases (a stop word or one other
    /// word may sit between them), in the title and the body: documents
    /// that say it the same way come first.
    fn phrase_boosts(&self, text: &str, known: &HashSet<String>) -> Vec<(Occur, Box<dyn Query>)> {
        let tokens = analyse_with_positions(text);
        let mut out: Vec<(Occur, Box<dyn Query>)> = vec![];
        for pair in tokens.windows(2) {
            let ((a, pa), (b, pb)) = (&pair[0], &pair[1]);
            let gap = pb.saturating_sub(*pa);
            if a == b || gap == 0 || gap > 3 || !known.contains(a) || !known.contains(b) {
                continue;
            }
            for (field, boost) in [
                (self.f.title, 2.0 * PHRASE_BOOST),
                (self.f.body, PHRASE_BOOST),
            ] {
                let q = PhraseQuery::new_with_offset_and_slop(
                    vec![
                        (0, Term::from_field_text(field, a)),
                        (gap, Term::from_field_text(field, b)),
                    ],
                    1,
                );
                out.push((Occur::Should, boosted(Box::new(q), boost)));
            }
            if out.len() >= 2 * MAX_PHRASES {
                break;
            }
        }
        out
    }

    /// The text part of a query.
    ///
    /// Each word is a clause (see [`Self::word_alternatives`]). In
    /// [`Mode::Sentence`] (the search box) a document must match a share
    /// of the telling words ([`min_required`]); in [`Mode::Loose`] (the
    /// assistant, duplicates, triage) any word counts, and only the rarest
    /// [`MAX_LOOSE_TERMS`] known words of a paragraph are kept. Very common
    /// words count for the score, never for the share. A query holding one
    /// whole side of a vocabulary line also finds the other side. Phrases
    /// of the query boost the documents that hold them. BM25 ranks.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
        mode: Mode,
    ) -> Option<Box<dyn Query>> {
        let vocab = self.vocabulary();
        let mut words = self.query_terms(searcher, text);
        let in_query: HashSet<String> = words.iter().map(|w| w.term.clone()).collect();
        if mode == Mode::Loose {
            let (unknown, mut known): (Vec<_>, Vec<_>) = words.into_iter().partition(|w| w.df == 0);
            known.sort_by_key(|w| w.df);
            known.truncate(MAX_LOOSE_TERMS);
            words = known.into_iter().chain(unknown).collect();
        }
        let docs = searcher.num_docs();
        let common_above = (docs as f64 * COMMON_SHARE).max(50.0) as u64;
        let mut core: Vec<(Occur, Box<dyn Query>)> = vec![];
        let mut common: Vec<(Occur, Box<dyn Query>)> = vec![];
        let mut known = HashSet::new();
        for w in &words {
            let has_other_side = !vocab.others_of_word(&w.term).is_empty();
            if w.df == 0 && w.len < 4 && !has_other_side {
                // Nothing can match: it must not count against the share.
                continue;
            }
            if w.df > 0 {
                known.insert(w.term.clone());
            }
            let clause: Box<dyn Query> =
                Box::new(BooleanQuery::new(self.word_alternatives(w, &vocab)));
            if w.df > common_above {
                common.push((Occur::Should, clause));
            } else {
                core.push((Occur::Should, clause));
            }
        }
        // "inscription administrative" also finds "IA".
        let extras: Vec<(Occur, Box<dyn Query>)> = vocab
            .others_of_phrase(&in_query)
            .into_iter()
            .map(|other| -> (Occur, Box<dyn Query>) {
                (Occur::Should, boosted(Box::new(self.all_terms(other)), 0.9))
            })
            .collect();
        if core.is_empty() {
            core = std::mem::take(&mut common);
        }
        if core.is_empty() && extras.is_empty() {
            return None;
        }
        let required = match mode {
            Mode::Loose => 1,
            Mode::Sentence => min_required(core.len()),
        };
        let mut gate: Vec<(Occur, Box<dyn Query>)> = vec![];
        if !core.is_empty() {
            gate.push((
                Occur::Should,
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    core,
                    required.max(1),
                )),
            ));
        }
        gate.extend(extras);
        let mut all: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(gate)))];
        all.extend(common);
        all.extend(self.phrase_boosts(text, &known));
        Some(Box::new(BooleanQuery::new(all)))
    }

    /// Documents holding an analysed term in the title, the body or the
    /// aliases.
    fn doc_freq(&self, searcher: &tantivy::Searcher, term: &str) -> u64 {
        [self.f.title, self.f.body, self.f.alias]
            .iter()
            .map(|f| {
                searcher
                    .doc_freq(&Term::from_field_text(*f, term))
                    .unwrap_or(0)
            })
            .sum()
    }

    /// A term in the title (boosted), the body or the aliases.
    fn either_field(&self, term: &str, rec: IndexRecordOption) -> BooleanQuery {
        let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![];
        for (field, boost) in [
            (self.f.title, TITLE_BOOST),
            (self.f.body, 1.0),
            (self.f.alias, ALIAS_BOOST),
        ] {
            alts.push((
                Occur::Should,
                boosted(
                    Box::new(TermQuery::new(Term::from_field_text(field, term), rec)),
                    boost,
                ),
            ));
        }
        BooleanQuery::new(alts)
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

    /// The search box: a sentence is answered by the documents matching a
    /// share of its telling words, best first (BM25, title and phrase
    /// boosts). When none does, the documents matching any word are given
    /// instead, marked [`SearchResults::relaxed`], so that a question never
    /// ends on an empty page when something is close. No grant, no result.
    pub fn search(&self, q: &SearchQuery, grants: &[String]) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let text = self.text_query(&searcher, &q.text, Mode::Sentence);
        let has_text = text.is_some();
        let r = self.run(q, grants, text)?;
        if r.total > 0 || !has_text || q.offset > 0 {
            return Ok(r);
        }
        let loose = self.text_query(&searcher, &q.text, Mode::Loose);
        let mut r = self.run(q, grants, loose)?;
        r.relaxed = r.total > 0;
        Ok(r)
    }

    /// Searches with any word counting (suggestions from a description).
    pub fn suggest(&self, q: &SearchQuery, grants: &[String]) -> Result<SearchResults> {
        let text = self.text_query(&self.reader.searcher(), &q.text, Mode::Loose);
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
            relaxed: false,
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

    fn faq_index() -> SearchIndex {
        let ix = SearchIndex::in_memory().expect("index");
        ix.apply(
            &[
                doc(
                    "article",
                    "cvec",
                    "Attestation de contribution de vie étudiante",
                    "Avant votre inscription administrative, vous devez obtenir l'attestation \
                     d'acquittement de la contribution de vie étudiante et de campus sur \
                     messervices.etudiant.gouv.fr.",
                    &["everyone"],
                ),
                doc(
                    "article",
                    "om",
                    "Partir en mission",
                    "Un OM signé par l'ordonnateur est exigé avant tout déplacement ; les frais \
                     sont remboursés sur état.",
                    &["everyone"],
                ),
                doc(
                    "article",
                    "bourse",
                    "Bourses sur critères sociaux",
                    "La demande de bourse se fait chaque année par le dossier social étudiant \
                     avant le 15 mai.",
                    &["everyone"],
                ),
            ],
            &[],
        )
        .expect("apply");
        ix
    }

    #[test]
    fn a_sentence_with_a_word_no_document_holds_still_finds_the_article() {
        let ix = faq_index();
        let g = grants(&["everyone"]);
        // Ten words, "trottinette" in no document.
        let text = "Où obtenir l'attestation CVEC avant mon inscription avec ma trottinette";
        assert_eq!(text.split_whitespace().count(), 10);
        let r = ix.search(&q(text), &g).expect("search");
        assert_eq!(r.hits.first().map(|h| h.id.as_str()), Some("cvec"));
        assert!(!r.relaxed, "matched well, not a fallback");
        // Nothing matches enough: the closest documents, flagged.
        let r = ix
            .search(&q("bourse trottinette skateboard velomoteur"), &g)
            .expect("search");
        assert_eq!(r.hits.first().map(|h| h.id.as_str()), Some("bourse"));
        assert!(r.relaxed);
    }

    #[test]
    fn an_abbreviation_finds_its_expansion_and_the_reverse() {
        let ix = faq_index();
        let g = grants(&["everyone"]);
        let top = |text: &str| {
            ix.search(&q(text), &g)
                .expect("search")
                .hits
                .first()
                .map(|h| h.id.clone())
        };
        // Query-time: "IA" → "inscription administrative".
        assert_eq!(top("CVEC avant IA").as_deref(), Some("cvec"));
        // Index-time: the article says "contribution de vie étudiante et
        // de campus" only in words, the query says "CVEC".
        assert_eq!(top("cvec").as_deref(), Some("cvec"));
        // The article says "OM", the query the words.
        assert_eq!(top("ordre de mission signé").as_deref(), Some("om"));
        assert_eq!(top("om").as_deref(), Some("om"));
        // The vocabulary is data: a new line works at once at query time.
        ix.set_vocabulary(Vocabulary::new([("DSE", "dossier social étudiant")]));
        assert_eq!(top("DSE").as_deref(), Some("bourse"));
    }

    #[test]
    fn a_one_letter_typo_in_a_long_word_still_finds_it() {
        let ix = faq_index();
        let g = grants(&["everyone"]);
        for text in [
            "attestaton",
            "remboursés deplacemnt",
            "contributon vie etudiante",
        ] {
            let r = ix.search(&q(text), &g).expect("search");
            assert!(r.total > 0 && !r.relaxed, "{text}");
        }
        assert_eq!(fuzzy_distance(4), 0);
        assert_eq!(fuzzy_distance(5), 1);
        assert_eq!(fuzzy_distance(9), 2);
        assert_eq!(min_required(2), 2);
        assert_eq!(min_required(6), 3);
    }

    #[test]
    fn an_index_of_an_older_shape_is_created_again_for_a_rebuild() {
        let dir = tempfile::tempdir().expect("dir");
        {
            let mut b = Schema::builder();
            b.add_text_field("key", STRING | STORED);
            let mmap = tantivy::directory::MmapDirectory::open(dir.path()).expect("mmap");
            Index::create(mmap, b.build(), Default::default()).expect("old index");
        }
        let ix = SearchIndex::open(dir.path()).expect("open");
        assert!(ix.needs_rebuild() && ix.is_empty());
        drop(ix);
        let ix = SearchIndex::open(dir.path()).expect("reopen");
        assert!(!ix.needs_rebuild(), "the new shape is kept");
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
