//! How many uploads `/import` takes at once. Checking an upload costs seconds of CPU (a zip of
//! ten thousand tiny members took 25 s) and up to the upload limit of disk, and a viewer may
//! send one; without a bound one signed-in account could keep every core busy and fill the
//! temporary directory by sending uploads side by side. So each account has one upload in hand
//! at a time, and the server at most `max_concurrent_uploads`; an upload beyond either is
//! refused at once (429 for the account's second, 503 when the server is full), with
//! `Retry-After`, before its body is read.

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

/// Held from the first byte of an upload's body until its report is built; dropping it frees
/// the account's and the server's slot.
#[derive(Debug)]
pub struct UploadSlot {
    accounts: Arc<Mutex<HashSet<String>>>,
    account: String,
    _permit: OwnedSemaphorePermit,
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

    /// A slot for `account`'s upload, or the refusal to send instead.
    pub fn try_take(&self, account: &str) -> Result<UploadSlot, Refused> {
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        if accounts.contains(account) {
            return Err(refused(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "import-err-own-upload",
            ));
        }
        let permit = self
            .all
            .clone()
            .try_acquire_owned()
            .map_err(|_| refused(StatusCode::SERVICE_UNAVAILABLE, "busy", "import-err-busy"))?;
        accounts.insert(account.to_owned());
        Ok(UploadSlot {
            accounts: Arc::clone(&self.accounts),
            account: account.to_owned(),
            _permit: permit,
        })
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
    fn the_server_holds_at_most_its_limit() {
        let slots = UploadSlots::new(2);
        let _a = slots.try_take("a").unwrap();
        let b = slots.try_take("b").unwrap();
        let refused = slots.try_take("c").unwrap_err();
        assert_eq!(refused.error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.error.code, "busy");
        assert_eq!(refused.retry_after_secs, RETRY_AFTER_SECS);
        drop(b);
        assert!(slots.try_take("c").is_ok());
    }

    #[test]
    fn a_refused_account_is_not_left_marked() {
        let slots = UploadSlots::new(1);
        let a = slots.try_take("a").unwrap();
        assert!(slots.try_take("b").is_err(), "server full");
        drop(a);
        assert!(
            slots.try_take("b").is_ok(),
            "b's refusal did not mark b as holding an upload"
        );
    }
}
