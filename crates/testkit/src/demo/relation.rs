//! Member-relations demo data: answers to the surveys sent after closed
//! tickets and attended trainings over the two years of the support
//! history, the yearly survey of last year (closed) and of this year (in
//! progress), recalls after the dissatisfied answers (old ones handled,
//! recent ones open), and each institution's health: today's snapshot is
//! the real indicator; the monthly history before it is generated (a walk
//! ending on today's value, falling for the few dissatisfied institutions,
//! with a flag where it crossed the threshold).
//!
//! INSA Lyon (the demo logins' institution) keeps two recent answers at
//! 4/5, so a dissatisfied answer from membre@relais.test visibly drops its
//! health and flags it to relation@relais.test.

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::relation::{self as rel, HealthInputs};
use relais_domain::Id;
use relais_store::relation as store;
use relais_store::{ts, Conn};

#[derive(Debug, Default, Clone)]
pub struct RelationSummary {
    pub answers: usize,
    pub recalls_open: usize,
    pub recalls_closed: usize,
    pub snapshots: usize,
    pub flags: usize,
    pub dissatisfied: Vec<String>,
}

const GOOD: &[&str] = &[
    "Réponse rapide et claire, merci.",
    "Très bon accompagnement de l'équipe.",
    "Problème résolu, rien à redire.",
    "Merci pour la réactivité.",
];
const BAD: &[&str] = &[
    "Délai beaucoup trop long, nous avons dû relancer plusieurs fois.",
    "La solution proposée ne règle pas notre problème.",
    "Aucune nouvelle pendant deux semaines.",
    "Réponse trop générique, pas adaptée à notre situation.",
];
const OUTCOMES: &[&str] = &[
    "Appel à la DSI : explications données, correctif planifié.",
    "Échange avec la DGS : point mensuel convenu avec le chargé de domaine.",
    "Rappel fait : l'établissement attend la prochaine version, suivi en Lab'U.",
];

fn score(rng: &mut ChaCha8Rng, mean: f64) -> i64 {
    let x: f64 = mean + rng.gen_range(-1.4..1.4);
    (x.round() as i64).clamp(1, 5)
}

#[allow(clippy::too_many_arguments)]
async fn answered(
    tx: &mut Conn,
    rng: &mut ChaCha8Rng,
    s: &mut RelationSummary,
    now: DateTime<Utc>,
    inv: store::NewInvitation<'_>,
    sent: DateTime<Utc>,
    answer: Option<(Option<i64>, Option<i64>, serde_json::Value)>,
    manager: Option<&str>,
) -> anyhow::Result<()> {
    let id = Id::new();
    if !store::insert_invitation(tx, id, &inv, &ts(sent)).await? {
        return Ok(());
    }
    let Some((score, nps, answers)) = answer else {
        return Ok(());
    };
    let at = sent + Duration::hours(rng.gen_range(2..96));
    if at >= now {
        return Ok(());
    }
    store::mark_answered(tx, &id.to_string(), &ts(at)).await?;
    let row = store::get_invitation(tx, &id.to_string()).await?;
    let low = rel::needs_recall(
        score,
        nps,
        rel::DEFAULT_RECALL_THRESHOLD,
        rel::DEFAULT_NPS_THRESHOLD,
    );
    let comment = if low {
        Some(BAD[rng.gen_range(0..BAD.len())].to_string())
    } else if rng.gen_bool(0.3) {
        Some(GOOD[rng.gen_range(0..GOOD.len())].to_string())
    } else {
        None
    };
    let answer_id = Id::new();
    store::insert_answer(
        tx,
        answer_id,
        &store::NewAnswer {
            invitation: &row,
            score,
            nps,
            comment,
            answers: answers.to_string(),
        },
        &ts(at),
    )
    .await?;
    s.answers += 1;
    if low {
        let recall = Id::new();
        let due = (at + Duration::days(rel::RECALL_DAYS))
            .date_naive()
            .to_string();
        store::insert_recall(
            tx,
            recall,
            inv.institution_id,
            answer_id,
            manager,
            &due,
            &ts(at),
        )
        .await?;
        if at < now - Duration::days(20) {
            let closed = at + Duration::days(rng.gen_range(1..9));
            let by = manager.unwrap_or_default();
            sqlx::query(
                "UPDATE recalls SET status = 'clos', calls = 1, outcome = $1, closed_by = $2, closed_at = $3 WHERE id = $4",
            )
            .bind(OUTCOMES[rng.gen_range(0..OUTCOMES.len())].to_string())
            .bind(if by.is_empty() { None } else { Some(by.to_string()) })
            .bind(ts(closed))
            .bind(recall.to_string())
            .execute(&mut *tx)
            .await?;
            s.recalls_closed += 1;
        } else {
            s.recalls_open += 1;
        }
    }
    Ok(())
}

