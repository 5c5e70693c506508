//! `/login`: the sign-in form and its handler. Each attempt passes, in this order, the signed
//! form token (login CSRF), the per-address and per-name limits, and the bounded hashing queue
//! ([`crate::auth::guard`]); only then is a password hash computed, for a known name or not.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::html;

use crate::auth::guard;
use crate::auth::{self, Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::t;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

/// How long a sign-in form stays usable.
const FORM_TTL_SECS: i64 = 3600;

pub async fn login_form(State(state): State<AppState>, caller: Caller) -> PageResult<Response> {
    let token = auth::login_token(&state.login_key, FORM_TTL_SECS)?;
    let page = layout(
        &t("title-sign-in"),
        &caller,
        html! {
            form method="post" action="/login" class="form" id="login" {
                input type="hidden" name="csrf" value=(token);
                label { (t("login-name")) input type="text" name="name" id="name" autocomplete="username" required; }
                label { (t("login-password")) input type="password" name="password" id="password" autocomplete="current-password" required; }
                button type="submit" id="submit" { (t("sign-in")) }
            }
        },
    );
    Ok((
        [(
            header::SET_COOKIE,
            auth::set_cookie(
                &state,
                LOGIN_CSRF_COOKIE,
                &token,
                FORM_TTL_SECS.unsigned_abs(),
            ),
        )],
        page,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult<Response> {
    // The form's token must be one this server signed (and not expired), and match the cookie
    // set with it, so the form was loaded by this browser from this site.
    let cookie = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !auth::same_secret(cookie, &form.csrf) || !auth::login_token_valid(&state.login_key, cookie)
    {
        return Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            t("err-login-csrf"),
        )));
    }
    let address = guard::client_address(
        &state.config.trusted_proxies,
        peer.map(|Extension(ConnectInfo(a))| a.ip()),
        &headers,
    );
    if let Err(r) = state.login_guard.check_limits(address, &form.name) {
        return Ok(r.into_response());
    }
    let admitted = match state.login_guard.admit().await {
        Ok(a) => a,
        Err(r) => return Ok(r.into_response()),
    };
    let st = state.clone();
    let token = blocking(move || {
        let found = st.accounts().account(&form.name)?;
        // Unknown (and disabled) names cost the same hash check, in the same bounded queue, so
        // neither timing nor memory tells which names exist.
        let hash = found
            .as_ref()
            .map_or(auth::dummy_hash(), |(_, h)| h.as_str());
        let ok = st.login_guard.verify(&admitted, &form.password, hash) && found.is_some();
        drop(admitted);
        if !ok {
            return Ok(None);
        }
        auth::start_session(&st, &form.name).map(Some)
    })
    .await?;
    let Some(token) = token else {
        return Err(PageError(ApiError::unauthorized(t("err-login-wrong"))));
    };
    let ttl = state.config.session_ttl.as_secs();
    let mut resp = Redirect::to("/").into_response();
    let headers = resp.headers_mut();
    if let Ok(v) = auth::set_cookie(&state, SESSION_COOKIE, &token, ttl).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    if let Ok(v) = auth::set_cookie(&state, LOGIN_CSRF_COOKIE, "", 0).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    Ok(resp)
}
