//! A phone's passkey for tests: webauthn-authenticator-rs's soft
//! authenticators, made to behave like a discoverable (resident) passkey.
//! They cannot store resident keys, so this wrapper remembers which
//! credential and user handle it made, offers that credential when the
//! server asks without an allow-list (as a phone does), and returns the
//! user handle a resident credential carries.

use serde_json::Value;
use url::Url;
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, WebauthnAuthenticator,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_rs_proto::{AllowCredentials, ResidentKeyRequirement};

pub struct Phone<B> {
    backend: B,
    /// (credential id, user handle) of every passkey made.
    credentials: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Phone<SoftPasskey> {
    pub fn new() -> Self {
        Self {
            backend: SoftPasskey::new(true),
            credentials: Vec::new(),
        }
    }
}

impl Phone<SoftToken> {
    /// A token whose keys can be copied: for the cloned-authenticator test.
    pub fn cloneable() -> Self {
        Self {
            backend: SoftToken::new(true).expect("soft token").0,
            credentials: Vec::new(),
        }
    }

    /// A byte-for-byte copy, counter included.
    pub fn clone_device(&self) -> Self {
        let bytes = self.backend.to_cbor().expect("serialise token");
        Self {
            backend: SoftToken::from_cbor(&bytes).expect("deserialise token"),
            credentials: self.credentials.clone(),
        }
    }
}

impl<B: AuthenticatorBackend> Phone<B> {
    /// Answers a registration challenge (`options` as the server sent it).
    pub fn register(&mut self, origin: &str, options: &Value) -> Value {
        let mut options: CreationChallengeResponse =
            serde_json::from_value(options.clone()).expect("creation options");
        let selection = options
            .public_key
            .authenticator_selection
            .as_mut()
            .expect("selection");
        assert!(
            selection.require_resident_key,
            "Hearth asks for discoverable passkeys"
        );
        // The soft authenticators refuse resident keys; this wrapper stands in.
        selection.require_resident_key = false;
        selection.resident_key = Some(ResidentKeyRequirement::Discouraged);
        let handle = options.public_key.user.id.clone();
        let credential = self
            .backend
            .do_registration(Url::parse(origin).expect("origin"), options)
            .expect("registration");
        self.credentials.push((credential.raw_id.clone(), handle));
        serde_json::to_value(&credential).expect("credential JSON")
    }

    /// Answers a sign-in challenge with the newest passkey, as a phone
    /// offering its resident credential.
    pub fn sign_in(&mut self, origin: &str, options: &Value) -> Value {
        let mut options: RequestChallengeResponse =
            serde_json::from_value(options.clone()).expect("request options");
        let (id, handle) = self
            .credentials
            .last()
            .expect("a passkey on this phone")
            .clone();
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".to_owned(),
            id,
            transports: None,
        }];
        let mut credential = self
            .backend
            .do_authentication(Url::parse(origin).expect("origin"), options)
            .expect("authentication");
        credential.response.user_handle = Some(handle);
        serde_json::to_value(&credential).expect("credential JSON")
    }
}
