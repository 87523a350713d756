//! The ticket page: the thread, replies, status, assignment, estimate, sharing, following, "me too", workaround and incident link.

use super::*;

pub struct MessageView {
    pub author: String,
    pub at: String,
    pub internal: bool,
    pub body: String,
    pub channel: String,
    /// The quoted history of a mail, folded away in the page.
    pub quoted: Option<String>,
    /// The mail's HTML, sanitised by ammonia when it was read.
    pub html: Option<String>,
}

pub struct SlaBox {
    pub label: String,
    pub due: String,
    pub state: String,
    pub code: String,
}

pub struct WorkaroundView {
    pub author: String,
    pub at: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "ticket.html")]
pub struct TicketPage {
    pub base: Base,
    pub id: String,
    pub h1: String,
    pub subtitle: String,
    pub facts: Vec<(String, Cell)>,
    pub sla: Vec<SlaBox>,
    pub clock_notes: Vec<(String, String)>,
    pub messages: Vec<MessageView>,
    pub can_reply: bool,
    pub can_internal: bool,
    pub reply_body: String,
    pub reply_error: Option<String>,
    pub statuses: Vec<Opt>,
    pub agent: bool,
    pub teams: Vec<Opt>,
    pub agents: Vec<Opt>,
    pub estimate: String,
    pub can_share: bool,
    pub shared: bool,
    pub share_requester: bool,
    pub share_attachments: bool,
    pub can_follow: bool,
    pub affected_by_me: bool,
    pub affected_count: i64,
    pub affected: Vec<String>,
    pub workarounds: Vec<WorkaroundView>,
    pub can_workaround: bool,
    pub workaround_error: Option<String>,
    pub incident: Option<Link>,
    pub incident_choices: Vec<Opt>,
    pub can_draft_article: bool,
    pub attachments: Vec<AttachmentView>,
    pub can_attach: bool,
    pub history: Option<Table>,
    /// Agents: the triage suggestion, explained.
    pub triage: Option<TriageView>,
    /// Agents: likely duplicates `(link, institution · status, similarity, shared words)`.
    pub duplicates: Vec<(Link, String, String, String)>,
    /// Agents: an incident to open, with why and the prefilled form.
    pub proposal: Option<(String, String)>,
}

pub struct TriageView {
    /// (field, suggested value, confidence, why)
    pub rows: Vec<(String, String, String, String)>,
    pub similar: Vec<Link>,
    /// The suggested team when it differs from the current one.
    pub apply_team: Option<(String, String)>,
}

async fn triage_view(
    state: &AppState,
    actor: &relais_domain::accounts::Actor,
    t: &TicketRow,
    first_message: &str,
    teams: &[relais_app::support::TeamRow],
    tr: Tr,
) -> Option<TriageView> {
    state.app.search.as_ref()?;
    let created = relais_app::stamps::parse_ts(&t.created_at)?.timestamp();
    let req = relais_app::triage::TriageRequest {
        text: format!("{}\n{}", t.subject, first_message),
        product: Id::parse(&t.product_id),
        institution: Id::parse(&t.institution_id),
        created_before: Some(created),
        ..Default::default()
    };
    let s = relais_app::triage::suggest_triage_with(&state.app, actor, &req)
        .await
        .ok()?;
    let pct = |c: f64| format!("{:.0} %", c * 100.0);
    let team_name = |v: &Option<String>| {
        v.as_ref()
            .and_then(|id| teams.iter().find(|x| &x.id == id))
            .map(|x| x.name.clone())
            .unwrap_or_else(|| "—".into())
    };
    let code = |v: &Option<String>, f: fn(&str, Tr) -> String| {
        v.as_deref().map(|c| f(c, tr)).unwrap_or_else(|| "—".into())
    };
    let rows = vec![
        (
            tr.t("equipe").to_string(),
            team_name(&s.team.value),
            pct(s.team.confidence),
            s.team.reason.clone(),
        ),
        (
            tr.t("categorie").to_string(),
            code(&s.category.value, |c, tr| crate::label!(Category, c, tr)),
            pct(s.category.confidence),
            s.category.reason.clone(),
        ),
        (
            tr.t("severite").to_string(),
            code(&s.severity.value, |c, tr| crate::label!(Severity, c, tr)),
            pct(s.severity.confidence),
            s.severity.reason.clone(),
        ),
        (
            tr.t("module").to_string(),
            s.module.value.clone().unwrap_or_else(|| "—".into()),
            pct(s.module.confidence),
            s.module.reason.clone(),
        ),
    ];
    let similar = s
        .similar
        .iter()
        .map(|x| {
            Link::new(
                format!("/support/{}", x.id),
                format!("{} — {}", x.reference, x.subject),
            )
        })
        .collect();
    let apply_team = s
        .team
        .value
        .clone()
        .filter(|v| Some(v) != t.team_id.as_ref())
        .map(|v| (v.clone(), team_name(&Some(v))));
    Some(TriageView {
        rows,
        similar,
        apply_team,
    })
}

