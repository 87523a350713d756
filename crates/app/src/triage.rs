//! Triage: on a new ticket, suggest product, module, category, severity
//! and the team to route to, and say why.
//!
//! - Routing rules come first. Admins edit them as data (position, and any
//!   of product, keyword, institution → team); the first rule by position
//!   whose conditions all hold names the team, with confidence 1 and the
//!   rule as the reason.
//! - Otherwise the history teaches: the k past tickets most similar to the
//!   text (the search index, `suggest` mode, tickets only) vote on each
//!   field, weighted by their retrieval score; the confidence of a field is
//!   the winning weight over the weight of the tickets that had a value.
//!   Retrieval over neighbours rather than a trained classifier: nothing to
//!   retrain (the index is kept current by its jobs), and every suggestion
//!   comes with the tickets it leaned on, which an agent can open.
//! - A human choice is never overridden: a product given by the person is
//!   kept (source `Human`) and narrows the neighbours to that product.
//!
//! A member only ever leans on tickets they may read (their own grants);
//! agency staff lean on the whole history.

use crate::search::ALL_TICKETS;
use crate::support::ticket_scope;
use crate::{App, AppError, Result};
use relais_domain::accounts::{Actor, Role};
use relais_domain::{fold, DomainError, Id};
use relais_search::SearchQuery;
use relais_store::triage as store;
use relais_store::triage::{NewRoutingRule, RoutingRuleRow};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// How many past tickets vote.
pub const NEIGHBOURS: usize = 15;

fn require_admin(actor: &Actor) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

// ---------------------------------------------------------------- rules

/// A rule as typed in the admin form (ids as text, blanks for "any").
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    pub position: String,
    pub product_id: String,
    pub keyword: String,
    pub institution_id: String,
    pub team_id: String,
}

fn opt_id(v: &mut relais_domain::shared::Violations, field: &'static str, raw: &str) -> Option<Id> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let id = Id::parse(raw);
    if id.is_none() {
        v.push("invalid_id", field, "Identifiant invalide.");
    }
    id
}

fn validate_rule(i: &RuleInput) -> Result<(Option<i64>, NewRoutingRule)> {
    let mut v = relais_domain::shared::Violations::default();
    let position = match i.position.trim() {
        "" => None,
        p => match p.parse::<i64>() {
            Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
            _ => {
                v.push(
                    "invalid_position",
                    "position",
                    "La position est un nombre entier entre 0 et 1 000 000.",
                );
                None
            }
        },
    };
    let product_id = opt_id(&mut v, "product_id", &i.product_id);
    let institution_id = opt_id(&mut v, "institution_id", &i.institution_id);
    let keyword = Some(i.keyword.trim().to_string()).filter(|k| !k.is_empty());
    if let Some(k) = &keyword {
        if k.chars().count() > 100 || words(k).is_empty() {
            v.push(
                "invalid_keyword",
                "keyword",
                "Le mot-clé contient au moins une lettre ou un chiffre et 100 caractères au plus.",
            );
        }
    }
    let team_id = if i.team_id.trim().is_empty() {
        v.push(
            "team_required",
            "team_id",
            "Choisissez l'équipe destinataire.",
        );
        None
    } else {
        opt_id(&mut v, "team_id", &i.team_id)
    };
    if product_id.is_none()
        && institution_id.is_none()
        && keyword.is_none()
        && i.product_id.trim().is_empty()
        && i.institution_id.trim().is_empty()
    {
        v.push(
            "rule_without_condition",
            "product_id",
            "Une règle porte sur au moins un produit, un mot-clé ou un établissement.",
        );
    }
    v.into_result()?;
    let team_id = team_id.ok_or_else(|| AppError::Internal("team checked above".into()))?;
    Ok((
        position,
        NewRoutingRule {
            position: position.unwrap_or_default(),
            product_id,
            keyword,
            institution_id,
            team_id,
        },
    ))
}

/// The rules in the order they are tried (admins).
pub async fn list_rules(app: &App, actor: &Actor) -> Result<Vec<RoutingRuleRow>> {
    require_admin(actor)?;
    let mut c = app.db.read().await?;
    Ok(store::list_rules(&mut c).await?)
}

