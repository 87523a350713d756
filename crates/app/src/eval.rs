//! Measuring the digital agents: the labelled evaluation set of the
//! assistant (`eval/assistant.tsv`), ranking metrics (hit@k, MRR,
//! nDCG@10), and the held-out accuracy of triage. `relais eval` runs them
//! on the demo; the measures live here so tests can check the set and the
//! maths without the command line.

use crate::triage::{suggest_triage_with, TriageRequest};
use crate::{App, Result};
use relais_domain::accounts::Actor;
use relais_search::SearchQuery;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The evaluation set kept in the repository.
pub const ASSISTANT_SET: &str = include_str!("../../../eval/assistant.tsv");

/// One labelled query: what a member types and the articles (by title)
/// that answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalQuery {
    pub line: usize,
    pub product: String,
    pub text: String,
    pub expected: Vec<String>,
}

/// Parses the tab-separated set: `produit`, `requete`, `articles` (titles
/// separated by ` | `); `#` lines are comments, the first other line is the
/// header.
pub fn parse_set(src: &str) -> std::result::Result<Vec<EvalQuery>, String> {
    let mut out = vec![];
    let mut header = false;
    for (i, raw) in src.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 3 {
            return Err(format!(
                "ligne {} : 3 colonnes séparées par des tabulations attendues, {} trouvées",
                i + 1,
                cols.len()
            ));
        }
        if !header {
            if cols != ["produit", "requete", "articles"] {
                return Err(format!("ligne {} : en-tête inattendu", i + 1));
            }
            header = true;
            continue;
        }
        let expected: Vec<String> = cols[2]
            .split(" | ")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if cols[0].trim().is_empty() || cols[1].trim().is_empty() || expected.is_empty() {
            return Err(format!("ligne {} : colonne vide", i + 1));
        }
        out.push(EvalQuery {
            line: i + 1,
            product: cols[0].trim().to_string(),
            text: cols[1].trim().to_string(),
            expected,
        });
    }
    Ok(out)
}

/// The rank (1-based) of the first relevant result, and nDCG@10 with
/// binary relevance.
pub fn score_ranking(ranked: &[String], relevant: &HashSet<String>) -> (Option<usize>, f64) {
    let first = ranked
        .iter()
        .position(|r| relevant.contains(r))
        .map(|p| p + 1);
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .filter(|(_, r)| relevant.contains(*r))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(10))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    (first, if ideal > 0.0 { dcg / ideal } else { 0.0 })
}

/// Ranking metrics summed over queries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankMetrics {
    pub queries: usize,
    pub hit1: usize,
    pub hit3: usize,
    pub rr_sum: f64,
    pub ndcg_sum: f64,
}

impl RankMetrics {
    pub fn add(&mut self, first: Option<usize>, ndcg: f64) {
        self.queries += 1;
        if first == Some(1) {
            self.hit1 += 1;
        }
        if first.is_some_and(|r| r <= 3) {
            self.hit3 += 1;
        }
        if let Some(r) = first {
            self.rr_sum += 1.0 / r as f64;
        }
        self.ndcg_sum += ndcg;
    }
    fn avg(&self, x: f64) -> f64 {
        if self.queries == 0 {
            0.0
        } else {
            x / self.queries as f64
        }
    }
    pub fn hit_at_1(&self) -> f64 {
        self.avg(self.hit1 as f64)
    }
    pub fn hit_at_3(&self) -> f64 {
        self.avg(self.hit3 as f64)
    }
    pub fn mrr(&self) -> f64 {
        self.avg(self.rr_sum)
    }
    pub fn ndcg_at_10(&self) -> f64 {
        self.avg(self.ndcg_sum)
    }
}

