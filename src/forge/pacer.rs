//! Pacing inside GitHub's limits, so drydock slows itself down before GitHub has to.
//!
//! - Content-creating requests (POST/PATCH/PUT/DELETE, GraphQL mutations) go one at a time, at
//!   least `write_interval` apart, at most `writes_per_minute` in any 60 s and
//!   `writes_per_hour` in any hour (GitHub's secondary limits: 80/min, 500/h, "wait at least one
//!   second between each request").
//! - Reads: at most `concurrency` in flight (GitHub allows 100 concurrent requests in all).
//! - The primary limit: from `x-ratelimit-remaining` / `x-ratelimit-reset` of every answer;
//!   when `primary_reserve` or fewer remain, drydock waits for the reset before sending more.
//!
//! Every wait goes through [`Pacer::wait`]: reported to the observer (the command line shows
//! it) and logged; no sleep anywhere else in the forge.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{Semaphore, SemaphorePermit};

use super::config::Limits;

/// Why drydock waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitReason {
    /// `write_interval` between content-creating requests.
    WriteInterval,
    WritesPerMinute,
    WritesPerHour,
    /// The primary limit is (nearly) used up until its reset.
    PrimaryLimit,
    /// GitHub said how long (`retry-after`).
    RetryAfter,
    /// A secondary limit without `retry-after`: the backoff.
    SecondaryLimit,
    /// A 5xx, reset or timeout on a request that is safe to repeat.
    Transient,
}

/// One wait, as reported.
#[derive(Debug, Clone)]
pub struct Wait {
    pub reason: WaitReason,
    pub duration: Duration,
    /// What the wait is for (`GET /orgs/acme/repos`).
    pub detail: String,
}

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match self.reason {
            WaitReason::WriteInterval => "spacing writes",
            WaitReason::WritesPerMinute => "at most the configured writes per minute",
            WaitReason::WritesPerHour => "at most the configured writes per hour",
            WaitReason::PrimaryLimit => "GitHub's rate limit is nearly used up until its reset",
            WaitReason::RetryAfter => "GitHub asked to retry later (retry-after)",
            WaitReason::SecondaryLimit => "GitHub's secondary rate limit",
            WaitReason::Transient => "GitHub failed; retrying",
        };
        write!(
            f,
            "waiting {:.1} s: {why} ({})",
            self.duration.as_secs_f64(),
            self.detail
        )
    }
}

/// Added to the 60 s and one-hour windows. GitHub counts a request when it arrives, the pacer
/// when it lets it go, and the way there takes longer for some (a new connection, a busy
/// server): a write let go exactly 60 s after another can arrive less than 60 s after it and be
/// the one over the limit. A second's margin keeps GitHub's count inside the limit too, at a
/// cost of under 2% of the pace.
const WINDOW_MARGIN: Duration = Duration::from_secs(1);

/// Who hears about waits.
pub type WaitObserver = Arc<dyn Fn(&Wait) + Send + Sync>;

#[derive(Debug, Clone, Copy)]
struct Primary {
    remaining: u64,
    reset: u64,
}

/// The pacer shared by every request of one client.
pub struct Pacer {
    limits: Limits,
    reads: Semaphore,
    writes: tokio::sync::Mutex<VecDeque<Instant>>,
    /// Held from a write's start until its answer: GitHub asks for content-creating requests
    /// one at a time, not merely started one at a time.
    writing: tokio::sync::Mutex<()>,
    primary: Mutex<BTreeMap<String, Primary>>,
    observer: WaitObserver,
}

impl Pacer {
    pub fn new(limits: Limits, observer: WaitObserver) -> Pacer {
        Pacer {
            reads: Semaphore::new(limits.concurrency.max(1)),
            limits,
            writes: tokio::sync::Mutex::new(VecDeque::new()),
            writing: tokio::sync::Mutex::new(()),
            primary: Mutex::new(BTreeMap::new()),
            observer,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Waits `duration`, reporting it first.
    pub async fn wait(&self, reason: WaitReason, duration: Duration, detail: &str) {
        if duration.is_zero() {
            return;
        }
        let wait = Wait {
            reason,
            duration,
            detail: detail.to_string(),
        };
        tracing::info!("{wait}");
        (self.observer)(&wait);
        tokio::time::sleep(duration).await;
    }

    /// A slot for a read; held while the request is in flight.
    pub async fn read_slot(&self) -> SemaphorePermit<'_> {
        self.reads
            .acquire()
            .await
            .expect("the read semaphore is never closed")
    }

    /// Waits until a content-creating request may go, and counts it. Writes are serialised: the
    /// returned guard is held until the request's answer arrives, so the next write waits for it.
    pub async fn write_slot(&self, detail: &str) -> tokio::sync::MutexGuard<'_, ()> {
        let writing = self.writing.lock().await;
        const MINUTE: Duration = Duration::from_secs(60).saturating_add(WINDOW_MARGIN);
        const HOUR: Duration = Duration::from_secs(3600).saturating_add(WINDOW_MARGIN);
        let mut sent = self.writes.lock().await;
        // Bounded: each pass either returns or sleeps until the earliest entry ages out.
        for _ in 0..4 {
            let now = Instant::now();
            while sent.front().is_some_and(|t| now.duration_since(*t) >= HOUR) {
                sent.pop_front();
            }
            let mut need = (Duration::ZERO, WaitReason::WriteInterval);
            if let Some(last) = sent.back() {
                let gap = self.limits.write_interval;
                let since = now.duration_since(*last);
                if since < gap {
                    need = (gap - since, WaitReason::WriteInterval);
                }
            }
            let minute: Vec<&Instant> = sent
                .iter()
                .filter(|t| now.duration_since(**t) < MINUTE)
                .collect();
            if minute.len() >= self.limits.writes_per_minute as usize {
                let oldest = minute[minute.len() - self.limits.writes_per_minute as usize];
                let free = MINUTE.saturating_sub(now.duration_since(*oldest));
                if free > need.0 {
                    need = (free, WaitReason::WritesPerMinute);
                }
            }
            if sent.len() >= self.limits.writes_per_hour as usize {
                let oldest = sent[sent.len() - self.limits.writes_per_hour as usize];
                let free = HOUR.saturating_sub(now.duration_since(oldest));
                if free > need.0 {
                    need = (free, WaitReason::WritesPerHour);
                }
            }
            if need.0.is_zero() {
                break;
            }
            self.wait(need.1, need.0, detail).await;
        }
        sent.push_back(Instant::now());
        writing
    }

