//! The relation hub and the recalls (/relation, /relation/rappels): who to call back and why.

use super::*;

fn stats_facts(tr: Tr, s: &uc::RecallStats) -> Vec<(String, Cell)> {
    vec![
        (
            fr(tr, "Rappels ouverts", "Open recalls"),
            Cell::text(s.open.to_string()),
        ),
        (
            fr(tr, "Dont en retard", "Of which late"),
            Cell::text(s.overdue.to_string()),
        ),
        (
            fr(tr, "Clos sur 12 mois", "Closed over 12 months"),
            Cell::text(s.closed_12m.to_string()),
        ),
        (
            fr(tr, "Délai médian de traitement", "Median handling time"),
            Cell::text(
                s.median_days
                    .map(|d| format!("{d} {}", fr(tr, "jour(s)", "day(s)")))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            fr(tr, "Traités dans les délais", "Handled on time"),
            Cell::text(
                s.on_time_share
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
    ]
}

pub(super) async fn hub(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let (mine, stats) = uc::recalls(&state.app, actor, true, Some("ouvert"))
        .await
        .map_err(pe(tr))?;
    let (all, _) = uc::recalls(&state.app, actor, false, Some("ouvert"))
        .await
        .map_err(pe(tr))?;
    let my_flags = uc::flags(&state.app, actor, true, 30)
        .await
        .map_err(pe(tr))?;
    let all_flags = uc::flags(&state.app, actor, false, 30)
        .await
        .map_err(pe(tr))?;
    let today = today_s(&state);
    let mut p = SectionsPage::new(
        Base::new(&auth, fr(tr, "Relation adhérents", "Member relations")),
        fr(tr, "Relation adhérents", "Member relations"),
    );
    p.actions = vec![
        Link::new(
            "/relation/rappels",
            fr(tr, "Tous les rappels", "All recalls"),
        ),
        Link::new(
            "/relation/enquetes",
            fr(tr, "Enquêtes et campagnes", "Surveys and campaigns"),
        ),
    ];
    let mut s = Sect::new(
        "mes-rappels",
        fr(tr, "Mes rappels à faire", "My recalls to make"),
    );
    s.tables.push(recalls_table(
        tr,
        format!(
            "{} {}",
            mine.len(),
            fr(tr, "rappel(s) ouvert(s)", "open recall(s)")
        ),
        &mine,
        &today,
    ));
    p.sections.push(s);
    let mut s = Sect::new(
        "mes-signalements",
        fr(
            tr,
            "Mes établissements signalés (30 jours)",
            "My flagged institutions (30 days)",
        ),
    );
    s.paras.push(fr(
        tr,
        "L'agent de la relation signale un établissement dont l'indice de santé passe sous le seuil ou baisse de 10 points ou plus.",
        "The relation agent flags an institution whose health crosses the threshold or drops by 10 points or more.",
    ));
    s.tables
        .push(flags_table(tr, fr(tr, "Signalements", "Flags"), &my_flags));
    p.sections.push(s);
    let mut s = Sect::new("suivi", fr(tr, "Suivi des rappels", "Recall follow-up"));
    s.facts = stats_facts(tr, &stats);
    s.tables.push(recalls_table(
        tr,
        fr(tr, "Tous les rappels ouverts", "All open recalls"),
        &all,
        &today,
    ));
    s.tables.push(flags_table(
        tr,
        fr(
            tr,
            "Tous les signalements (30 jours)",
            "All flags (30 days)",
        ),
        &all_flags,
    ));
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct RecallQuery {
    statut: Option<String>,
    moi: Option<String>,
}

pub(super) async fn recalls_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RecallQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let status = match q.statut.as_deref() {
        Some("clos") => Some("clos"),
        Some("tous") => None,
        _ => Some("ouvert"),
    };
    let mine = q.moi.as_deref() == Some("1");
    let (rows, stats) = uc::recalls(&state.app, auth.actor(), mine, status)
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(&auth, fr(tr, "Rappels", "Recalls")),
        fr(tr, "Campagnes de rappel", "Recall campaigns"),
    );
    p.subtitle = fr(
        tr,
        "Chaque réponse insatisfaite crée un rappel pour le ou la chargé·e de relation de l'établissement.",
        "Each dissatisfied answer creates a recall for the institution's key-account manager.",
    );
    let mut s = Sect::new("suivi", fr(tr, "Délais de traitement", "Handling times"));
    s.facts = stats_facts(tr, &stats);
    s.links = vec![
        Link::new("/relation/rappels?statut=ouvert", fr(tr, "Ouverts", "Open")),
        Link::new(
            "/relation/rappels?statut=ouvert&moi=1",
            fr(tr, "Les miens", "Mine"),
        ),
        Link::new("/relation/rappels?statut=clos", fr(tr, "Clos", "Closed")),
        Link::new("/relation/rappels?statut=tous", fr(tr, "Tous", "All")),
    ];
    p.sections.push(s);
    let mut s = Sect::new("liste", fr(tr, "Rappels", "Recalls"));
    s.tables.push(recalls_table(
        tr,
        format!("{} {}", rows.len(), fr(tr, "rappel(s)", "recall(s)")),
        &rows,
        &today_s(&state),
    ));
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}

async fn recall_view_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    form: Option<(&FormData, &str, &DomainError)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let v = uc::recall(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let r = &v.recall;
    let a = &v.answer;
    let mut p = SectionsPage::new(
        Base::new(auth, fr(tr, "Rappel", "Recall")),
        format!("{} — {}", fr(tr, "Rappel", "Recall"), r.institution_name),
    );
    p.actions = vec![
        Link::new(
            format!("/etablissements/{}", r.institution_id),
            fr(tr, "Vue 360° de l'établissement", "Institution 360° view"),
        ),
        Link::new(
            format!("/etablissements/{}/sante", r.institution_id),
            fr(tr, "Santé de l'établissement", "Institution health"),
        ),
    ];
    let mut s = Sect::new("reponse", fr(tr, "La réponse", "The answer"));
    let context = match (&a.ticket_ref, &a.training_title, &a.campaign_title) {
        (Some(t), _, _) => Cell::link(
            format!("Ticket {t}"),
            format!("/support/{}", a.ticket_id.clone().unwrap_or_default()),
        ),
        (_, Some(t), _) => Cell::link(
            format!("{} {t}", fr(tr, "Formation", "Training")),
            format!(
                "/formations/sessions/{}",
                a.session_id.clone().unwrap_or_default()
            ),
        ),
        (_, _, Some(c)) => Cell::text(c.clone()),
        _ => Cell::text("—"),
    };
    s.facts = vec![
        (
            fr(tr, "Note", "Score"),
            Cell::text(score_text(a.score, a.nps)),
        ),
        (
            fr(tr, "Enquête", "Survey"),
            Cell::text(kind_label(tr, &a.kind)),
        ),
        (fr(tr, "Contexte", "Context"), context),
        (
            fr(tr, "Répondu le", "Answered on"),
            Cell::text(fr_date(&a.answered_at)),
        ),
        (
            fr(tr, "Commentaire", "Comment"),
            Cell::text(a.comment.clone().unwrap_or_else(|| "—".into())),
        ),
        (
            fr(tr, "À rappeler avant le", "Call back before"),
            Cell::text(fr_date(&r.due_on)),
        ),
        (
            fr(tr, "Chargé·e de relation", "Key-account manager"),
            Cell::text(r.manager_name.clone().unwrap_or_else(|| "—".into())),
        ),
        (
            fr(tr, "Appels notés", "Calls recorded"),
            Cell::text(r.calls.to_string()),
        ),
        (
            fr(tr, "Statut", "Status"),
            Cell::text(
                relais_domain::relation::RecallStatus::from_code(&r.status)
                    .map(|x| x.label(tr.en()).to_string())
                    .unwrap_or_default(),
            ),
        ),
    ];
    if let Some(o) = &r.outcome {
        s.facts
            .push((fr(tr, "Résultat", "Outcome"), Cell::text(o.clone())));
    }
    p.sections.push(s);
    if r.status == "ouvert" {
        let empty = FormData::default();
        let (data, which, err) = match form {
            Some((d, w, e)) => (d, w, Some(e)),
            None => (&empty, "", None),
        };
        let mut call = vec![Field::new(
            tr,
            "textarea",
            "note",
            fr(tr, "Compte rendu de l'appel", "Call notes"),
            if which == "appel" {
                data.get("note")
            } else {
                String::new()
            },
        )
        .required()];
        let mut close = vec![Field::new(
            tr,
            "textarea",
            "outcome",
            fr(tr, "Résultat du rappel", "Outcome of the recall"),
            if which == "clore" {
                data.get("outcome")
            } else {
                String::new()
            },
        )
        .required()
        .hint(fr(
            tr,
            "Ce qui a été convenu avec l'établissement ; le rappel est alors clos.",
            "What was agreed with the institution; the recall is then closed.",
        ))];
        if let Some(e) = err {
            let target = if which == "appel" {
                &mut call
            } else {
                &mut close
            };
            p.errors = apply_errors(target, e);
        }
        let mut s = Sect::new("appel", fr(tr, "Noter un appel", "Record a call"));
        s.forms.push(PageForm {
            action: format!("/relation/rappels/{}/appel", r.id),
            fields: call,
            button: fr(tr, "Noter l'appel", "Record the call"),
            danger: false,
        });
        p.sections.push(s);
        let mut s = Sect::new("clore", fr(tr, "Clore le rappel", "Close the recall"));
        s.forms.push(PageForm {
            action: format!("/relation/rappels/{}/clore", r.id),
            fields: close,
            button: fr(tr, "Clore le rappel", "Close the recall"),
            danger: false,
        });
        p.sections.push(s);
    }
    form_reply(&p, form.is_some(), tr)
}

pub(super) async fn recall_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    recall_view_page(&state, &auth, id, None).await
}

pub(super) async fn recall_call(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    match uc::record_call(&state.app, auth.actor(), id, &f.get("note")).await {
        Ok(()) => Ok(Redirect::to(&format!("/relation/rappels/{id}?ok=appel")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            recall_view_page(&state, &auth, id, Some((&f, "appel", &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

pub(super) async fn recall_close(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    match uc::close_recall(&state.app, auth.actor(), id, &f.get("outcome")).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/relation/rappels/{id}?ok=rappel_clos")).into_response())
        }
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            recall_view_page(&state, &auth, id, Some((&f, "clore", &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}
