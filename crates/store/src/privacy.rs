//! Data protection: everything held about one person (as JSON sections),
//! pseudonymisation of a person's identifiers in every column that may
//! carry them, and the retention rules' candidates.
//!
//! Export queries select text only (numbers cast), so each section is a
//! list of JSON objects whatever the engine. Every section is narrowed by
//! the person's own ids: `user` and `contact` (either may be absent and is
//! then bound to an impossible value).

use crate::{Conn, Result, StoreError};
use serde_json::{Map, Value};
use sqlx::{Column, Row};

fn e(x: sqlx::Error) -> StoreError {
    StoreError::from_sqlx(x)
}

/// Runs a query binding `$1 = user`, `$2 = contact` and returns its rows as
/// JSON objects (every column read as text).
async fn rows(c: &mut Conn, sql: &str, user: &str, contact: &str) -> Result<Vec<Value>> {
    // PostgreSQL wants every placeholder up to the highest used: a query
    // on the contact alone is renumbered to `$1`.
    let (sql, binds) = match (sql.contains("$1"), sql.contains("$2")) {
        (true, true) => (sql.to_string(), vec![user, contact]),
        (false, true) => (sql.replace("$2", "$1"), vec![contact]),
        _ => (sql.to_string(), vec![user]),
    };
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    let rows = q.fetch_all(&mut *c).await.map_err(e)?;
    Ok(rows
        .iter()
        .map(|r| {
            let mut m = Map::new();
            for (i, col) in r.columns().iter().enumerate() {
                let v: Option<String> = r.try_get(i).ok().flatten();
                m.insert(
                    col.name().to_string(),
                    v.map(Value::String).unwrap_or(Value::Null),
                );
            }
            Value::Object(m)
        })
        .collect())
}

