//! The phone forms "device down" and "back in service", kept apart from `pages.rs` so that file
//! stays under 1,000 lines.

use super::*;

fn down_page(
    caller: &Caller,
    p: &Principal,
    ledger: &Ledger,
    id: &RecordId,
    open: bool,
    error: Option<&ApiError>,
) -> Html<String> {
    let a = ledger.assets.get(id);
    let csrf = p.csrf.clone().unwrap_or_default();
    let title = format!(
        "{} {}",
        t("assets-report-down"),
        a.map_or_else(|| id.to_string(), |a| a.inventory_tag.clone())
    );
    layout(
        &title,
        caller,
        html! {
            @if let Some(a) = a { p { (ledger.facility_name(&a.facility)) " · " a href=(format!("/assets/{id}")) { (id) } } }
            @if let Some(e) = error { p class="error" id="error" { (t("asset-not-saved")) ": " (refusal(e)) } }
            form method="post" action=(format!("/assets/{id}/down")) class="phone" id="down-form" {
                input type="hidden" name="csrf" value=(csrf);
                label { (t("assets-cause")) br;
                    select name="cause" id="cause" required {
                        @for c in CAUSES { option value=(c.as_str()) { (t(&format!("assets-cause-{}", c.as_str().replace('_', "-")))) } }
                    }
                }
                br;
                label { (t("asset-when")) br; input type="text" name="at" id="at" inputmode="numeric" placeholder="2025-03-01T10:00+05:00"; }
                br;
                label { (t("assets-note")) br; textarea name="note" rows="3" maxlength="1000" {} }
                br;
                button type="submit" id="submit-down" { (t("assets-report-down")) }
            }
            @if open {
                form method="post" action=(format!("/assets/{id}/up")) class="phone" id="up-form" {
                    input type="hidden" name="csrf" value=(csrf);
                    label { (t("asset-when")) br; input type="text" name="at" inputmode="numeric" placeholder="2025-03-01T10:00+05:00"; }
                    br;
                    label { (t("assets-note")) br; textarea name="note" rows="2" maxlength="1000" {} }
                    br;
                    button type="submit" id="submit-up" { (t("assets-back-in-service")) }
                }
            }
        },
    )
}

/// A refusal of the phone form in the reader's language: the service's rules and this form's
/// own checks carry a message id (a state named by its label); anything else (a server-side
/// refusal without one) keeps its sentence.
fn refusal(e: &ApiError) -> String {
    let Some(p) = e.problem.as_deref() else {
        return e.message.clone();
    };
    match &p.id {
        Some(id) if id.id == aidtrace_domain::error::ProblemId::NotInService => {
            crate::labels::problem_text(id, &word("state", &p.value))
        }
        _ => crate::error::error_text(e),
    }
}

/// When the report says it happened: empty is now; otherwise the shared parser (a bare date is
/// 00:00 UTC, offsets are converted). A time in the future is refused by the service rules.
fn at_of(form: &FormMap) -> ApiResult<NaiveDateTime> {
    let raw = form.get("at").map(|s| s.trim()).unwrap_or_default();
    if raw.is_empty() {
        return Ok(now());
    }
    instant::parse(raw).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_time",
            format!("at {raw:?} is not a time: expected {}", instant::FORMATS),
        )
        .with_field("at")
        .said(raw, Msg::new("asset-err-time"))
    })
}

fn has_open_downtime(ledger: &Ledger, id: &RecordId) -> bool {
    ledger
        .downtimes
        .values()
        .any(|d| d.asset == *id && d.end.is_none())
}

pub async fn down_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    let p = caller.require()?.clone();
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    may_report(&p, &snap.ledger, &id)?;
    let open = has_open_downtime(&snap.ledger, &id);
    Ok(down_page(&caller, &p, &snap.ledger, &id, open, None))
}

/// Form fields kept as a map so a missing or unknown field is our error message, not axum's.
type FormMap = BTreeMap<String, String>;

fn note_of(form: &FormMap) -> ApiResult<Option<String>> {
    let note = form.get("note").map(|s| s.trim()).unwrap_or_default();
    if note.chars().count() > 1000 {
        return Err(ApiError::bad_request(
            "invalid_note",
            format!("note is {} characters; at most 1000", note.chars().count()),
        )
        .with_field("note")
        .said("", Msg::new("asset-err-note")));
    }
    Ok((!note.is_empty()).then(|| note.to_string()))
}