/// A query whose answer was not in the first three suggestions.
#[derive(Debug, Clone)]
pub struct Miss {
    pub query: EvalQuery,
    pub rank: Option<usize>,
    pub top3: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AssistantReport {
    pub overall: RankMetrics,
    pub per_product: BTreeMap<String, RankMetrics>,
    pub misses: Vec<Miss>,
    /// Labels naming no article of the database.
    pub unknown_labels: Vec<(usize, String)>,
}

/// Runs each query through the assistant's engine
/// ([`crate::search::suggest`], articles only) as `actor` and scores the
/// ranking against the labels.
pub async fn assistant(app: &App, actor: &Actor, set: &[EvalQuery]) -> Result<AssistantReport> {
    let articles = {
        let mut c = app.db.read().await?;
        relais_store::search_feed::articles(&mut c).await?
    };
    let id_of: HashMap<&str, &str> = articles
        .iter()
        .map(|a| (a.title.as_str(), a.id.as_str()))
        .collect();
    let title_of: HashMap<&str, &str> = articles
        .iter()
        .map(|a| (a.id.as_str(), a.title.as_str()))
        .collect();
    let mut r = AssistantReport::default();
    for q in set {
        let mut relevant = HashSet::new();
        for t in &q.expected {
            match id_of.get(t.as_str()) {
                Some(id) => {
                    relevant.insert(id.to_string());
                }
                None => r.unknown_labels.push((q.line, t.clone())),
            }
        }
        let hits = crate::search::suggest(
            app,
            actor,
            &SearchQuery {
                text: q.text.clone(),
                kinds: vec!["article".into()],
                limit: 10,
                ..Default::default()
            },
        )
        .await?
        .hits;
        let ranked: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
        let (first, ndcg) = score_ranking(&ranked, &relevant);
        r.overall.add(first, ndcg);
        r.per_product
            .entry(q.product.clone())
            .or_default()
            .add(first, ndcg);
        if first.is_none_or(|f| f > 3) {
            r.misses.push(Miss {
                query: q.clone(),
                rank: first,
                top3: ranked
                    .iter()
                    .take(3)
                    .map(|id| title_of.get(id.as_str()).unwrap_or(&"?").to_string())
                    .collect(),
            });
        }
    }
    Ok(r)
}

/// Accuracy of one triage field on the held-out tickets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldAccuracy {
    /// Held-out tickets whose true value is known (not empty).
    pub labelled: usize,
    pub correct: usize,
    /// Predictions with a confidence above 0.5, and how many were right.
    pub confident: usize,
    pub confident_correct: usize,
}

impl FieldAccuracy {
    fn add(&mut self, truth: Option<&str>, guess: &crate::triage::Guess) {
        let Some(truth) = truth else { return };
        self.labelled += 1;
        let ok = guess.value.as_deref() == Some(truth);
        if ok {
            self.correct += 1;
        }
        if guess.confidence > 0.5 {
            self.confident += 1;
            if ok {
                self.confident_correct += 1;
            }
        }
    }
    pub fn accuracy(&self) -> Option<f64> {
        (self.labelled > 0).then(|| self.correct as f64 / self.labelled as f64)
    }
    pub fn confident_share(&self) -> Option<f64> {
        (self.labelled > 0).then(|| self.confident as f64 / self.labelled as f64)
    }
    pub fn confident_accuracy(&self) -> Option<f64> {
        (self.confident > 0).then(|| self.confident_correct as f64 / self.confident as f64)
    }
    /// The accuracy of always answering the most frequent value of the
    /// held-out set (what a classifier must beat).
    fn baseline(values: &[Option<&str>]) -> Option<f64> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        let mut n = 0;
        for v in values.iter().flatten() {
            *counts.entry(v).or_default() += 1;
            n += 1;
        }
        let best = counts.values().max()?;
        Some(*best as f64 / n as f64)
    }
}