/// The sections of a person's data: `(key, French title, SQL)`. `$1` is
/// the user id, `$2` the contact id.
pub const SECTIONS: &[(&str, &str, &str)] = &[
    ("contact", "Fiche contact",
     "SELECT ct.id, i.name AS etablissement, ct.first_name AS prenom, ct.last_name AS nom, ct.email AS courriel, \
      ct.phone AS telephone, ct.function AS fonction, ct.title AS titre, ct.domains AS domaines, \
      CAST(ct.consent AS TEXT) AS consentement, ct.created_at AS cree_le, ct.updated_at AS modifie_le, ct.erased_at AS efface_le \
      FROM contacts ct JOIN institutions i ON i.id = ct.institution_id WHERE ct.id = $2"),
    ("compte", "Compte Relais",
     "SELECT u.id, u.email AS courriel, u.display_name AS nom, u.role, u.locale AS langue, \
      CAST(u.active AS TEXT) AS actif, u.created_at AS cree_le FROM users u WHERE u.id = $1"),
    ("tickets", "Tickets déposés",
     "SELECT t.reference, t.subject AS objet, t.status AS statut, p.name AS produit, t.created_at AS cree_le, \
      t.closed_at AS clos_le FROM tickets t JOIN products p ON p.id = t.product_id \
      WHERE t.requester_id = $1 OR t.requester_contact_id = $2 ORDER BY t.created_at"),
    ("messages", "Messages écrits",
     "SELECT t.reference, m.created_at AS ecrit_le, m.body AS texte FROM ticket_messages m \
      JOIN tickets t ON t.id = m.ticket_id WHERE m.author_id = $1 ORDER BY m.created_at"),
    ("inscriptions", "Inscriptions aux formations",
     "SELECT tr.title AS formation, s.starts_on AS debut, s.ends_on AS fin, r.status AS statut, \
      CAST(r.attended AS TEXT) AS presence, r.requested_at AS demandee_le FROM registrations r \
      JOIN training_sessions s ON s.id = r.session_id JOIN trainings tr ON tr.id = s.training_id \
      WHERE r.user_id = $1 ORDER BY s.starts_on"),
    ("evenements", "Inscriptions aux événements",
     "SELECT ev.title AS evenement, ev.starts_at AS debut, er.attendance AS presence, er.registered_at AS inscrit_le \
      FROM event_registrations er JOIN community_events ev ON ev.id = er.event_id WHERE er.user_id = $1 \
      ORDER BY ev.starts_at"),
    ("listes", "Abonnements aux listes de diffusion",
     "SELECT l.name AS liste, l.address AS adresse FROM mailing_list_subscriptions s \
      JOIN mailing_lists l ON l.id = s.list_id WHERE s.contact_id = $2 ORDER BY l.name"),
    ("cycles", "Cycles de formation des cadres",
     "SELECT c.title AS cycle, c.cohort AS promotion, c.partner AS partenaire FROM exec_participants p \
      JOIN exec_cycles c ON c.id = p.cycle_id WHERE p.contact_id = $2 ORDER BY c.starts_on"),
    ("enquetes", "Enquêtes reçues",
     "SELECT v.kind AS type, v.created_at AS envoyee_le, v.expires_at AS expire_le, v.answered_at AS repondue_le \
      FROM survey_invitations v WHERE v.user_id = $1 OR v.contact_id = $2 ORDER BY v.created_at"),
    ("reponses", "Réponses aux enquêtes",
     "SELECT a.kind AS type, CAST(a.score AS TEXT) AS note, CAST(a.nps AS TEXT) AS recommandation, \
      a.comment AS commentaire, a.answered_at AS repondue_le FROM survey_answers a \
      JOIN survey_invitations v ON v.id = a.invitation_id WHERE v.user_id = $1 OR v.contact_id = $2 \
      ORDER BY a.answered_at"),
    ("reclamations", "Réclamations déposées ou la concernant",
     "SELECT k.title AS objet, k.touchpoint AS irritant, k.status AS statut, k.description, k.answer AS reponse, \
      k.created_at AS deposee_le FROM complaints k WHERE k.filed_by = $1 OR k.contact_id = $2 ORDER BY k.created_at"),
    ("campagne_contacts", "Contacts de la campagne de contacts qualifiés",
     "SELECT x.contacted_on AS date, x.outcome AS resultat, x.corrections AS corrections FROM campaign_contacts x \
      WHERE x.contact_id = $2 ORDER BY x.contacted_on"),
    ("comite", "Comité de la relation établissements",
     "SELECT m.role, m.since_on AS depuis FROM comite_members m WHERE m.user_id = $1 OR m.contact_id = $2"),
    ("echanges", "Échanges notés par l'agence",
     "SELECT x.occurred_on AS date, x.kind AS type, x.subject AS objet, x.summary AS resume FROM interactions x \
      WHERE x.contact_id = $2 ORDER BY x.occurred_on"),
    ("consultations", "Consultations de la fiche par l'agence",
     "SELECT r.read_at AS consultee_le FROM contact_reads r WHERE r.contact_id = $2 ORDER BY r.read_at DESC"),
    ("recherches", "Recherches enregistrées",
     "SELECT s.name AS nom, s.created_at AS creee_le FROM saved_searches s WHERE s.user_id = $1"),
    ("actions", "Actions enregistrées dans l'historique",
     "SELECT a.at AS date, a.entity AS objet, a.action FROM audit_events a WHERE a.actor_id = $1 \
      ORDER BY a.at DESC LIMIT 2000"),
];

/// Every section of a person's data, in order.
pub async fn person_data(
    c: &mut Conn,
    user: Option<&str>,
    contact: Option<&str>,
) -> Result<Vec<(&'static str, &'static str, Vec<Value>)>> {
    // An absent id is bound to a value no row has.
    let u = user.unwrap_or("-");
    let ct = contact.unwrap_or("-");
    let mut out = Vec::new();
    for (key, title, sql) in SECTIONS {
        out.push((*key, *title, rows(c, sql, u, ct).await?));
    }
    Ok(out)
}

