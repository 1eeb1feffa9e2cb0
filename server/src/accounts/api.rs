//! HTTP for signing in and out and for one-time links (`AuthApi`), and the
//! shapes the account endpoints share.

use poem::Request;
use poem::web::Data;
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::de::DeserializeOwned;

use super::links::{self, Kind};
use super::principal::{Principal, SessionAuth};
use super::sessions::{self, Client, DEVICE_COOKIE, NewSession, SESSION_COOKIE};
use super::users::{self, NewUser, Role};
use super::{proof, service, totp};
use crate::api::ApiTag;
use crate::db::entities::user;
use crate::error::AppError;
use crate::library::api::Visibility;
use crate::state::AppState;

pub struct AuthApi;

/// You, as the app shows you.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub has_password: bool,
    pub totp_enabled: bool,
    /// What the member uploads starts as: private, or the family's.
    pub default_visibility: Visibility,
}

impl From<&user::Model> for Me {
    fn from(user: &user::Model) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            role: Role::parse(&user.role),
            has_password: user.password_hash.is_some(),
            totp_enabled: user.totp_enabled_at.is_some(),
            default_visibility: Visibility::parse(&user.default_visibility),
        }
    }
}

#[derive(ApiResponse)]
pub enum Done {
    #[oai(status = 204)]
    Done,
}

/// A WebAuthn ceremony to hand to `navigator.credentials`.
#[derive(Debug, Object)]
pub struct PasskeyChallenge {
    /// Send back with the result.
    pub ceremony: String,
    /// `PublicKeyCredentialCreationOptions` or `…RequestOptions` as JSON
    /// (`publicKey`, and `mediation` for sign-in).
    pub options: serde_json::Value,
}

impl PasskeyChallenge {
    pub fn new(ceremony: String, options: &impl serde::Serialize) -> Result<Self, AppError> {
        Ok(Self {
            ceremony,
            options: serde_json::to_value(options).map_err(|err| AppError::Internal(err.into()))?,
        })
    }
}

/// Reads the credential JSON a browser produced (`credential.toJSON()`).
pub fn credential<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, AppError> {
    serde_json::from_value(value.clone()).map_err(|err| {
        AppError::InvalidRequest(format!(
            "That is not a passkey response this server understands: {err}"
        ))
    })
}

/// Proof that it is you, asked again in the request of an action that
/// hands over or removes control (ownership, roles, accounts, recovery
/// links): your password — with a code from your authenticator app or a
/// recovery code when two-step sign-in is on — or a passkey: the ceremony
/// from `/auth/passkey/start` and the browser's `PublicKeyCredential`.
#[derive(Debug, Default, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Reauth {
    #[oai(validator(max_length = 1024))]
    pub password: Option<String>,
    #[oai(validator(max_length = 64))]
    pub code: Option<String>,
    #[oai(validator(max_length = 128))]
    pub ceremony: Option<String>,
    pub credential: Option<serde_json::Value>,
}

impl Reauth {
    /// Checks the proof against the signed-in member (`reauthentication_required`
    /// when none was given; failures are audited and rate limited).
    pub async fn check(&self, state: &AppState, me: &Principal) -> Result<(), AppError> {
        let proof = match (&self.password, &self.ceremony, &self.credential) {
            (Some(password), _, _) => proof::Proof::Password {
                password: password.clone(),
                code: self.code.clone(),
            },
            (None, Some(ceremony), Some(credential)) => proof::Proof::Passkey {
                ceremony: ceremony.clone(),
                credential: Box::new(self::credential(credential)?),
            },
            _ => return Err(AppError::ReauthenticationRequired),
        };
        proof::reauthenticate(state, me, proof).await
    }
}

#[derive(Debug, Object)]
pub struct LinkToken {
    /// The `token` from the link's address.
    #[oai(validator(max_length = 128))]
    pub token: String,
}

/// What a one-time link is for and whether it still works.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LinkInfo {
    pub kind: Kind,
    pub state: links::State,
    /// The role an invite grants.
    pub role: Option<Role>,
    /// For a recovery link: whose account it recovers.
    pub display_name: Option<String>,
    /// A recovery link made in the app works from then (`waiting` until).
    pub usable_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The account a setup or invite link creates (ignored for recovery).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewAccount {
    #[oai(validator(max_length = 64))]
    pub username: String,
    #[oai(validator(max_length = 128))]
    pub display_name: String,
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
}