    /// Waits for the primary limit's reset when `primary_reserve` or fewer requests remain of
    /// `resource` (`core`, `graphql`). Returns the wait it refused, when the reset is further
    /// away than `max_wait`.
    pub async fn before_request(&self, resource: &str, detail: &str) -> Result<(), Duration> {
        let state = self
            .primary
            .lock()
            .expect("pacer lock")
            .get(resource)
            .copied();
        let Some(p) = state else { return Ok(()) };
        if p.remaining > u64::from(self.limits.primary_reserve) {
            return Ok(());
        }
        let now = epoch_now();
        if p.reset < now {
            return Ok(());
        }
        let wait = Duration::from_secs(p.reset - now + 1);
        if wait > self.limits.max_wait {
            return Err(wait);
        }
        self.wait(WaitReason::PrimaryLimit, wait, detail).await;
        self.primary.lock().expect("pacer lock").remove(resource);
        Ok(())
    }

    /// Takes in the rate-limit headers of an answer.
    pub fn observe(&self, headers: &reqwest::header::HeaderMap) {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let (Some(remaining), Some(reset)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-reset"))
        else {
            return;
        };
        let resource = headers
            .get("x-ratelimit-resource")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("core")
            .to_string();
        let mut primary = self.primary.lock().expect("pacer lock");
        let entry = primary
            .entry(resource)
            .or_insert(Primary { remaining, reset });
        // Answers arrive out of order under concurrency: a newer window, or fewer remaining.
        if reset > entry.reset || remaining < entry.remaining {
            *entry = Primary { remaining, reset };
        }
    }

    /// Seconds until the known reset of `resource`, for a rate limit GitHub reported.
    pub fn until_reset(&self, resource: &str) -> Option<Duration> {
        let p = self
            .primary
            .lock()
            .expect("pacer lock")
            .get(resource)
            .copied()?;
        Some(Duration::from_secs(p.reset.saturating_sub(epoch_now()) + 1))
    }
}

fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording() -> (WaitObserver, Arc<Mutex<Vec<Wait>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        (
            Arc::new(move |w: &Wait| sink.lock().unwrap().push(w.clone())),
            seen,
        )
    }

    #[tokio::test]
    async fn a_write_waits_for_the_answer_of_the_one_before() {
        let (observer, _) = recording();
        let limits = Limits {
            write_interval: Duration::ZERO,
            ..Limits::default()
        };
        let pacer = Pacer::new(limits, observer);
        let first = pacer.write_slot("POST /a").await;
        let second = tokio::time::timeout(Duration::from_millis(50), pacer.write_slot("POST /b"));
        assert!(
            second.await.is_err(),
            "a second write went while the first was in flight"
        );
        drop(first);
        let _second = pacer.write_slot("POST /b").await;
    }

    #[tokio::test(start_paused = true)]
    async fn writes_are_spaced_and_every_wait_is_reported() {
        let (observer, seen) = recording();
        let limits = Limits {
            writes_per_minute: 3,
            ..Limits::default()
        };
        let pacer = Pacer::new(limits, observer);
        let start = tokio::time::Instant::now();
        for _ in 0..4 {
            drop(pacer.write_slot("POST /x").await);
        }
        let waits = seen.lock().unwrap().clone();
        assert_eq!(waits[0].reason, WaitReason::WriteInterval);
        assert_eq!(waits.last().unwrap().reason, WaitReason::WritesPerMinute);
        // The fourth goes a minute and the margin after the first.
        assert!(start.elapsed() >= Duration::from_secs(60) + WINDOW_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn the_primary_limit_pauses_before_it_runs_out() {
        let (observer, seen) = recording();
        let pacer = Pacer::new(Limits::default(), observer);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-ratelimit-remaining", "5".parse().unwrap());
        headers.insert(
            "x-ratelimit-reset",
            (epoch_now() + 30).to_string().parse().unwrap(),
        );
        pacer.observe(&headers);
        pacer.before_request("core", "GET /x").await.unwrap();
        assert_eq!(seen.lock().unwrap()[0].reason, WaitReason::PrimaryLimit);
    }
}