/// The columns that may carry a person's name, address or phone, as
/// `(table, column)`: each is rewritten by [`scrub`].
pub const FREE_TEXT: &[(&str, &str)] = &[
    ("tickets", "requester_name"),
    ("tickets", "subject"),
    ("ticket_messages", "author_name"),
    ("ticket_messages", "body"),
    ("ticket_events", "actor_name"),
    ("ticket_events", "before_value"),
    ("ticket_events", "after_value"),
    ("attachments", "uploaded_by_name"),
    ("workarounds", "author_name"),
    ("interactions", "subject"),
    ("interactions", "summary"),
    ("tasks", "title"),
    ("audit_events", "changes"),
    ("jobs", "payload"),
    ("mail_quarantine", "from_address"),
    ("mail_quarantine", "subject"),
    ("assistant_events", "query"),
    ("survey_answers", "comment"),
    ("articles", "title"),
    ("articles", "body"),
    ("complaints", "title"),
    ("complaints", "description"),
    ("complaints", "answer"),
    ("complaint_notes", "body"),
    ("corrective_actions", "details"),
    ("campaign_contacts", "corrections"),
    ("campaign_contacts", "notes"),
    ("comite_meetings", "agenda"),
    ("comite_meetings", "minutes"),
    ("contacts", "search_text"),
];

/// Replaces every occurrence of `needle` by `replacement` in the columns
/// of [`FREE_TEXT`]; returns the number of rows changed.
pub async fn scrub(c: &mut Conn, needle: &str, replacement: &str) -> Result<u64> {
    if needle.trim().len() < 3 {
        return Ok(0);
    }
    let mut n = 0;
    // `REPLACE(…) <> col` rather than LIKE: exact on both engines, with no
    // wildcard to escape (addresses often hold `_`).
    for (table, col) in FREE_TEXT {
        let sql = format!(
            "UPDATE {table} SET {col} = REPLACE({col}, $1, $2) WHERE REPLACE({col}, $1, $2) <> {col}"
        );
        n += sqlx::query(&sql)
            .bind(needle.to_string())
            .bind(replacement.to_string())
            .execute(&mut *c)
            .await
            .map_err(e)?
            .rows_affected();
    }
    Ok(n)
}

/// Tickets whose text mentions `needle` (their index entries must be
/// rewritten after a scrub).
pub async fn tickets_mentioning(c: &mut Conn, needle: &str) -> Result<Vec<String>> {
    let r: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM tickets WHERE REPLACE(requester_name, $1, '') <> requester_name \
         OR REPLACE(COALESCE(requester_email, ''), $1, '') <> COALESCE(requester_email, '') \
         OR REPLACE(subject, $1, '') <> subject \
         UNION SELECT ticket_id FROM ticket_messages WHERE REPLACE(body, $1, '') <> body \
         OR REPLACE(author_name, $1, '') <> author_name",
    )
    .bind(needle.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    Ok(r.into_iter().map(|x| x.0).collect())
}

/// Knowledge articles whose text mentions `needle` (re-indexed after a
/// scrub).
pub async fn articles_mentioning(c: &mut Conn, needle: &str) -> Result<Vec<String>> {
    let r: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM articles WHERE REPLACE(body, $1, '') <> body OR REPLACE(title, $1, '') <> title",
    )
    .bind(needle.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    Ok(r.into_iter().map(|x| x.0).collect())
}

/// Tickets of a person (as requester or message author).
pub async fn tickets_of(
    c: &mut Conn,
    user: Option<&str>,
    contact: Option<&str>,
) -> Result<Vec<String>> {
    let r: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM tickets WHERE requester_id = $1 OR requester_contact_id = $2 \
         UNION SELECT ticket_id FROM ticket_messages WHERE author_id = $1",
    )
    .bind(user.unwrap_or("-").to_string())
    .bind(contact.unwrap_or("-").to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    Ok(r.into_iter().map(|x| x.0).collect())
}

