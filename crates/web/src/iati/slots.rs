//! How many uploads `/import` takes at once. Checking an upload costs seconds of CPU (a zip of
//! ten thousand tiny members took 25 s) and up to the upload limit of disk, and a viewer may
//! send one; without a bound one signed-in account could keep every core busy and fill the
//! temporary directory by sending uploads side by side. So each account has one upload in hand
//! at a time (taken before the body is read, which bounds disk), and the server checks at most
//! `max_concurrent_uploads` at once (taken once the body is in, so a client sending its body
//! slowly holds no one else's place); an upload beyond either is refused at once (429 for the
//! account's second, 503 when the server is full), with `Retry-After`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::guard::Refused;
use crate::error::ApiError;
use crate::i18n::t;

/// Seconds a refused client is asked to wait: about what checking a large upload takes.
const RETRY_AFTER_SECS: u64 = 30;

pub struct UploadSlots {
    /// Accounts with an upload in hand.
    accounts: Arc<Mutex<HashSet<String>>>,
    /// Uploads in hand, all accounts together.
    all: Arc<Semaphore>,
}

/// Held from the first byte of an upload's body until its report is built, with the server's
/// permit from when checking starts; dropping it frees both.
#[derive(Debug)]
pub struct UploadSlot {
    accounts: Arc<Mutex<HashSet<String>>>,
    account: String,
    checking: Option<OwnedSemaphorePermit>,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.account);
    }
}

impl UploadSlots {
    pub fn new(max_concurrent_uploads: usize) -> Self {
        Self {
            accounts: Arc::default(),
            all: Arc::new(Semaphore::new(max_concurrent_uploads.max(1))),
        }
    }

    /// The account's place for one upload, taken before its body is read; the refusal to send
    /// instead when the account already has one in hand.
    pub fn try_take(&self, account: &str) -> Result<UploadSlot, Refused> {
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        if !accounts.insert(account.to_owned()) {
            return Err(refused(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "import-err-own-upload",
            ));
        }
        Ok(UploadSlot {
            accounts: Arc::clone(&self.accounts),
            account: account.to_owned(),
            checking: None,
        })
    }

    /// The server's permit to check the upload whose body is in; the refusal to send instead
    /// when the server already checks its limit. Taking it twice for one slot is harmless.
    pub fn start_checking(&self, slot: &mut UploadSlot) -> Result<(), Refused> {
        if slot.checking.is_none() {
            let permit =
                self.all.clone().try_acquire_owned().map_err(|_| {
                    refused(StatusCode::SERVICE_UNAVAILABLE, "busy", "import-err-busy")
                })?;
            slot.checking = Some(permit);
        }
        Ok(())
    }
}

fn refused(status: StatusCode, code: &'static str, message_id: &str) -> Refused {
    Refused {
        error: Box::new(ApiError::new(status, code, t(message_id))),
        retry_after_secs: RETRY_AFTER_SECS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_holds_one_upload_at_a_time() {
        let slots = UploadSlots::new(4);
        let first = slots.try_take("ada").unwrap();
        let second = slots.try_take("ada").unwrap_err();
        assert_eq!(second.error.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(second.error.code, "rate_limited");
        assert!(
            slots.try_take("vic").is_ok(),
            "another account is not held up"
        );
        drop(first);
        assert!(
            slots.try_take("ada").is_ok(),
            "free again once the first is done"
        );
    }

    #[test]
    fn the_server_checks_at_most_its_limit() {
        let slots = UploadSlots::new(2);
        let mut a = slots.try_take("a").unwrap();
        let mut b = slots.try_take("b").unwrap();
        let mut c = slots.try_take("c").unwrap();
        slots.start_checking(&mut a).unwrap();
        slots.start_checking(&mut b).unwrap();
        let refused = slots.start_checking(&mut c).unwrap_err();
        assert_eq!(refused.error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.error.code, "busy");
        assert_eq!(refused.retry_after_secs, RETRY_AFTER_SECS);
        drop(b);
        assert!(slots.start_checking(&mut c).is_ok());
    }

    #[test]
    fn receiving_holds_no_server_permit() {
        let slots = UploadSlots::new(1);
        let _slow_sender = slots.try_take("a").unwrap();
        let mut b = slots.try_take("b").unwrap();
        assert!(
            slots.start_checking(&mut b).is_ok(),
            "an upload still arriving does not keep another from being checked"
        );
    }

    #[test]
    fn a_refused_check_leaves_the_account_free_once_dropped() {
        let slots = UploadSlots::new(1);
        let mut a = slots.try_take("a").unwrap();
        slots.start_checking(&mut a).unwrap();
        let mut b = slots.try_take("b").unwrap();
        assert!(slots.start_checking(&mut b).is_err(), "server full");
        drop(b);
        drop(a);
        let mut again = slots.try_take("b").unwrap();
        assert!(slots.start_checking(&mut again).is_ok());
    }
}