pub async fn get_rule(app: &App, actor: &Actor, id: Id) -> Result<RoutingRuleRow> {
    require_admin(actor)?;
    let mut c = app.db.read().await?;
    Ok(store::get_rule(&mut c, id).await?)
}

/// Adds a rule (admins); without a position it goes last.
pub async fn create_rule(app: &App, actor: &Actor, input: RuleInput) -> Result<Id> {
    require_admin(actor)?;
    let (position, mut rule) = validate_rule(&input)?;
    let id = Id::new();
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    rule.position = match position {
        Some(p) => p,
        None => store::next_position(&mut tx).await?,
    };
    store::insert_rule(&mut tx, id, &rule, &now)
        .await
        .map_err(|e| match e {
            relais_store::StoreError::Conflict(_) => AppError::Domain(DomainError::invalid(
                "unknown_reference",
                "team_id",
                "Équipe, produit ou établissement inconnu.",
            )),
            e => e.into(),
        })?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "routing_rule",
        id,
        "create",
        &json!({
            "position": [null, rule.position],
            "product_id": [null, rule.product_id.map(|p| p.to_string())],
            "keyword": [null, rule.keyword],
            "institution_id": [null, rule.institution_id.map(|p| p.to_string())],
            "team_id": [null, rule.team_id.to_string()],
        }),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a rule (admins); the audit keeps what it said.
pub async fn delete_rule(app: &App, actor: &Actor, id: Id) -> Result<()> {
    require_admin(actor)?;
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let before = store::get_rule(&mut tx, id).await?;
    store::delete_rule(&mut tx, id).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "routing_rule",
        id,
        "delete",
        &json!({
            "position": [before.position, null],
            "product_id": [before.product_id, null],
            "keyword": [before.keyword, null],
            "institution_id": [before.institution_id, null],
            "team_id": [before.team_id, null],
        }),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Folded words of a text ("La DSN bloquée" → ["la", "dsn", "bloquee"]).
fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether the keyword's words appear, in order and whole, in the text
/// (accents and case folded: "dsn" matches "DSN", not "DSNX").
pub fn keyword_matches(keyword: &str, text: &str) -> bool {
    let k = words(keyword);
    let t = words(text);
    !k.is_empty() && t.windows(k.len()).any(|w| w == k.as_slice())
}

/// Whether every condition of a rule holds for a ticket.
pub fn rule_matches(
    rule: &RoutingRuleRow,
    institution: Option<Id>,
    product: Option<Id>,
    text: &str,
) -> bool {
    let same = |cond: &Option<String>, v: Option<Id>| match cond {
        None => true,
        Some(c) => v.map(|v| v.to_string() == *c).unwrap_or(false),
    };
    same(&rule.product_id, product)
        && same(&rule.institution_id, institution)
        && rule
            .keyword
            .as_deref()
            .map(|k| keyword_matches(k, text))
            .unwrap_or(true)
}

/// The team named by the first matching routing rule, with that rule.
pub async fn route(
    app: &App,
    institution: Option<Id>,
    product: Option<Id>,
    text: &str,
) -> Result<Option<(Id, RoutingRuleRow)>> {
    let rules = {
        let mut c = app.db.read().await?;
        store::list_rules(&mut c).await?
    };
    for r in rules {
        if rule_matches(&r, institution, product, text) {
            let team = Id::parse(&r.team_id)
                .ok_or_else(|| AppError::Internal("bad team id in a rule".into()))?;
            return Ok(Some((team, r)));
        }
    }
    Ok(None)
}

/// A French description of a rule ("n° 10 : produit Siham, mot-clé « DSN »").
pub fn describe_rule(r: &RoutingRuleRow) -> String {
    let mut conds = vec![];
    if let Some(p) = &r.product_name {
        conds.push(format!("produit {p}"));
    }
    if let Some(k) = &r.keyword {
        conds.push(format!("mot-clé « {k} »"));
    }
    if let Some(i) = &r.institution_name {
        conds.push(format!("établissement {i}"));
    }
    format!(
        "règle de routage n° {} ({}) → {}",
        r.position,
        conds.join(", "),
        r.team_name
    )
}

// ---------------------------------------------------------------- suggestion

/// Where a suggested value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Chosen by the person: kept as is.
    Human,
    /// A routing rule.
    Rule,
    /// The vote of similar past tickets.
    History,
    /// Nothing to go on.
    Unknown,
}

/// One suggested field.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Guess {
    /// A code (category, severity) or an id (product, team), or the module
    /// name.
    pub value: Option<String>,
    /// 0..1: the winning weight over the weight of the votes.
    pub confidence: f64,
    pub source: Source,
    /// Why, in French ("règle de routage n° 10 …", "8 tickets similaires").
    pub reason: String,
}

