//! Attempts per key (an address, an account at an address, a share link):
//! at most `Limit::max` within `Limit::window`, then 429 with
//! `Retry-After`. In memory, by the `Clock`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::AppError;

/// How many attempts a key may make in how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: usize,
    pub seconds: i64,
}

impl Limit {
    /// Sign-in attempts, password tries on a share link, guest comments.
    pub const PER_MINUTE: Self = Self {
        max: 10,
        seconds: 60,
    };

    fn window(self) -> TimeDelta {
        TimeDelta::seconds(self.seconds)
    }
}

/// More keys than this are pruned of those with nothing in the longest
/// window (an hour), at most once a minute (so a flood of new keys costs
/// one scan a minute, not one a request).
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
struct Attempts {
    by_key: HashMap<String, VecDeque<DateTime<Utc>>>,
    pruned_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct RateLimiter {
    attempts: Mutex<Attempts>,
}

impl RateLimiter {
    /// Counts an attempt for every key; refuses if any key is over
    /// `Limit::PER_MINUTE`.
    pub fn attempt(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), AppError> {
        let keyed: Vec<(&str, Limit)> = keys
            .iter()
            .map(|key| (key.as_str(), Limit::PER_MINUTE))
            .collect();
        self.attempt_with(&keyed, now)
    }

    /// Counts an attempt for every key; refuses (counting nothing) if any
    /// key is over its limit.
    pub fn attempt_with(&self, keys: &[(&str, Limit)], now: DateTime<Utc>) -> Result<(), AppError> {
        self.check(keys, now)?;
        self.record(keys.iter().map(|(key, _)| *key), now);
        Ok(())
    }

    /// Refuses if any key is over its limit; counts nothing.
    pub fn check(&self, keys: &[(&str, Limit)], now: DateTime<Utc>) -> Result<(), AppError> {
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = TimeDelta::zero();
        for (key, limit) in keys {
            let Some(times) = attempts.by_key.get_mut(*key) else {
                continue;
            };
            while times
                .front()
                .is_some_and(|first| now - *first >= limit.window())
            {
                times.pop_front();
            }
            if times.len() >= limit.max
                && let Some(first) = times.get(times.len() - limit.max)
            {
                wait = wait.max(*first + limit.window() - now);
            }
        }
        if wait > TimeDelta::zero() {
            // Whole seconds, rounded up.
            let seconds = u64::try_from((wait.num_milliseconds() + 999) / 1000).unwrap_or(1);
            return Err(AppError::RateLimited {
                retry_after: seconds,
            });
        }
        Ok(())
    }

    /// Counts an attempt for every key, whatever its limit.
    pub fn record<'a>(&self, keys: impl IntoIterator<Item = &'a str>, now: DateTime<Utc>) {
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        if attempts.by_key.len() > MAX_KEYS
            && attempts
                .pruned_at
                .is_none_or(|at| now - at >= TimeDelta::minutes(1))
        {
            attempts.pruned_at = Some(now);
            attempts.by_key.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|last| now - *last < TimeDelta::hours(1))
            });
        }
        for key in keys {
            let times = attempts.by_key.entry(key.to_owned()).or_default();
            times.push_back(now);
            // No limit counts further back than this many attempts.
            if times.len() > 1_000 {
                times.pop_front();
            }
        }
    }
}