fn event_label(field: &str, tr: Tr) -> String {
    match field {
        "status" => tr.t("statut").to_string(),
        "team_id" => tr.t("equipe").to_string(),
        "assignee_id" => tr.t("agent-assigne").to_string(),
        "agent_estimate_at" => tr.t("estimation-de-l-agent").to_string(),
        "shared" => tr.t("partage").to_string(),
        "share_requester" => tr.t("nom-du-demandeur-partage").to_string(),
        "share_attachments" => tr.t("pieces-jointes-partagees").to_string(),
        "incident_id" => tr.t("incident").to_string(),
        "nous_aussi" => tr.t("nous-aussi").to_string(),
        "attachment" => tr.t("piece-jointe").to_string(),
        other => other.to_string(),
    }
}

#[derive(Default)]
pub(super) struct Redo {
    reply: Option<(String, String)>,
    workaround: Option<String>,
}

async fn ticket_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    redo: Redo,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let v = uc::ticket_view(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let t = &v.ticket;
    let agency = actor.role.is_agency();
    let agent = uc::is_agent(actor);
    let mine = actor.institution_id.map(|i| i.to_string()) == Some(t.institution_id.clone());
    let status = TicketStatus::from_code(&t.status).unwrap_or(TicketStatus::Nouveau);
    let teams = desk::teams(&state.app).await.map_err(pe(tr))?;
    let team_name = t
        .team_id
        .as_ref()
        .and_then(|tid| teams.iter().find(|x| &x.id == tid))
        .map(|x| x.name.clone());
    let mut facts = vec![
        (
            tr.t("etablissement").to_string(),
            if agency {
                Cell::link(
                    t.institution_name.clone(),
                    format!("/etablissements/{}", t.institution_id),
                )
            } else {
                Cell::text(t.institution_name.clone())
            },
        ),
        (
            tr.t("demandeur").to_string(),
            Cell::text(t.requester_name.clone()),
        ),
        (
            tr.t("produit").to_string(),
            Cell::link(
                match &t.module {
                    Some(m) => format!("{} — {m}", t.product_name),
                    None => t.product_name.clone(),
                },
                format!("/produits/{}/problemes-connus", t.product_id),
            ),
        ),
        (
            tr.t("categorie").to_string(),
            Cell::text(crate::label!(Category, &t.category, tr)),
        ),
        (
            tr.t("severite").to_string(),
            Cell::text(crate::label!(Severity, &t.severity, tr)),
        ),
        (
            tr.t("statut").to_string(),
            Cell::text(status_label(&t.status, tr)),
        ),
        (
            tr.t("ouvert-le").to_string(),
            Cell::text(fr_datetime(&t.created_at)),
        ),
    ];
    if agency || mine {
        facts.push((
            tr.t("equipe").to_string(),
            Cell::text(team_name.unwrap_or_else(|| "—".into())),
        ));
        facts.push((tr.t("agent").to_string(), Cell::opt(&t.assignee_name)));
        facts.push((
            tr.t("niveau-de-service").to_string(),
            Cell::opt(&t.level_code),
        ));
    }
    if t.shared == 1 {
        facts.push((
            tr.t("partage-2").to_string(),
            Cell::text(format!(
                "{} — {} {}",
                tr.t("oui-2"),
                t.affected_count,
                tr.t("etablissement-s-concerne-s-aussi")
            )),
        ));
    }
    let mut sla = vec![];
    if agency || mine {
        let boxes = [
            (
                tr.t("premiere-reponse").to_string(),
                &t.first_response_due_at,
                &v.first_response,
            ),
            (
                tr.t("resolution").to_string(),
                &t.resolution_due_at,
                &v.resolution,
            ),
        ];
        for (label, due, st) in boxes {
            if let Some(due) = due {
                sla.push(SlaBox {
                    label,
                    due: fr_datetime(due),
                    state: st
                        .as_ref()
                        .map(|s| sla_text(s, tr))
                        .unwrap_or_else(|| "—".into()),
                    code: st
                        .as_ref()
                        .map(|s| s.code().to_string())
                        .unwrap_or_default(),
                });
            }
        }
    }
    let mut clock_notes = vec![];
    if agency || mine {
        if sla.is_empty() {
            clock_notes.push((
                tr.t("engagement-de-service").to_string(),
                tr.t("aucun-contrat-ne-fixe-d-echeance").to_string(),
            ));
        }
        clock_notes.push((
            tr.t("temps-en-attente-de-l-etablissement").to_string(),
            minutes_text(t.paused_minutes, tr),
        ));
        clock_notes.push((
            tr.t("temps-en-attente-de-l-editeur").to_string(),
            minutes_text(t.editor_minutes, tr),
        ));
        clock_notes.push((
            tr.t("estimation-de-l-agent-distincte-de").to_string(),
            opt_dt(&t.agent_estimate_at),
        ));
    }
    let mail = relais_app::mail_read::ticket_mail(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    for b in &mail.bounces {
        facts.push((
            tr.t("courriel-non-distribue").to_string(),
            Cell::text(format!(
                "{} — {}{} — {}",
                b.address,
                b.status.as_deref().unwrap_or(&b.action),
                b.diagnostic
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default(),
                fr_datetime(&b.received_at)
            )),
        ));
    }
    let part = |id: &str| mail.parts.iter().find(|p| p.message_id == id);
    let messages = v
        .messages
        .iter()
        .map(|m| MessageView {
            quoted: part(&m.id).and_then(|p| p.quoted.clone()),
            html: part(&m.id).and_then(|p| p.html.clone()),
            author: m.author_name.clone(),
            at: fr_datetime(&m.created_at),
            internal: m.visibility == "internal",
            body: m.body.clone(),
            channel: if m.channel == "mail" {
                tr.t("par-courriel").to_string()
            } else {
                String::new()
            },
        })
        .collect();
    let statuses: Vec<Opt> = if agent || mine {
        TicketStatus::ALL
            .iter()
            .filter(|s| status.may_move(**s, actor))
            .map(|s| Opt {
                value: s.code().into(),
                label: tr.label(s).into(),
                selected: false,
            })
            .collect()
    } else {
        vec![]
    };
    let (team_opts, agent_opts) = if agent {
        let mut to = vec![Opt {
            value: String::new(),
            label: tr.t("aucune").to_string(),
            selected: t.team_id.is_none(),
        }];
        to.extend(teams.iter().map(|x| Opt {
            selected: t.team_id.as_deref() == Some(x.id.as_str()),
            value: x.id.clone(),
            label: x.name.clone(),
        }));
        let mut ao = vec![Opt {
            value: String::new(),
            label: tr.t("personne-2").to_string(),
            selected: t.assignee_id.is_none(),
        }];
        ao.extend(
            desk::agents(&state.app, actor)
                .await
                .map_err(pe(tr))?
                .into_iter()
                .map(|(i, n)| Opt {
                    selected: t.assignee_id.as_deref() == Some(i.as_str()),
                    value: i,
                    label: n,
                }),
        );
        (to, ao)
    } else {
        (vec![], vec![])
    };
    let estimate = t
        .agent_estimate_at
        .as_deref()
        .and_then(relais_app::stamps::parse_ts)
        .map(|x| x.with_timezone(&Paris).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    let affected = if agency || mine {
        v.followers
            .iter()
            .filter(|f| f.affected == 1)
            .map(|f| f.institution_name.clone())
            .collect()
    } else {
        vec![]
    };
    let workarounds = v
        .workarounds
        .iter()
        .map(|x| WorkaroundView {
            author: x.author_name.clone(),
            at: fr_datetime(&x.created_at),
            body: x.body.clone(),
        })
        .collect();
    let incident = t.incident_id.as_ref().map(|i| {
        Link::new(
            format!("/support/incidents/{i}"),
            tr.t("voir-l-incident").to_string(),
        )
    });
    let incident_choices = if agent && t.incident_id.is_none() {
        let pid = Id::parse(&t.product_id);
        uc::list_incidents(&state.app, actor, pid, true)
            .await
            .map_err(pe(tr))?
            .into_iter()
            .map(|i| Opt {
                value: i.id,
                label: i.title,
                selected: false,
            })
            .collect()
    } else {
        vec![]
    };
    let history = if agency || mine {
        let mut h = Table::new(
            tr,
            tr.t("historique-des-changements").to_string(),
            &[
                tr.t("date"),
                tr.t("par"),
                tr.t("champ"),
                tr.t("avant-2"),
                tr.t("apres"),
            ],
        );
        let show = |field: &str, v: &Option<String>| -> String {
            let Some(v) = v else { return "—".into() };
            match field {
                "status" => status_label(v, tr),
                "team_id" => teams
                    .iter()
                    .find(|x| &x.id == v)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| v.clone()),
                "agent_estimate_at" => fr_datetime(v),
                "shared" | "share_requester" | "share_attachments" => {
                    if v == "1" {
                        tr.t("oui-2").to_string()
                    } else {
                        tr.t("non-2").to_string()
                    }
                }
                "nous_aussi" => tr.t("un-etablissement").to_string(),
                _ => v.clone(),
            }
        };
        for e in &v.events {
            h.rows.push(vec![
                Cell::text(fr_datetime(&e.at)),
                Cell::text(e.actor_name.clone()),
                Cell::text(event_label(&e.field, tr)),
                Cell::text(show(&e.field, &e.before_value)),
                Cell::text(show(&e.field, &e.after_value)),
            ]);
        }
        Some(h)
    } else {
        None
    };
    let attachments = attachments_view(state, actor, id, tr).await?;
    let first_message = v
        .messages
        .iter()
        .find(|m| m.visibility == "public")
        .map(|m| m.body.as_str())
        .unwrap_or("");
    let triage = if agent {
        triage_view(state, actor, t, first_message, &teams, tr).await
    } else {
        None
    };
    let (duplicates, proposal) = if agent && state.app.search.is_some() {
        let (dups, proposal) = relais_app::duplicates::review(&state.app, actor, t, first_message)
            .await
            .unwrap_or_default();
        let mut rows = vec![];
        for c in dups {
            let inst = match c.institution_id.as_deref().and_then(Id::parse) {
                Some(i) => relais_app::crm::get_institution(&state.app, actor, i)
                    .await
                    .map(|r| r.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            rows.push((
                Link::new(format!("/support/{}", c.id), c.title.clone()),
                format!(
                    "{} · {}",
                    inst,
                    c.status
                        .as_deref()
                        .map(|s| status_label(s, tr))
                        .unwrap_or_default()
                ),
                format!("{:.0} %", c.similarity * 100.0),
                c.shared_words.join(", "),
            ));
        }
        let proposal = proposal.map(|p| {
            (
                p.why,
                format!(
                    "/support/incidents/nouveau?ticket={}&tickets={}",
                    id,
                    urlencoding::encode(&p.references.join(" "))
                ),
            )
        });
        (rows, proposal)
    } else {
        (vec![], None)
    };
    let (reply_body, reply_error) = redo.reply.unwrap_or_default();
    let p = TicketPage {
        base: Base::new(auth, format!("{} — {}", t.reference, t.subject)),
        id: t.id.clone(),
        h1: format!("{} — {}", t.reference, t.subject),
        subtitle: format!("{} · {}", t.institution_name, t.product_name),
        facts,
        sla,
        clock_notes,
        messages,
        can_reply: status != TicketStatus::Clos && (agent || mine),
        can_internal: agent,
        reply_body,
        reply_error: (!reply_error.is_empty()).then_some(reply_error),
        statuses,
        agent,
        teams: team_opts,
        agents: agent_opts,
        estimate,
        can_share: agent || mine,
        shared: t.shared == 1,
        share_requester: t.share_requester == 1,
        share_attachments: t.share_attachments == 1,
        can_follow: !agency && !mine && actor.institution_id.is_some(),
        affected_by_me: v.affected_by_me,
        affected_count: t.affected_count,
        affected,
        workarounds,
        can_workaround: (agent || actor.institution_id.is_some())
            && (t.shared == 1 || mine || agent),
        workaround_error: redo.workaround,
        incident,
        incident_choices,
        can_draft_article: agent && !status.is_open(),
        attachments,
        can_attach: status != TicketStatus::Clos && (agent || mine),
        history,
        triage,
        duplicates,
        proposal,
    };
    let code = if p.reply_error.is_some() || p.workaround_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut res = render(&p, tr)?.into_response();
    *res.status_mut() = code;
    Ok(res)
}

pub(super) async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    ticket_page(&state, &auth, id, Redo::default()).await
}

fn back(id: Id, ok: &str) -> Response {
    Redirect::to(&format!("/support/{id}?ok={ok}")).into_response()
}

fn field_error(e: &DomainError) -> Option<String> {
    match e {
        DomainError::Invalid(v) => Some(
            v.iter()
                .map(|f| f.detail.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

pub(super) async fn reply(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let body = form.get("body");
    let internal = form.checked("interne");
    match uc::reply(&state.app, auth.actor(), id, &body, internal, "web", None).await {
        Ok(_) => Ok(back(id, if internal { "note" } else { "reponse" })),
        Err(AppError::Domain(e)) if field_error(&e).is_some() => {
            let redo = Redo {
                reply: Some((body, field_error(&e).unwrap_or_default())),
                ..Default::default()
            };
            ticket_page(&state, &auth, id, redo).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::change_status(&state.app, auth.actor(), id, &form.get("status"))
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "statut"))
}

pub(super) async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::assign(
        &state.app,
        auth.actor(),
        id,
        form.opt("team_id"),
        form.opt("assignee_id"),
    )
    .await
    .map_err(pe(tr))?;
    Ok(back(id, "affectation"))
}

/// `2026-12-01T14:30` typed in Paris time.
fn parse_local(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    Paris
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

pub(super) async fn estimate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let at = match form.opt("estimate") {
        None => None,
        Some(s) => Some(parse_local(&s).ok_or_else(|| {
            PageError::new(
                AppError::from(DomainError::invalid(
                    "invalid_datetime",
                    "estimate",
                    "Date et heure invalides (attendu : AAAA-MM-JJTHH:MM).",
                )),
                tr,
            )
        })?),
    };
    uc::set_estimate(&state.app, auth.actor(), id, at)
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "estimation"))
}

pub(super) async fn share(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::share(
        &state.app,
        auth.actor(),
        id,
        form.checked("shared"),
        form.checked("share_requester"),
        form.checked("share_attachments"),
    )
    .await
    .map_err(pe(tr))?;
    Ok(back(id, "partage"))
}

pub(super) async fn follow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::follow(&state.app, auth.actor(), id, false)
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "suivi"))
}

pub(super) async fn me_too(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::follow(&state.app, auth.actor(), id, true)
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "nous_aussi"))
}

pub(super) async fn workaround(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::add_workaround(&state.app, auth.actor(), id, &form.get("body")).await {
        Ok(_) => Ok(back(id, "contournement")),
        Err(AppError::Domain(e)) if field_error(&e).is_some() => {
            let redo = Redo {
                workaround: field_error(&e),
                ..Default::default()
            };
            ticket_page(&state, &auth, id, redo).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn link_incident(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let incident = Id::parse(&form.get("incident_id")).ok_or_else(|| {
        PageError::new(
            AppError::from(DomainError::invalid(
                "required",
                "incident_id",
                "Choisissez un incident.",
            )),
            tr,
        )
    })?;
    uc::add_to_incident(&state.app, auth.actor(), incident, id)
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "incident"))
}