impl Guess {
    fn unknown() -> Guess {
        Guess {
            value: None,
            confidence: 0.0,
            source: Source::Unknown,
            reason: "aucun ticket similaire".into(),
        }
    }
}

/// A past ticket the suggestion leaned on.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SimilarTicket {
    pub id: String,
    pub reference: String,
    pub subject: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TriageSuggestion {
    pub product: Guess,
    pub module: Guess,
    pub category: Guess,
    pub severity: Guess,
    pub team: Guess,
    /// The routing rule that named the team, when one did.
    pub rule_id: Option<String>,
    pub similar: Vec<SimilarTicket>,
}

/// What to triage.
#[derive(Debug, Clone, Default)]
pub struct TriageRequest {
    /// Subject and description as written.
    pub text: String,
    /// The product the person chose, if any: kept, never overridden.
    pub product: Option<Id>,
    /// The ticket's institution (routing rules may depend on it).
    pub institution: Option<Id>,
    /// Lean only on tickets created strictly before this instant (seconds
    /// since the epoch): the held-out evaluation of `relais eval`.
    pub created_before: Option<i64>,
    /// Neighbours that vote (default [`NEIGHBOURS`]).
    pub k: Option<usize>,
}

/// The score-weighted vote: the winner, its share of the weight, and how
/// many voters had a value.
fn vote<'a>(votes: impl Iterator<Item = (Option<&'a str>, f64)>) -> Option<(String, f64, usize)> {
    let mut weights: HashMap<&str, f64> = HashMap::new();
    let mut total = 0.0;
    let mut n = 0;
    for (v, w) in votes {
        if let Some(v) = v {
            *weights.entry(v).or_default() += w;
            total += w;
            n += 1;
        }
    }
    // Ties go to the smaller value, so the result does not depend on the
    // hash order.
    let (best, w) = weights.into_iter().max_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| b.0.cmp(a.0))
    })?;
    if total <= 0.0 {
        return None;
    }
    Some((best.to_string(), w / total, n))
}

fn history_guess(v: Option<(String, f64, usize)>) -> Guess {
    match v {
        Some((value, confidence, n)) => Guess {
            value: Some(value),
            confidence,
            source: Source::History,
            reason: format!(
                "vote de {n} ticket{} similaire{}",
                if n > 1 { "s" } else { "" },
                if n > 1 { "s" } else { "" }
            ),
        },
        None => Guess::unknown(),
    }
}

/// Suggests the triage of a new ticket from its text; `product_hint` is the
/// product the person already chose, if any. The institution is the
/// actor's own (members); agents triaging for an institution use
/// [`suggest_triage_with`].
pub async fn suggest_triage(
    app: &App,
    actor: &Actor,
    text: &str,
    product_hint: Option<Id>,
) -> Result<TriageSuggestion> {
    suggest_triage_with(
        app,
        actor,
        &TriageRequest {
            text: text.to_string(),
            product: product_hint,
            institution: actor.institution_id,
            ..Default::default()
        },
    )
    .await
}