impl NewAccount {
    fn into_new_user(self) -> NewUser {
        NewUser {
            username: self.username,
            display_name: self.display_name,
            email: self.email,
            role: Role::Member,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LinkWithPassword {
    #[oai(validator(max_length = 128))]
    pub token: String,
    pub account: Option<NewAccount>,
    #[oai(validator(max_length = 512))]
    pub password: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LinkPasskeyStart {
    #[oai(validator(max_length = 128))]
    pub token: String,
    pub account: Option<NewAccount>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PasskeyFinish {
    #[oai(validator(max_length = 128))]
    pub ceremony: String,
    /// The browser's `PublicKeyCredential`, as `toJSON()` gives it.
    pub credential: serde_json::Value,
    /// A name for a new passkey ("Olivia's iPhone").
    #[oai(validator(max_length = 64))]
    pub name: Option<String>,
}

#[derive(Debug, Object)]
pub struct PasswordSignIn {
    #[oai(validator(max_length = 64))]
    pub username: String,
    #[oai(validator(max_length = 512))]
    pub password: String,
}

#[derive(Debug, Object)]
pub struct SecondFactorNeeded {
    /// Send with the code to `/auth/second-factor`.
    pub ceremony: String,
}

#[derive(Debug, Object)]
pub struct SecondFactor {
    #[oai(validator(max_length = 128))]
    pub ceremony: String,
    /// A 6-digit code from the authenticator app, or a recovery code.
    #[oai(validator(max_length = 32))]
    pub code: String,
}

/// Whether this browser is signed in.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SessionState {
    /// The signed-in member, or null.
    pub user: Option<Me>,
}

#[derive(ApiResponse)]
pub enum SignInResponse {
    /// Signed in.
    #[oai(status = 200)]
    SignedIn(Json<Me>),
    /// The password was right; two-step codes are on, so a code is next.
    #[oai(status = 202)]
    SecondFactor(Json<SecondFactorNeeded>),
}

/// Sets the session and device cookies for a new session.
fn set_cookies(jar: &CookieJar, state: &AppState, session: &NewSession) {
    let secure = state.config().public_url().scheme() == "https";
    let max_age =
        std::time::Duration::from_hours(u64::from(state.config().auth.session_max_days) * 24);
    let mut cookie = Cookie::new_with_str(SESSION_COOKIE, &session.token);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(secure);
    cookie.set_max_age(max_age);
    jar.add(cookie);
    let mut device = Cookie::new_with_str(DEVICE_COOKIE, &session.device);
    device.set_http_only(true);
    device.set_same_site(SameSite::Lax);
    device.set_path("/");
    device.set_secure(secure);
    device.set_max_age(std::time::Duration::from_hours(400 * 24));
    jar.add(device);
}

/// Starts a session for a user who just proved who they are.
async fn sign_in(
    state: &AppState,
    jar: &CookieJar,
    user: &user::Model,
    client: &Client,
    method: &'static str,
) -> Result<Json<Me>, AppError> {
    let session = service::start_session(state, user, client, method).await?;
    set_cookies(jar, state, &session);
    Ok(Json(Me::from(user)))
}

#[OpenApi(tag = "ApiTag::Auth")]
impl AuthApi {
    /// What a one-time link is for, and whether it still works.
    #[oai(
        path = "/links/inspect",
        method = "post",
        operation_id = "inspect_link"
    )]
    async fn inspect_link(
        &self,
        state: Data<&AppState>,
        body: Json<LinkToken>,
    ) -> Result<Json<LinkInfo>, AppError> {
        let (kind, link) = links::find(state.db(), &body.token).await?.ok_or_else(|| {
            AppError::LinkUnusable(
                "This link is not valid. Check that it was copied completely.".into(),
            )
        })?;
        let display_name = match (kind, link.user_id) {
            (Kind::Recovery, Some(id)) => Some(users::find(state.db(), id).await?.display_name),
            _ => None,
        };
        let mut link_state = links::state(&link, state.now());
        if kind == Kind::Setup
            && link_state == links::State::Valid
            && users::owner_exists(state.db()).await?
        {
            link_state = links::State::Used;
        }
        Ok(Json(LinkInfo {
            kind,
            state: link_state,
            role: link.role.as_deref().map(Role::parse),
            display_name,
            usable_at: link.usable_at,
        }))
    }

    /// Use a setup, invite or recovery link with a password.
    ///
    /// Setup and invites create the account from `account`; a recovery link
    /// sets a new password on its member's account. Signs in.
    #[oai(
        path = "/links/password",
        method = "post",
        operation_id = "use_link_with_password"
    )]
    async fn link_with_password(
        &self,
        req: &Request,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<LinkWithPassword>,
    ) -> Result<Json<Me>, AppError> {
        let client = Client::of(req);
        let Json(body) = body;
        let new_user = body.account.map(NewAccount::into_new_user);
        let user = service::finish_link_with_password(
            &state,
            &body.token,
            new_user,
            &body.password,
            &client,
        )
        .await?;
        sign_in(&state, jar, &user, &client, "password").await
    }

