//! The solver's threads give way to the window. A solve keeps every core busy
//! (`SolveOptions::threads` = the cores), and at the same priority WebKit's processes wait for
//! their slice behind it: frames of 250–550 ms during a 2,000-stop solve on two cores. A lower
//! priority (nice 10) still gets every idle cycle, so the solve loses almost nothing on a quiet
//! machine, while the window is served first. docs/decisions.md "Planning: the solver's
//! priority".
//!
//! How a thread is lowered, and where that works (Linux): [`crate::thread_priority`].

use crate::thread_priority;

/// The nice value the solver's threads run at (0 is normal, 19 the lowest).
pub(crate) const SOLVER_NICE: i32 = 10;

/// The calling thread's nice value (None where threads have none of their own).
#[cfg(all(test, target_os = "linux"))]
pub(crate) fn this_thread_nice() -> Option<i32> {
    thread_priority::this_thread_nice()
}

/// Lowers the calling thread (and the threads it starts from now on) to [`SOLVER_NICE`], or
/// leaves it where it is when it already runs that low. Whether it now runs at
/// [`SOLVER_NICE`] or lower.
pub(crate) fn lower_this_thread() -> bool {
    thread_priority::lower_this_thread(SOLVER_NICE)
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

    /// The solver's searches are threads the solve's thread starts: they must inherit its
    /// priority, and the rest of the process must keep its own.
    #[test]
    fn a_lowered_thread_and_the_threads_it_starts_run_at_the_solver_nice() {
        let before = nice_in_proc();
        let (own, child) = std::thread::spawn(|| {
            assert!(lower_this_thread());
            let own = nice_in_proc();
            assert_eq!(this_thread_nice(), Some(own));
            let child = std::thread::scope(|s| s.spawn(nice_in_proc).join());
            (own, child.unwrap())
        })
        .join()
        .unwrap();
        assert_eq!(own, SOLVER_NICE.max(before));
        assert_eq!(child, own);
        assert_eq!(nice_in_proc(), before, "the caller's thread is untouched");
    }
}