pub async fn suggest_triage_with(
    app: &App,
    actor: &Actor,
    req: &TriageRequest,
) -> Result<TriageSuggestion> {
    if req.text.trim().is_empty() {
        return Err(DomainError::invalid(
            "text_required",
            "text",
            "Décrivez le problème pour obtenir une suggestion.",
        )
        .into());
    }
    // A member leans only on what they may read; agency staff on the whole
    // history.
    let grants = if actor.role.is_agency() {
        vec![ALL_TICKETS.to_string()]
    } else {
        crate::search::grants(app, actor).await?
    };
    let ix = app
        .search
        .as_ref()
        .map(|h| h.0.clone())
        .ok_or_else(|| AppError::Internal("triage: no index open".into()))?;
    let q = SearchQuery {
        text: req.text.clone(),
        kinds: vec!["ticket".into()],
        product_id: req.product.map(|p| p.to_string()),
        created_before: req.created_before,
        limit: req.k.unwrap_or(NEIGHBOURS),
        ..Default::default()
    };
    let hits = ix
        .suggest(&q, &grants)
        .map_err(|e| AppError::Internal(format!("triage: {e}")))?
        .hits;
    let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
    let rows = {
        let mut c = app.db.read().await?;
        store::ticket_fields(&mut c, ticket_scope(actor), &ids).await?
    };
    let by_id: HashMap<&str, &store::TriageFieldsRow> =
        rows.iter().map(|r| (r.id.as_str(), r)).collect();
    // Neighbours in retrieval order, with their score as weight (a row the
    // reader may not read is dropped, even if the index let it through).
    let neighbours: Vec<(&store::TriageFieldsRow, f64)> = hits
        .iter()
        .filter_map(|h| by_id.get(h.id.as_str()).map(|r| (*r, h.score as f64)))
        .collect();
    let field = |f: fn(&store::TriageFieldsRow) -> Option<&str>| {
        history_guess(vote(neighbours.iter().map(|(r, w)| (f(r), *w))))
    };
    let product = match req.product {
        Some(p) => Guess {
            value: Some(p.to_string()),
            confidence: 1.0,
            source: Source::Human,
            reason: "choisi par la personne".into(),
        },
        None => field(|r| Some(r.product_id.as_str())),
    };
    let module = field(|r| r.module.as_deref());
    let category = field(|r| Some(r.category.as_str()));
    let severity = field(|r| Some(r.severity.as_str()));
    let product_id = product.value.as_deref().and_then(Id::parse);
    let (team, rule_id) = match route(app, req.institution, product_id, &req.text).await? {
        Some((team, rule)) => (
            Guess {
                value: Some(team.to_string()),
                confidence: 1.0,
                source: Source::Rule,
                reason: describe_rule(&rule),
            },
            Some(rule.id),
        ),
        None => (field(|r| r.team_id.as_deref()), None),
    };
    let similar = neighbours
        .iter()
        .map(|(r, w)| SimilarTicket {
            id: r.id.clone(),
            reference: r.reference.clone(),
            subject: r.subject.clone(),
            score: *w as f32,
        })
        .collect();
    Ok(TriageSuggestion {
        product,
        module,
        category,
        severity,
        team,
        rule_id,
        similar,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_folded_words() {
        assert!(keyword_matches("DSN", "Notre dsn mensuelle est refusée"));
        assert!(keyword_matches("dsn", "La DSN, bloquée."));
        assert!(!keyword_matches("DSN", "DSNX est un autre outil"));
        assert!(keyword_matches(
            "pièce justificative",
            "la Piece justificative manque"
        ));
        assert!(!keyword_matches(
            "pièce justificative",
            "justificative pièce"
        ));
        assert!(!keyword_matches("  ", "n'importe quoi"));
    }

    #[test]
    fn the_vote_is_weighted_by_score() {
        let v = vote(
            [
                (Some("mineur"), 1.0),
                (Some("mineur"), 1.0),
                (Some("bloquant"), 3.0),
                (None, 10.0),
            ]
            .into_iter(),
        );
        let (value, conf, n) = v.expect("a winner");
        assert_eq!(value, "bloquant");
        assert!((conf - 0.6).abs() < 1e-9, "{conf}");
        assert_eq!(n, 3, "voters without a value do not count");
        assert!(vote([(None, 1.0)].into_iter()).is_none());
    }
}