/// `institutions`: `(id, acronym)` of every institution.
pub async fn load(
    tx: &mut Conn,
    seed: u64,
    now: DateTime<Utc>,
    institutions: &[(Id, &str)],
) -> anyhow::Result<RelationSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5A71_5FAC);
    let mut s = RelationSummary::default();
    let insa = institutions
        .iter()
        .find(|(_, a)| *a == "INSA Lyon")
        .map(|x| x.0.to_string());
    // A few dissatisfied institutions (never INSA Lyon).
    let mut dissatisfied: Vec<String> = Vec::new();
    while dissatisfied.len() < 6 && institutions.len() > 8 {
        let (id, acronym) = institutions[rng.gen_range(0..institutions.len())];
        let id = id.to_string();
        if Some(&id) != insa.as_ref() && !dissatisfied.contains(&id) {
            dissatisfied.push(id);
            s.dissatisfied.push(acronym.to_string());
        }
    }
    let mean_of = |inst: &str| {
        if dissatisfied.iter().any(|d| d == inst) {
            1.9
        } else {
            4.1
        }
    };
    let managers: std::collections::HashMap<String, Option<String>> =
        store::institutions_with_managers(tx)
            .await?
            .into_iter()
            .collect();
    let year_ago = now - Duration::days(365);
    // Surveys after closed tickets: about half answered.
    let closed: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, institution_id, requester_id, closed_at FROM tickets \
         WHERE status = 'clos' AND requester_id IS NOT NULL AND closed_at IS NOT NULL ORDER BY closed_at",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut insa_recent = 0;
    for (ticket, inst, user, closed_at) in &closed {
        let Some(sent) = relais_store::parse_ts(closed_at) else {
            continue;
        };
        let is_insa = Some(inst) == insa.as_ref();
        // INSA Lyon: two recent answers at 4/5, older ones as any other.
        let answer = if is_insa && sent >= year_ago {
            if insa_recent < 2 && sent < now - Duration::days(10) {
                insa_recent += 1;
                Some(4)
            } else {
                None
            }
        } else if rng.gen_bool(0.45) {
            Some(score(&mut rng, mean_of(inst)))
        } else {
            None
        };
        let inv = store::NewInvitation {
            kind: "ticket",
            context_key: format!("ticket:{ticket}"),
            institution_id: inst,
            user_id: Some(user),
            ticket_id: Some(ticket),
            expires_at: ts(sent + Duration::days(rel::SURVEY_DAYS)),
            ..Default::default()
        };
        let a = answer.map(|n| (Some(n), None, serde_json::json!({"satisfaction": n})));
        let m = managers.get(inst).cloned().flatten();
        answered(tx, &mut rng, &mut s, now, inv, sent, a, m.as_deref()).await?;
    }
    // Surveys after attended trainings (ended sessions).
    let attended: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT r.session_id, r.institution_id, r.user_id, s.ends_on FROM registrations r \
         JOIN training_sessions s ON s.id = r.session_id WHERE r.attended = 1 AND s.ends_on < $1",
    )
    .bind(now.date_naive().to_string())
    .fetch_all(&mut *tx)
    .await?;
    for (session, inst, user, ends_on) in &attended {
        if Some(inst) == insa.as_ref() {
            continue;
        }
        let Some(sent) = relais_store::parse_ts(&format!("{ends_on}T16:00:00.000Z")) else {
            continue;
        };
        let inv = store::NewInvitation {
            kind: "formation",
            context_key: format!("session:{session}:{user}"),
            institution_id: inst,
            user_id: Some(user),
            session_id: Some(session),
            expires_at: ts(sent + Duration::days(rel::SURVEY_DAYS)),
            ..Default::default()
        };
        let a = rng.gen_bool(0.6).then(|| {
            let n = score(&mut rng, mean_of(inst) + 0.3);
            (Some(n), None, serde_json::json!({"satisfaction": n}))
        });
        let m = managers.get(inst).cloned().flatten();
        answered(tx, &mut rng, &mut s, now, inv, sent, a, m.as_deref()).await?;
    }
    // The yearly survey: last year's (closed) and this year's (in progress),
    // to the governance and DSI contacts of every institution.
    let admin: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE email = 'admin@relais.test'")
            .fetch_optional(&mut *tx)
            .await?;
    let admin = Id::parse_stored(&admin.map(|a| a.0).unwrap_or_default())?;
    let seg = store::Segment {
        functions: vec!["dgs".into(), "dsi".into(), "president".into()],
        ..Default::default()
    };
    let targets = store::segment_contacts(tx, &seg).await?;
    for (title, sent, rate, open) in [
        (
            "Enquête annuelle de satisfaction 2025",
            now - Duration::days(380),
            0.6,
            false,
        ),
        (
            "Enquête annuelle de satisfaction 2026",
            now - Duration::days(14),
            0.35,
            true,
        ),
    ] {
        let campaign = Id::new();
        let expires = if open {
            now + Duration::days(16)
        } else {
            sent + Duration::days(45)
        };
        store::insert_campaign(
            tx,
            campaign,
            "annuelle",
            title,
            &serde_json::to_string(&seg)?,
            &ts(expires),
            admin,
            &ts(sent),
        )
        .await?;
        let cid = campaign.to_string();
        for (inst, contact) in &targets {
            let is_insa = Some(inst) == insa.as_ref();
            let inv = store::NewInvitation {
                kind: "annuelle",
                context_key: format!("campagne:{cid}:{contact}"),
                institution_id: inst,
                contact_id: Some(contact),
                campaign_id: Some(&cid),
                expires_at: ts(expires),
                ..Default::default()
            };
            let a = (!(is_insa && open) && rng.gen_bool(rate)).then(|| {
                let m = mean_of(inst);
                let scores: Vec<i64> = (0..4).map(|_| score(&mut rng, m)).collect();
                let nps = ((m - 1.0) * 2.5 + rng.gen_range(-2.0..2.0)).round().clamp(0.0, 10.0) as i64;
                (
                    rel::satisfaction_of(&scores),
                    Some(nps),
                    serde_json::json!({"support": scores[0], "formation": scores[1], "produits": scores[2],
                        "communication": scores[3], "recommandation": nps}),
                )
            });
            let m = managers.get(inst).cloned().flatten();
            let at = sent + Duration::hours(rng.gen_range(0..48));
            answered(tx, &mut rng, &mut s, now, inv, at, a, m.as_deref()).await?;
        }
    }
    // Health: today's real value, and a generated monthly history.
    let today = now.date_naive();
    let threshold = rel::DEFAULT_HEALTH_THRESHOLD;
    for (id, _) in institutions {
        let inst = id.to_string();
        let inputs: HealthInputs = store::health_inputs(
            tx,
            &inst,
            &ts(now),
            &ts(now - Duration::days(365)),
            &ts(now - Duration::days(90)),
        )
        .await?;
        let h = rel::health(&inputs);
        store::upsert_snapshot(
            tx,
            &inst,
            &today.to_string(),
            h.score,
            &serde_json::to_string(&h.factors)?,
        )
        .await?;
        s.snapshots += 1;
        let bad = dissatisfied.contains(&inst);
        let mut value = h.score as f64;
        let mut prev_day: Option<(String, i64)> = None;
        let mut months: Vec<(String, i64)> = Vec::new();
        for m in 1..=24 {
            let day = today - Duration::days(30 * m);
            value += if bad {
                rng.gen_range(0.0..4.0)
            } else {
                rng.gen_range(-3.0..3.0)
            };
            value = value.clamp(5.0, 95.0);
            months.push((day.to_string(), value.round() as i64));
        }
        months.reverse();
        for (day, v) in &months {
            store::upsert_snapshot(tx, &inst, day, *v, "[]").await?;
            s.snapshots += 1;
            if bad {
                if let Some((_, p)) = &prev_day {
                    if rel::flags(Some(*p), *v, threshold) {
                        let reasons = vec![
                            "Satisfaction des 12 derniers mois : réponses insatisfaites (baisse)"
                                .to_string(),
                        ];
                        let m = managers.get(&inst).cloned().flatten();
                        if store::insert_flag(
                            tx,
                            Id::new(),
                            &inst,
                            m.as_deref(),
                            day,
                            *v,
                            Some(*p),
                            &serde_json::to_string(&reasons)?,
                            &ts(now),
                        )
                        .await?
                        {
                            s.flags += 1;
                        }
                    }
                }
            }
            prev_day = Some((day.clone(), *v));
        }
        // Today, as the daily refresh does: one still under the threshold
        // without a recent flag is flagged (INSEP's case, issue 17).
        let since = (today - Duration::days(rel::HEALTH_REFLAG_DAYS)).to_string();
        let recent = !store::flags(tx, &since, None, Some(&inst))
            .await?
            .is_empty();
        if rel::still_at_risk(h.score, threshold, recent) {
            let reasons = rel::reasons(None, &h);
            let m = managers.get(&inst).cloned().flatten();
            if store::insert_flag(
                tx,
                Id::new(),
                &inst,
                m.as_deref(),
                &today.to_string(),
                h.score,
                prev_day.as_ref().map(|p| p.1),
                &serde_json::to_string(&reasons)?,
                &ts(now),
            )
            .await?
            {
                s.flags += 1;
            }
        }
    }
    relais_store::watchdog::set_setting(tx, "relation.health_day", &today.to_string(), &ts(now))
        .await?;
    Ok(s)
}