#[derive(Debug, Clone, Default)]
pub struct TriageReport {
    pub cut: String,
    pub history: usize,
    pub held_out: usize,
    /// Field name → accuracy, in a fixed order.
    pub fields: Vec<(&'static str, FieldAccuracy, Option<f64>)>,
}

/// Predicts each ticket created in the last `held_out` share of the
/// history from the tickets created before the cut only (retrieval is
/// limited to older tickets), as `actor`, and compares with what agents
/// actually recorded.
pub async fn triage(app: &App, actor: &Actor, held_out: f64) -> Result<TriageReport> {
    let mut c = app.db.read().await?;
    let Some((first, last)) = relais_store::triage::ticket_time_span(&mut c).await? else {
        return Ok(TriageReport::default());
    };
    let (Some(a), Some(b)) = (
        relais_store::parse_ts(&first),
        relais_store::parse_ts(&last),
    ) else {
        return Ok(TriageReport::default());
    };
    let span = (b - a).num_seconds() as f64;
    let cut = a + chrono::Duration::seconds((span * (1.0 - held_out)) as i64);
    let cut_s = relais_store::ts(cut);
    let history = relais_store::triage::tickets_created_between(&mut c, &first, &cut_s)
        .await?
        .len();
    let test =
        relais_store::triage::tickets_created_between(&mut c, &cut_s, "9999-12-31T00:00:00.000Z")
            .await?;
    drop(c);
    let names = ["product", "category", "severity", "team", "module"];
    let mut acc: Vec<FieldAccuracy> = vec![FieldAccuracy::default(); names.len()];
    for t in &test {
        let text = format!("{}\n\n{}", t.subject, t.request.as_deref().unwrap_or(""));
        let s = suggest_triage_with(
            app,
            actor,
            &TriageRequest {
                text,
                product: None,
                institution: relais_domain::Id::parse(&t.institution_id),
                created_before: Some(cut.timestamp()),
                k: None,
            },
        )
        .await?;
        acc[0].add(Some(&t.product_id), &s.product);
        acc[1].add(Some(&t.category), &s.category);
        acc[2].add(Some(&t.severity), &s.severity);
        acc[3].add(t.team_id.as_deref(), &s.team);
        acc[4].add(t.module.as_deref(), &s.module);
    }
    let column = |i: usize| -> Vec<Option<&str>> {
        test.iter()
            .map(|t| match i {
                0 => Some(t.product_id.as_str()),
                1 => Some(t.category.as_str()),
                2 => Some(t.severity.as_str()),
                3 => t.team_id.as_deref(),
                _ => t.module.as_deref(),
            })
            .collect()
    };
    let fields = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, acc[i].clone(), FieldAccuracy::baseline(&column(i))))
        .collect();
    Ok(TriageReport {
        cut: cut_s,
        history,
        held_out: test.len(),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn v(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ranking_metrics() {
        let (first, ndcg) = score_ranking(&v(&["a", "b"]), &set(&["a"]));
        assert_eq!(first, Some(1));
        assert!((ndcg - 1.0).abs() < 1e-9);
        let (first, ndcg) = score_ranking(&v(&["x", "y", "a"]), &set(&["a"]));
        assert_eq!(first, Some(3));
        assert!((ndcg - 0.5).abs() < 1e-9, "1/log2(4) = 0.5, got {ndcg}");
        let (first, ndcg) = score_ranking(&v(&["x"]), &set(&["a"]));
        assert_eq!((first, ndcg), (None, 0.0));
        let mut m = RankMetrics::default();
        m.add(Some(1), 1.0);
        m.add(Some(3), 0.5);
        m.add(None, 0.0);
        m.add(Some(4), 0.43);
        assert_eq!((m.hit1, m.hit3), (1, 2));
        assert!((m.hit_at_3() - 0.5).abs() < 1e-9);
        assert!((m.mrr() - (1.0 + 1.0 / 3.0 + 0.25) / 4.0).abs() < 1e-9);
    }

    #[test]
    fn the_set_format_is_checked() {
        let ok = "# c\nproduit\trequete\tarticles\nsiham\tpaie\tA | B\n";
        let q = parse_set(ok).expect("parses");
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].expected, vec!["A", "B"]);
        assert_eq!(q[0].line, 3);
        assert!(parse_set("produit\trequete\tarticles\nsiham paie A\n").is_err());
        assert!(parse_set("p\tq\ta\nsiham\tpaie\tA\n").is_err());
        assert!(parse_set("produit\trequete\tarticles\nsiham\t\tA\n").is_err());
    }
}

// ------------------------------------------------------------ FAQ set

/// One question/answer pair of a public FAQ (`eval/faq/faq.jsonl`): the
/// question as written, a plain variant and a noisy one (no accents, a
/// typo, an abbreviation).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct FaqPair {
    pub id: String,
    pub question: String,
    pub answer: String,
    pub q_plain: String,
    pub q_noisy: String,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// Reads one JSON object per line (blank lines skipped); errors name the
/// line.
pub fn parse_faq(src: &str) -> std::result::Result<Vec<FaqPair>, String> {
    let mut out = vec![];
    let mut ids = HashSet::new();
    for (i, line) in src.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: FaqPair =
            serde_json::from_str(line).map_err(|e| format!("ligne {} : {e}", i + 1))?;
        for (name, v) in [
            ("id", &p.id),
            ("question", &p.question),
            ("answer", &p.answer),
            ("q_plain", &p.q_plain),
            ("q_noisy", &p.q_noisy),
        ] {
            if v.trim().is_empty() {
                return Err(format!("ligne {} : champ « {name} » vide", i + 1));
            }
        }
        if !ids.insert(p.id.clone()) {
            return Err(format!(
                "ligne {} : identifiant « {} » en double",
                i + 1,
                p.id
            ));
        }
        out.push(p);
    }
    Ok(out)
}

