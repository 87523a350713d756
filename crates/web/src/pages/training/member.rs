//! The member's registrations, calendar feeds, pending requests and certificates (page and PDF).

use super::*;
use crate::i18n::LabelIn as _;

pub(super) struct MineRow {
    id: String,
    session_id: String,
    training: String,
    dates: String,
    status: String,
    can_cancel: bool,
    certificate: Option<String>,
}

#[derive(Template)]
#[template(path = "training_mine.html")]
pub(super) struct MinePage {
    base: Base,
    h1: String,
    actions: Vec<Link>,
    regs: Vec<MineRow>,
    teaching: Table,
    feed_url: Option<String>,
    feed_since: Option<String>,
}

pub(super) async fn mine_page(
    state: &AppState,
    auth: &Auth,
    feed_url: Option<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let a = auth.actor();
    let rows = uc::my_registrations(&state.app, a).await.map_err(pe(tr))?;
    let today = uc::today(&state.app).to_string();
    let regs = rows
        .iter()
        .map(|(r, pos)| MineRow {
            id: r.id.clone(),
            session_id: r.session_id.clone(),
            training: r.training_title.clone(),
            dates: if r.starts_on == r.ends_on {
                fr_date(&r.starts_on)
            } else {
                format!("{} → {}", fr_date(&r.starts_on), fr_date(&r.ends_on))
            },
            status: status_text(&r.status, *pos, tr),
            can_cancel: matches!(r.status.as_str(), "demande" | "attente" | "confirmee")
                && r.starts_on >= today,
            certificate: (r.attended == Some(1))
                .then(|| format!("/formations/inscriptions/{}/attestation", r.id)),
        })
        .collect();
    let mut teaching = Table::new(
        tr,
        tr.t("sessions-que-j-anime").to_string(),
        &["Formation", "Dates", tr.t("statut")],
    );
    let sessions = uc::sessions_i_run(&state.app, a).await.map_err(pe(tr))?;
    for s in sessions {
        teaching.rows.push(vec![
            Cell::link(
                s.training_title.clone(),
                format!("/formations/sessions/{}", s.id),
            ),
            Cell::text(fr_date(&s.starts_on)),
            Cell::text(
                relais_domain::training::SessionStatus::shown(&s.status, s.seats_taken, s.capacity)
                    .label_in(tr)
                    .to_string(),
            ),
        ]);
    }
    let since = uc::calendar_token_since(&state.app, a)
        .await
        .map_err(pe(tr))?;
    let mut actions = vec![Link::new("/formations", tr.t("catalogue").to_string())];
    if a.role == Role::MemberAdmin || uc::can_manage(a) {
        actions.push(Link::new(
            "/formations/demandes",
            tr.t("demandes-a-valider").to_string(),
        ));
    }
    if !teaching.rows.is_empty() {
        actions.push(Link::new(
            "/formations/formateurs",
            tr.t("mon-releve-de-formateur").to_string(),
        ));
    }
    let title = tr.t("mon-espace-formation-2").to_string();
    let page = MinePage {
        base: Base::new(auth, &title),
        h1: title,
        actions,
        regs,
        teaching,
        feed_url,
        feed_since: since.as_deref().map(fr_date),
    };
    Ok(render(&page, tr)?.into_response())
}

pub(super) async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    mine_page(&state, &auth, None).await
}

