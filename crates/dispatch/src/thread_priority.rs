//! Background threads give way to the window: on two cores, work at the window's priority
//! (the solver's searches, the gazetteer's parse at start) takes the slices WebKit's processes
//! need to paint. A lowered thread still gets every idle cycle.
//!
//! Linux only: there the nice value belongs to a thread, and a thread starts with its creator's,
//! so lowering a thread also covers the threads it starts from then on. Elsewhere the nice value
//! belongs to the whole process, so nothing is done. `setpriority(2)` through rustix's safe
//! wrapper (the workspace forbids `unsafe`).

/// The calling thread's nice value (None where threads have none of their own).
#[cfg(target_os = "linux")]
pub fn this_thread_nice() -> Option<i32> {
    // A thread id is a "process ID" to getpriority(2) on Linux: this thread alone.
    rustix::process::getpriority_process(Some(rustix::thread::gettid())).ok()
}

#[cfg(not(target_os = "linux"))]
pub fn this_thread_nice() -> Option<i32> {
    None
}

/// Lowers the calling thread to `nice` (0 is normal, 19 the lowest), or leaves it where it is
/// when it already runs that low. Whether it now runs at `nice` or lower.
pub fn lower_this_thread(nice: i32) -> bool {
    let Some(now) = this_thread_nice() else {
        return false;
    };
    if now >= nice {
        return true;
    }
    lower_to(nice)
}

#[cfg(target_os = "linux")]
fn lower_to(nice: i32) -> bool {
    // Raising the nice value needs no privilege; only lowering it back would.
    match rustix::process::setpriority_process(Some(rustix::thread::gettid()), nice) {
        Ok(()) => this_thread_nice().is_some_and(|n| n >= nice),
        Err(e) => {
            tracing::warn!("could not lower a background thread's priority: {e}");
            false
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_to(_nice: i32) -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The nice value as the kernel shows it (field 19 of /proc/thread-self/stat), read apart
    /// from the code under test.
    fn nice_in_proc() -> i32 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        // The command name (field 2) may hold spaces and parentheses: count from its end.
        let rest = &stat[stat.rfind(')').unwrap() + 1..];
        rest.split_whitespace().nth(16).unwrap().parse().unwrap()
    }

    /// A lowered thread and the threads it starts run at the nice asked for; the rest of the
    /// process keeps its own; asking for less than a thread already runs at changes nothing.
    #[test]
    fn a_lowered_thread_and_the_threads_it_starts_run_at_the_nice_asked_for() {
        let before = nice_in_proc();
        let (own, child, again) = std::thread::spawn(|| {
            assert!(lower_this_thread(12));
            let own = nice_in_proc();
            assert_eq!(this_thread_nice(), Some(own));
            let child = std::thread::scope(|s| s.spawn(nice_in_proc).join());
            assert!(lower_this_thread(5), "already lower: nothing to do");
            (own, child.unwrap(), nice_in_proc())
        })
        .join()
        .unwrap();
        assert_eq!(own, 12.max(before));
        assert_eq!(child, own);
        assert_eq!(again, own, "never raised back");
        assert_eq!(nice_in_proc(), before, "the caller's thread is untouched");
    }
}