/// The half a pair belongs to, fixed once by its id (FNV-1a, even: tuning
/// half, odd: test half), so the split never moves when pairs are added.
pub fn faq_half(id: &str) -> FaqHalf {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    if h.is_multiple_of(2) {
        FaqHalf::Tune
    } else {
        FaqHalf::Test
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaqHalf {
    Tune,
    Test,
}

/// The title of the article a pair becomes: the first words of its
/// answer (the question is *not* the title, or asking it would be too
/// easy).
pub fn faq_title(p: &FaqPair) -> String {
    let words: Vec<&str> = p.answer.split_whitespace().take(9).collect();
    let mut t = words.join(" ");
    if p.answer.split_whitespace().count() > 9 {
        t.push('…');
    }
    t
}

/// hit@1, hit@3, hit@5, MRR@10 and the share of empty answers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaqMetrics {
    pub queries: usize,
    pub hit1: usize,
    pub hit3: usize,
    pub hit5: usize,
    pub rr10: f64,
    pub empty: usize,
}

impl FaqMetrics {
    /// Adds one query: the ranked ids answered and the expected one.
    pub fn add(&mut self, ranked: &[String], expected: &str) {
        self.queries += 1;
        if ranked.is_empty() {
            self.empty += 1;
        }
        if let Some(p) = ranked.iter().take(10).position(|r| r == expected) {
            let rank = p + 1;
            self.hit1 += usize::from(rank == 1);
            self.hit3 += usize::from(rank <= 3);
            self.hit5 += usize::from(rank <= 5);
            self.rr10 += 1.0 / rank as f64;
        }
    }
    pub fn merge(&mut self, o: &FaqMetrics) {
        self.queries += o.queries;
        self.hit1 += o.hit1;
        self.hit3 += o.hit3;
        self.hit5 += o.hit5;
        self.rr10 += o.rr10;
        self.empty += o.empty;
    }
    fn share(&self, n: f64) -> f64 {
        if self.queries == 0 {
            0.0
        } else {
            n / self.queries as f64
        }
    }
    pub fn hit_at_1(&self) -> f64 {
        self.share(self.hit1 as f64)
    }
    pub fn hit_at_3(&self) -> f64 {
        self.share(self.hit3 as f64)
    }
    pub fn hit_at_5(&self) -> f64 {
        self.share(self.hit5 as f64)
    }
    pub fn mrr_at_10(&self) -> f64 {
        self.share(self.rr10)
    }
    pub fn empty_share(&self) -> f64 {
        self.share(self.empty as f64)
    }
}

/// The three ways a question is asked.
pub const FAQ_VARIANTS: [&str; 3] = ["question", "q_plain", "q_noisy"];

impl FaqPair {
    pub fn variant(&self, name: &str) -> &str {
        match name {
            "q_plain" => &self.q_plain,
            "q_noisy" => &self.q_noisy,
            _ => &self.question,
        }
    }
}

#[cfg(test)]
mod faq_tests {
    use super::*;

    #[test]
    fn faq_lines_parse_split_and_score() {
        let src = r#"{"id":"a","question":"Q ?","answer":"R un deux","q_plain":"q","q_noisy":"q"}

{"id":"b","question":"Q2","answer":"R","q_plain":"q","q_noisy":"q","topic":"cvec","source":"https://x"}"#;
        let set = parse_faq(src).expect("parse");
        assert_eq!(set.len(), 2);
        assert_eq!(set[1].topic.as_deref(), Some("cvec"));
        assert!(
            parse_faq(r#"{"id":"a","question":"","answer":"R","q_plain":"q","q_noisy":"q"}"#)
                .unwrap_err()
                .contains("question")
        );
        assert!(parse_faq(&format!(
            "{}\n{}",
            src.lines().next().unwrap(),
            src.lines().next().unwrap()
        ))
        .unwrap_err()
        .contains("double"));
        // The split is fixed by the id and cuts a large set near half.
        let tune = (0..1000)
            .filter(|i| faq_half(&format!("faq-{i}")) == FaqHalf::Tune)
            .count();
        assert!((400..600).contains(&tune), "{tune}");
        assert_eq!(faq_half("x"), faq_half("x"));
        let mut m = FaqMetrics::default();
        m.add(&["x".into(), "a".into()], "a");
        m.add(&[], "a");
        assert_eq!((m.hit1, m.hit3, m.empty), (0, 1, 1));
        assert!((m.mrr_at_10() - 0.25).abs() < 1e-9);
    }
}
