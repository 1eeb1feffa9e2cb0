//! Sign-in attempts per IP address and per account: at most 10 a minute,
//! then 429 with `Retry-After`. In memory, by the `Clock`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::AppError;

const WINDOW: TimeDelta = TimeDelta::minutes(1);
const MAX_ATTEMPTS: usize = 10;

#[derive(Default)]
pub struct RateLimiter {
    attempts: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl RateLimiter {
    /// Counts an attempt for every key; refuses if any key is over the limit.
    pub fn attempt(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), AppError> {
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        if attempts.len() > 100_000 {
            attempts.retain(|_, times| times.back().is_some_and(|last| now - *last < WINDOW));
        }
        let mut wait = TimeDelta::zero();
        for key in keys {
            let times = attempts.entry(key.clone()).or_default();
            while times.front().is_some_and(|first| now - *first >= WINDOW) {
                times.pop_front();
            }
            if times.len() >= MAX_ATTEMPTS
                && let Some(first) = times.front()
            {
                wait = wait.max(*first + WINDOW - now);
            }
        }
        if wait > TimeDelta::zero() {
            // Whole seconds, rounded up.
            let seconds = u64::try_from((wait.num_milliseconds() + 999) / 1000).unwrap_or(1);
            return Err(AppError::RateLimited {
                retry_after: seconds,
            });
        }
        for key in keys {
            attempts.entry(key.clone()).or_default().push_back(now);
        }
        Ok(())
    }
}