pub(super) async fn renew_feed(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let token = uc::renew_calendar_token(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let url = format!("{}/calendrier/{token}.ics", site_url(&state, &headers));
    // Shown once, in the response to the POST: only its hash is kept.
    let mut r = mine_page(&state, &auth, Some(url)).await?;
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

pub(super) async fn revoke_feed(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    uc::revoke_calendar_token(&state.app, auth.actor())
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/formations/mes-inscriptions?ok=agenda_revoque").into_response())
}

pub(super) async fn public_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let tr = Tr(crate::i18n::Lang::Fr);
    let body = uc::public_feed(&state.app, &site_url(&state, &headers))
        .await
        .map_err(pe(tr))?;
    Ok(ics(body))
}

pub(super) async fn personal_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let tr = Tr(crate::i18n::Lang::Fr);
    let token = file.strip_suffix(".ics").unwrap_or("");
    let Some(user) = uc::user_of_token(&state.app, token).await.map_err(pe(tr))? else {
        // A revoked, renewed or made-up token: nothing here.
        return Err(PageError::new(DomainError::NotFound, tr));
    };
    let body = uc::personal_feed(&state.app, user, &site_url(&state, &headers))
        .await
        .map_err(pe(tr))?;
    Ok(ics(body))
}

pub(super) async fn pending(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rows = uc::pending_requests(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let title = tr.t("demandes-d-inscription-a-valider").to_string();
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            tr.t("stagiaire"),
            tr.t("etablissement"),
            tr.t("touchpoint-formation"),
            "Dates",
            tr.t("demandee-le"),
        ],
    );
    for r in &rows {
        table.rows.push(vec![
            Cell::text(r.user_name.clone()),
            Cell::text(r.institution_name.clone()),
            Cell::link(
                r.training_title.clone(),
                format!("/formations/sessions/{}", r.session_id),
            ),
            Cell::text(fr_date(&r.starts_on)),
            Cell::text(fr_date(&r.requested_at)),
        ]);
    }
    let page = ListPage {
        base: Base::new(&auth, &title),
        h1: title,
        path: "/formations/demandes".into(),
        actions: vec![],
        filters: vec![],
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&page, tr)?.into_response())
}

#[derive(Template)]
#[template(path = "certificate.html")]
pub(super) struct CertificatePage {
    base: Base,
    name: String,
    institution: String,
    training: String,
    days: Vec<String>,
    duration: String,
    place: String,
    issued: String,
    pdf: String,
}

pub(super) async fn certificate_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    use crate::pdf::Line;
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (r, days) = uc::certificate(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut lines = vec![
        Line::Title("Attestation de présence".into()),
        Line::Gap,
        Line::Text(format!(
            "L'agence atteste que {} ({})",
            r.user_name, r.institution_name
        )),
        Line::Text(format!("a suivi la formation « {} » :", r.training_title)),
        Line::Gap,
    ];
    for (d, p) in &days {
        lines.push(Line::Text(format!(
            "  • {}",
            day_line(d, *p, Tr(crate::i18n::Lang::Fr))
        )));
    }
    lines.push(Line::Gap);
    lines.push(Line::Text(format!(
        "Durée : {}. Lieu : {}.",
        days_label(r.half_days.unwrap_or(0), Tr(crate::i18n::Lang::Fr)),
        r.place.clone().unwrap_or_else(|| "—".into())
    )));
    lines.push(Line::Gap);
    lines.push(Line::Text(format!(
        "Fait le {} — Service formation.",
        uc::today(&state.app).format("%d/%m/%Y")
    )));
    let bytes = crate::pdf::render(
        "Attestation de présence",
        &format!("Relais — attestation {}", r.id),
        &lines,
    );
    Ok(pdf_response(bytes, "attestation.pdf"))
}

pub(super) async fn certificate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (r, days) = uc::certificate(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let page = CertificatePage {
        base: Base::new(&auth, tr.t("attestation-de-presence").to_string()),
        name: r.user_name.clone(),
        institution: r.institution_name.clone(),
        training: r.training_title.clone(),
        days: days.iter().map(|(d, p)| day_line(d, *p, tr)).collect(),
        duration: days_label(r.half_days.unwrap_or(0), tr),
        place: r.place.clone().unwrap_or_else(|| "—".into()),
        issued: uc::today(&state.app).format("%d/%m/%Y").to_string(),
        pdf: format!("/formations/inscriptions/{id}/attestation.pdf"),
    };
    Ok(render(&page, tr)?.into_response())
}