/// Pseudonymises the contact row itself.
pub async fn erase_contact_row(
    c: &mut Conn,
    contact: &str,
    first: &str,
    last: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE contacts SET first_name = $1, last_name = $2, email = NULL, phone = NULL, title = NULL, \
         consent = 0, search_text = $3, erased_at = $4, updated_at = $4 WHERE id = $5",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .bind(relais_domain::fold(&format!("{first} {last}")))
    .bind(now.to_string())
    .bind(contact.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

/// Pseudonymises and closes an account: no password, no sessions, no
/// tokens, an address that cannot receive mail.
pub async fn erase_user_row(c: &mut Conn, user: &str, name: &str, now: &str) -> Result<()> {
    sqlx::query(
        "UPDATE users SET display_name = $1, email = $2, password_hash = NULL, active = 0, updated_at = $3 WHERE id = $4",
    )
    .bind(name.to_string())
    .bind(format!("efface-{user}@invalid"))
    .bind(now.to_string())
    .bind(user.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    for sql in [
        "DELETE FROM sessions WHERE user_id = $1",
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE user_id = $1",
        "DELETE FROM calendar_tokens WHERE user_id = $1",
        "DELETE FROM saved_searches WHERE user_id = $1",
    ] {
        let mut q = sqlx::query(sql).bind(user.to_string());
        if sql.contains("$2") {
            q = q.bind(now.to_string());
        }
        q.execute(&mut *c).await.map_err(e)?;
    }
    // Addresses copied on tickets go; the requester name is scrubbed.
    sqlx::query("UPDATE tickets SET requester_email = NULL WHERE requester_id = $1")
        .bind(user.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    Ok(())
}

/// Clears an address copied on tickets filed by mail by an unknown sender.
pub async fn clear_requester_email(c: &mut Conn, email: &str) -> Result<()> {
    sqlx::query(
        "UPDATE tickets SET requester_email = NULL WHERE LOWER(requester_email) = LOWER($1)",
    )
    .bind(email.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

/// Quarantined mails (kept base64, so not scrubbable) sent from an
/// erased address are deleted.
pub async fn delete_quarantine_from(c: &mut Conn, email: &str) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM mail_quarantine WHERE LOWER(from_address) LIKE $1")
            .bind(format!(
                "%{}%",
                email.to_lowercase().replace(['%', '_'], "")
            ))
            .execute(&mut *c)
            .await
            .map_err(e)?
            .rows_affected(),
    )
}

/// The account of a contact: same address, same institution.
pub async fn user_of_contact(
    c: &mut Conn,
    contact: &str,
) -> Result<Option<(String, String, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name, u.email FROM contacts ct JOIN users u ON LOWER(u.email) = LOWER(ct.email) \
         AND u.institution_id = ct.institution_id WHERE ct.id = $1",
    )
    .bind(contact.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)
}

/// The contact of an account: same address, same institution.
pub async fn contact_of_user(c: &mut Conn, user: &str) -> Result<Option<String>> {
    let r: Option<(String,)> = sqlx::query_as(
        "SELECT ct.id FROM contacts ct JOIN users u ON LOWER(u.email) = LOWER(ct.email) \
         AND u.institution_id = ct.institution_id WHERE u.id = $1 ORDER BY ct.created_at LIMIT 1",
    )
    .bind(user.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)?;
    Ok(r.map(|x| x.0))
}

// ---------------------------------------------------------------- retention

/// A retention rule: what goes, after how many months by default.
pub struct Rule {
    pub kind: &'static str,
    pub label: &'static str,
    pub default_months: i64,
    /// Rows that would go, given the cutoff (`$1`): `(id, date, what)`.
    pub select: &'static str,
    pub delete: &'static [&'static str],
}

pub const RULES: &[Rule] = &[
    Rule {
        kind: "sessions",
        label: "Sessions de connexion expirées",
        default_months: 1,
        select: "SELECT token_hash, expires_at, 'session' FROM sessions WHERE expires_at < $1",
        delete: &["DELETE FROM sessions WHERE expires_at < $1"],
    },
    Rule {
        kind: "login_failures",
        label: "Échecs de connexion",
        default_months: 3,
        select: "SELECT id, failed_at, login_key FROM login_failures WHERE failed_at < $1",
        delete: &["DELETE FROM login_failures WHERE failed_at < $1"],
    },
    Rule {
        kind: "jobs",
        label: "Tâches de fond terminées (courriels envoyés…)",
        default_months: 3,
        select: "SELECT id, done_at, kind FROM jobs WHERE done_at IS NOT NULL AND done_at < $1",
        delete: &["DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < $1"],
    },
    Rule {
        kind: "quarantine",
        label: "Courriels en quarantaine traités",
        default_months: 6,
        select: "SELECT id, received_at, reason FROM mail_quarantine WHERE status <> 'en_attente' AND received_at < $1",
        delete: &["DELETE FROM mail_quarantine WHERE status <> 'en_attente' AND received_at < $1"],
    },
    Rule {
        kind: "survey_invitations",
        label: "Invitations d'enquête sans réponse, expirées",
        default_months: 12,
        select: "SELECT id, expires_at, kind FROM survey_invitations WHERE answered_at IS NULL AND expires_at < $1",
        delete: &[
            "DELETE FROM survey_tokens WHERE invitation_id IN (SELECT id FROM survey_invitations WHERE answered_at IS NULL AND expires_at < $1)",
            "DELETE FROM survey_invitations WHERE answered_at IS NULL AND expires_at < $1",
        ],
    },
    Rule {
        kind: "contact_reads",
        label: "Journal des consultations de fiches contact",
        default_months: 24,
        select: "SELECT id, read_at, contact_id FROM contact_reads WHERE read_at < $1",
        delete: &["DELETE FROM contact_reads WHERE read_at < $1"],
    },
    Rule {
        kind: "assistant_events",
        label: "Traces de l'assistant (questions posées)",
        default_months: 24,
        select: "SELECT id, created_at, kind FROM assistant_events WHERE created_at < $1",
        delete: &["DELETE FROM assistant_events WHERE created_at < $1"],
    },
    Rule {
        kind: "audit_events",
        label: "Historique des modifications",
        default_months: 120,
        select: "SELECT id, at, entity FROM audit_events WHERE at < $1",
        delete: &["DELETE FROM audit_events WHERE at < $1"],
    },
];

/// What a rule would delete at `cutoff`: the count and up to `sample`
/// rows `(id, date, what)`, oldest first.
pub async fn candidates(
    c: &mut Conn,
    rule: &Rule,
    cutoff: &str,
    sample: i64,
) -> Result<(i64, Vec<(String, String, String)>)> {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM ({}) x", rule.select))
        .bind(cutoff.to_string())
        .fetch_one(&mut *c)
        .await
        .map_err(e)?;
    let rows: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as(&format!("{} ORDER BY 2 LIMIT {sample}", rule.select))
            .bind(cutoff.to_string())
            .fetch_all(&mut *c)
            .await
            .map_err(e)?;
    Ok((
        n,
        rows.into_iter()
            .map(|(a, b, c)| (a, b.unwrap_or_default(), c.unwrap_or_default()))
            .collect(),
    ))
}

pub async fn apply(c: &mut Conn, rule: &Rule, cutoff: &str) -> Result<u64> {
    let mut n = 0;
    for sql in rule.delete {
        n = sqlx::query(sql)
            .bind(cutoff.to_string())
            .execute(&mut *c)
            .await
            .map_err(e)?
            .rows_affected();
    }
    Ok(n)
}