/// A "device down" or "back in service" form post that may be acted on: the caller is signed in,
/// the form carries the session's CSRF token, the asset exists and is in the caller's scope.
/// Checked in this order, so an anonymous post is a 401 and a forged one a 403 before anything
/// about the asset is revealed.
pub struct ReportPost {
    caller: Caller,
    principal: Principal,
    id: RecordId,
    snap: Arc<Snapshot>,
    form: FormMap,
}

impl FromRequest<AppState> for ReportPost {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let caller = Caller::from_request_parts(&mut parts, state).await?;
        let Path(raw) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(|e| ApiError::not_found(e.body_text()).with_field("id"))?;
        let principal = caller.require()?.clone();
        let Form(form) = Form::<FormMap>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_form", e.body_text()))?;
        auth::check_csrf(
            &principal,
            form.get("csrf").map(String::as_str).unwrap_or_default(),
        )?;
        let id = parse_id(&raw)?;
        let snap = state.snapshot().await?;
        may_report(&principal, &snap.ledger, &id)?;
        Ok(Self {
            caller,
            principal,
            id,
            snap,
            form,
        })
    }
}

impl ReportPost {
    /// The form again with the refusal, for a client error; a server error stays an error page.
    fn refused(&self, e: ApiError) -> PageResult<Response> {
        if !e.status.is_client_error() {
            return Err(PageError(e));
        }
        let open = has_open_downtime(&self.snap.ledger, &self.id);
        Ok((
            e.status,
            down_page(
                &self.caller,
                &self.principal,
                &self.snap.ledger,
                &self.id,
                open,
                Some(&e),
            ),
        )
            .into_response())
    }

    /// Runs one write with the rules reading the asset's history through the indexes, then drops
    /// the snapshot so the register and indicators show the change on the next request.
    async fn write<T: Send + 'static>(
        &self,
        state: &AppState,
        f: impl FnOnce(&mut aidtrace_service::Aidtrace, HistorySource<'_>) -> ApiResult<T>
        + Send
        + 'static,
    ) -> ApiResult<T> {
        let st = state.clone();
        let result = blocking(move || {
            let mut app = st.service();
            let queries = st.reader()?;
            f(&mut app, HistorySource::Indexed(queries.store()))
        })
        .await;
        state.invalidate();
        result
    }

    fn done(&self) -> Response {
        Redirect::to(&format!("/assets/{}", self.id)).into_response()
    }
}

pub async fn down_submit(State(state): State<AppState>, post: ReportPost) -> PageResult<Response> {
    let parsed = parse_cause(
        post.form
            .get("cause")
            .map(String::as_str)
            .unwrap_or_default(),
    )
    .and_then(|c| Ok((c, note_of(&post.form)?, at_of(&post.form)?)));
    let (cause, note, at) = match parsed {
        Ok(v) => v,
        Err(e) => return post.refused(e),
    };
    let (name, asset) = (post.principal.name.clone(), post.id.clone());
    let result = post
        .write(&state, move |app, source| {
            Ok(svc::report_down(
                app,
                source,
                &name,
                DeviceDown {
                    asset,
                    at,
                    cause,
                    reported_by: Some(name.clone()),
                    note,
                },
            )?)
        })
        .await;
    match result {
        Ok(_) => Ok(post.done()),
        Err(e) => post.refused(e),
    }
}

pub async fn up_submit(State(state): State<AppState>, post: ReportPost) -> PageResult<Response> {
    let (note, at) = match note_of(&post.form).and_then(|n| Ok((n, at_of(&post.form)?))) {
        Ok(v) => v,
        Err(e) => return post.refused(e),
    };
    let (name, asset) = (post.principal.name.clone(), post.id.clone());
    let result = post
        .write(&state, move |app, source| {
            Ok(svc::return_to_service(
                app, source, &name, &asset, at, note,
            )?)
        })
        .await;
    match result {
        Ok(_) => Ok(post.done()),
        Err(e) => post.refused(e),
    }
}
