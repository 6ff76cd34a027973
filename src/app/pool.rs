//! The one worker pool every use case runs its repositories on: at most `jobs` threads, items
//! started in input order, results returned in input order, and a panic while working on one item
//! caught and returned as that item's [`Panicked`], so the other items always finish.
//!
//! Plain scoped threads: the work is blocking (libgit2, file reads), borrows the caller's data,
//! and a thread per slot is cheap next to a clone or a tree walk.
//!
//! ```
//! use drydock::app::pool;
//! let squares = pool::run(&[1, 2, 3], 2, |_, n| n * n);
//! assert_eq!(squares.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [1, 4, 9]);
//! ```

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The work on one item panicked; `message` is the panic's payload when it was a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    pub message: String,
}

/// Runs `work(index, item)` for every item on up to `jobs` threads (at least one, at most one
/// per item). The result at position `i` is item `i`'s.
pub fn run<T, R, F>(items: &[T], jobs: usize, work: F) -> Vec<Result<R, Panicked>>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &T) -> R + Sync,
{
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Result<R, Panicked>>>> =
        Mutex::new(items.iter().map(|_| None).collect());
    let threads = jobs.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    // `work` is only shared, never left half-changed by this thread, so carrying
                    // on after its panic cannot observe a broken invariant of ours.
                    let result =
                        catch_unwind(AssertUnwindSafe(|| work(index, item))).map_err(|payload| {
                            Panicked {
                                message: panic_message(payload.as_ref()),
                            }
                        });
                    lock(&slots)[index] = Some(result);
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .map(|slot| slot.expect("every index below items.len() is taken by one worker"))
        .collect()
}

/// The lock on the result slots; a poisoned lock still holds valid slots (no code panics while
/// holding it).
fn lock<V>(m: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn results_come_back_in_input_order() {
        let items: Vec<u64> = (0..50).collect();
        let out = run(&items, 4, |i, n| {
            // Later items finish first.
            std::thread::sleep(std::time::Duration::from_micros(50 * (50 - n)));
            (i, n * 2)
        });
        let out: Vec<(usize, u64)> = out.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            out,
            (0..50).map(|n| (n as usize, n * 2)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_panic_is_that_items_failure_and_the_others_finish() {
        let items = ["a", "boom", "c", "boom2", "e"];
        let out = run(&items, 2, |_, s| {
            if s.starts_with("boom") {
                panic!("cannot do {s}");
            }
            s.to_uppercase()
        });
        assert_eq!(out[0], Ok("A".to_string()));
        assert_eq!(
            out[1],
            Err(Panicked {
                message: "cannot do boom".into()
            })
        );
        assert_eq!(out[2], Ok("C".to_string()));
        assert!(out[3].is_err());
        assert_eq!(out[4], Ok("E".to_string()));
    }

    #[test]
    fn never_more_threads_than_jobs() {
        let seen = Mutex::new(HashSet::new());
        let items = vec![(); 40];
        run(&items, 3, |_, ()| {
            lock(&seen).insert(std::thread::current().id());
            std::thread::sleep(std::time::Duration::from_millis(1));
        });
        let threads = lock(&seen).len();
        assert!((1..=3).contains(&threads), "{threads} threads");
    }

    #[test]
    fn no_items_no_results() {
        let out: Vec<Result<(), Panicked>> = run(&[] as &[u8], 8, |_, _| ());
        assert!(out.is_empty());
    }
}
