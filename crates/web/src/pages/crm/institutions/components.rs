//! An institution's components (page, create).

use super::*;
use crate::kit::form_reply;

pub(super) fn component_fields(tr: Tr, f: &FormData, parents: &[(String, String)]) -> Vec<Field> {
    vec![
        Field::new(tr, "text", "name", tr.t("nom"), f.get("name")).required(),
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(ComponentKind::ALL, tr),
            None,
        )
        .required(),
        Field::new(
            tr,
            "text",
            "code",
            tr.t("code-ex-numero-d-umr"),
            f.get("code"),
        ),
        Field::new(
            tr,
            "text",
            "partner",
            tr.t("partagee-avec-ex-cnrs"),
            f.get("partner"),
        ),
        Field::select(
            tr,
            "parent_id",
            tr.t("composante-parente"),
            &f.get("parent_id"),
            parents.iter().cloned(),
            Some(tr.t("aucune-premier-niveau")),
        ),
    ]
}

pub(super) async fn component_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    f: &FormData,
    err: Option<&relais_domain::DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let inst = uc::get_institution(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let parents: Vec<(String, String)> = uc::list_components(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut fields = component_fields(tr, f, &parents);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = format!("{} — {}", tr.t("nouvelle-composante"), inst.name);
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: format!("/etablissements/{id}/composantes"),
        fields,
        errors,
        submit: tr.t("create").into(),
        cancel: format!("/etablissements/{id}"),
    };
    form_reply(&p, err.is_some(), tr)
}

pub(super) async fn new_component(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(
            relais_domain::DomainError::Forbidden,
            auth.tr,
        ));
    }
    component_page(&state, &auth, id, &FormData::default(), None).await
}

pub(super) async fn create_component(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let input = uc::ComponentInput {
        parent_id: f.opt("parent_id"),
        kind: f.get("kind"),
        name: f.get("name"),
        code: f.opt("code"),
        partner: f.opt("partner"),
    };
    match uc::create_component(&state.app, auth.actor(), id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/etablissements/{id}?ok=component")).into_response()),
        Err(AppError::Domain(e @ relais_domain::DomainError::Invalid(_))) => {
            component_page(&state, &auth, id, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
