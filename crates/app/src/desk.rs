//! Read models of the support desk pages: the choices a form offers
//! (entitled products, teams, agents), saved searches of the queues, and an
//! incident with the tickets the reader may see.

use crate::{App, Result};
use relais_domain::accounts::Actor;
use relais_domain::shared::{required_text, Violations};
use relais_domain::{DomainError, Id};
use relais_store::support as store;
use relais_store::support::{SavedSearchRow, TeamRow};

/// Products the actor may file a ticket on: a member's institution's
/// entitled products; for an agent filing on behalf of an institution,
/// that institution's, or every product when none is chosen yet.
pub async fn fileable_products(
    app: &App,
    actor: &Actor,
    on_behalf_of: Option<Id>,
) -> Result<Vec<(String, String)>> {
    let mut c = app.db.read().await?;
    let inst = if actor.role.is_agency() {
        on_behalf_of
    } else {
        actor.institution_id
    };
    match inst {
        Some(i) => Ok(store::entitled_products(&mut c, i).await?),
        None => Ok(relais_store::crm::list_products(&mut c, None)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect()),
    }
}

pub async fn teams(app: &App) -> Result<Vec<TeamRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_teams(&mut c).await?)
}

/// Agents who may be assigned (agency staff only see this list).
pub async fn agents(app: &App, actor: &Actor) -> Result<Vec<(String, String)>> {
    if !actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    Ok(store::list_agents(&mut c).await?)
}

/// The teams the actor belongs to (an agent's default queue).
pub async fn my_teams(app: &App, actor: &Actor) -> Result<Vec<String>> {
    let mut c = app.db.read().await?;
    Ok(store::teams_of_user(&mut c, actor.user_id).await?)
}

pub async fn saved_searches(app: &App, actor: &Actor) -> Result<Vec<SavedSearchRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_saved_searches(&mut c, actor.user_id).await?)
}

/// Saves the query string of a queue under a name, for its owner only.
/// Only the list's own parameters are kept, so a saved search can never
/// carry anything else into the page.
pub async fn save_search(app: &App, actor: &Actor, name: &str, query: &str) -> Result<Id> {
    let mut v = Violations::default();
    let name = required_text(&mut v, "name", name, 80);
    v.into_result()?;
    let kept: Vec<String> = url_pairs(query)
        .into_iter()
        .filter(|(k, v)| SAVED_KEYS.contains(&k.as_str()) && !v.is_empty() && k != "page")
        .map(|(k, v)| format!("{k}={}", urlencoding::encode(&v)))
        .collect();
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    store::insert_saved_search(
        &mut tx,
        id,
        actor.user_id,
        &name.unwrap_or_default(),
        &kept.join("&"),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_search(app: &App, actor: &Actor, id: Id) -> Result<()> {
    let mut tx = app.db.begin().await?;
    store::delete_saved_search(&mut tx, actor.user_id, id).await?;
    tx.commit().await?;
    Ok(())
}

/// The filters of the ticket list that a saved search may hold.
pub const SAVED_KEYS: &[&str] = &[
    "q",
    "equipe",
    "produit",
    "statut",
    "severite",
    "categorie",
    "assigne",
    "etablissement",
    "ouverts",
    "partages",
    "tri",
];

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                urlencoding::decode(&s.replace('+', " "))
                    .map(|c| c.into_owned())
                    .ok()
            };
            Some((dec(k)?, dec(v)?))
        })
        .collect()
}

/// How many institutions an incident touches (reporters and "nous
/// aussi"), for the agency.
pub async fn affected_institutions(app: &App, actor: &Actor, incident: Id) -> Result<usize> {
    if !actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    Ok(store::incident_institutions(&mut c, incident).await?.len())
}
