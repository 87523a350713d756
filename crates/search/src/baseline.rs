//! A plain BM25 index to measure against: tantivy's default tokenizer
//! (split on non-alphanumeric characters, lower case) with its stock
//! French stemmer, no accent folding, no stop words, no vocabulary, no
//! typo tolerance; a query is any of its words (tantivy's query parser,
//! OR). `relais eval --faq` prints it beside Relais's own ranking.

use crate::{Result, SearchError};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING};
use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{doc, Index, IndexReader, TantivyDocument};

const STEMMED: &str = "default_fr_stem";

pub struct BaselineIndex {
    index: Index,
    reader: IndexReader,
    title: tantivy::schema::Field,
    body: tantivy::schema::Field,
    id: tantivy::schema::Field,
}

impl BaselineIndex {
    /// Indexes `(id, title, body)` documents in memory.
    pub fn new<'a>(docs: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Result<Self> {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(STEMMED)
                .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
        );
        let id = b.add_text_field("id", STRING | STORED);
        let title = b.add_text_field("title", text.clone());
        let body = b.add_text_field("body", text);
        let index = Index::create_in_ram(b.build());
        index.tokenizers().register(
            STEMMED,
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(Stemmer::new(Language::French))
                .build(),
        );
        let mut w = index.writer_with_num_threads(1, 30_000_000)?;
        for (i, t, bd) in docs {
            w.add_document(doc!(id => i, title => t, body => bd))?;
        }
        w.commit()?;
        let reader = index.reader()?;
        Ok(BaselineIndex {
            index,
            reader,
            title,
            body,
            id,
        })
    }

    /// The ids of the best `limit` documents for `text`.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<String>> {
        let parser = QueryParser::for_index(&self.index, vec![self.title, self.body]);
        // Words only: the parser's syntax (quotes, colons, +/-) is not what
        // people type.
        let words: String = text
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let (q, _) = parser.parse_query_lenient(&words);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&q, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .map_err(SearchError::from)?;
        let mut out = vec![];
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            if let Some(v) = d.get_first(self.id).and_then(|v| v.as_str()) {
                out.push(v.to_string());
            }
        }
        Ok(out)
    }
}