    /// Start using a setup, invite or recovery link with a passkey.
    #[oai(
        path = "/links/passkey/start",
        method = "post",
        operation_id = "start_link_passkey"
    )]
    async fn link_passkey_start(
        &self,
        req: &Request,
        state: Data<&AppState>,
        body: Json<LinkPasskeyStart>,
    ) -> Result<Json<PasskeyChallenge>, AppError> {
        let Json(body) = body;
        let new_user = body.account.map(NewAccount::into_new_user);
        let (ceremony, options) =
            service::start_link_passkey(&state, &body.token, new_user, &Client::of(req)).await?;
        Ok(Json(PasskeyChallenge::new(ceremony, &options)?))
    }

    /// Finish using a link with the passkey the browser made. Signs in.
    #[oai(
        path = "/links/passkey/finish",
        method = "post",
        operation_id = "finish_link_passkey"
    )]
    async fn link_passkey_finish(
        &self,
        req: &Request,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<PasskeyFinish>,
    ) -> Result<Json<Me>, AppError> {
        let client = Client::of(req);
        let registration = credential(&body.credential)?;
        let name = body.name.clone().unwrap_or_else(|| client.label());
        let user =
            service::finish_link_passkey(&state, &body.ceremony, &registration, &name, &client)
                .await?;
        sign_in(&state, jar, &user, &client, "passkey").await
    }

    /// Start signing in with a passkey (no username needed).
    ///
    /// `options.mediation` is `conditional`: pass it on for the browser's
    /// passkey autofill, or drop it for a sign-in button.
    #[oai(
        path = "/auth/passkey/start",
        method = "post",
        operation_id = "start_passkey_sign_in"
    )]
    async fn passkey_start(
        &self,
        req: &Request,
        state: Data<&AppState>,
    ) -> Result<Json<PasskeyChallenge>, AppError> {
        let (ceremony, options) = service::start_sign_in(&state, &Client::of(req))?;
        Ok(Json(PasskeyChallenge::new(ceremony, &options)?))
    }

    /// Finish signing in with a passkey.
    #[oai(
        path = "/auth/passkey/finish",
        method = "post",
        operation_id = "finish_passkey_sign_in"
    )]
    async fn passkey_finish(
        &self,
        req: &Request,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<PasskeyFinish>,
    ) -> Result<Json<Me>, AppError> {
        let client = Client::of(req);
        let assertion = credential(&body.credential)?;
        let user = service::finish_sign_in(&state, &body.ceremony, &assertion, &client).await?;
        sign_in(&state, jar, &user, &client, "passkey").await
    }

    /// Sign in with a username and password.
    ///
    /// A wrong username and a wrong password get the same answer. With
    /// two-step codes on, the answer is 202 and a code comes next.
    #[oai(
        path = "/auth/password",
        method = "post",
        operation_id = "sign_in_with_password"
    )]
    async fn sign_in_password(
        &self,
        req: &Request,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<PasswordSignIn>,
    ) -> Result<SignInResponse, AppError> {
        let client = Client::of(req);
        match service::check_password(&state, &body.username, &body.password, &client).await? {
            service::PasswordOutcome::SignedIn(user) => Ok(SignInResponse::SignedIn(
                sign_in(&state, jar, &user, &client, "password").await?,
            )),
            service::PasswordOutcome::SecondFactor(ceremony) => {
                Ok(SignInResponse::SecondFactor(Json(SecondFactorNeeded {
                    ceremony,
                })))
            }
        }
    }

    /// The two-step code after a correct password (or a recovery code).
    #[oai(
        path = "/auth/second-factor",
        method = "post",
        operation_id = "sign_in_second_factor"
    )]
    async fn second_factor(
        &self,
        req: &Request,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<SecondFactor>,
    ) -> Result<Json<Me>, AppError> {
        let client = Client::of(req);
        let user = totp::second_factor(&state, &body.ceremony, &body.code, &client).await?;
        sign_in(&state, jar, &user, &client, "password+totp").await
    }

    /// Who this browser is signed in as, if anyone.
    ///
    /// Always 200, so a page can ask without an error in the console.
    #[oai(path = "/auth/session", method = "get", operation_id = "session")]
    async fn session(
        &self,
        req: &Request,
        state: Data<&AppState>,
    ) -> Result<Json<SessionState>, AppError> {
        let Some(cookie) = req.cookie().get(SESSION_COOKIE) else {
            return Ok(Json(SessionState { user: None }));
        };
        let found = sessions::lookup(
            state.db(),
            &state.config().auth,
            cookie.value_str(),
            &Client::of(req),
            state.now(),
        )
        .await?;
        Ok(Json(SessionState {
            user: found.map(|(_, user)| Me::from(&user)),
        }))
    }

    /// Sign out of this browser.
    #[oai(path = "/auth/signout", method = "post", operation_id = "sign_out")]
    async fn sign_out(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        jar: &CookieJar,
    ) -> Result<Done, AppError> {
        let me = &auth.0;
        let id = me.require_session()?;
        sessions::revoke(state.db(), me.user.id, id).await?;
        jar.remove(SESSION_COOKIE);
        Ok(Done::Done)
    }
}
