//! The solver's threads give way to the window. A solve keeps every core busy
//! (`SolveOptions::threads` = the cores), and at the same priority WebKit's processes wait for
//! their slice behind it: frames of 250–550 ms during a 2,000-stop solve on two cores. A lower
//! priority (nice 10) still gets every idle cycle, so the solve loses almost nothing on a quiet
//! machine, while the window is served first. docs/decisions.md "Planning: the solver's
//! priority".
//!
//! Linux only: there the nice value belongs to a thread, and a thread starts with its creator's,
//! so lowering the solve's own thread before it calls the solver covers the searches the solver
//! starts (the solver stays free of OS calls). Elsewhere the nice value belongs to the whole
//! process, so nothing is done.

/// The nice value the solver's threads run at (0 is normal, 19 the lowest).
pub(crate) const SOLVER_NICE: i32 = 10;

/// The calling thread's nice value (None where threads have none of their own, or /proc is
/// not there): field 19 of /proc/thread-self/stat.
pub(crate) fn this_thread_nice() -> Option<i32> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The command name (field 2) may hold spaces and parentheses: count from its end.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(16)?.parse().ok()
}

/// The calling thread's id as the kernel knows it (/proc/thread-self is `<pid>/task/<tid>`).
fn this_thread_id() -> Option<String> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    Some(link.file_name()?.to_str()?.to_owned())
}

/// Lowers the calling thread (and the threads it starts from now on) to [`SOLVER_NICE`], or
/// leaves it where it is when it already runs that low. Whether it now runs at
/// [`SOLVER_NICE`] or lower.
///
/// The workspace forbids `unsafe`, so `setpriority(2)` is reached through util-linux's
/// `renice`, given this thread's id (a thread id is a "process ID" to `setpriority`): one
/// short process per solve. Its `-n` is the nice value itself in util-linux up to 2.39 and an
/// increment since; from nice 0 both give 10, and the value is read back either way.
pub(crate) fn lower_this_thread() -> bool {
    let Some(now) = this_thread_nice() else {
        return false;
    };
    if now >= SOLVER_NICE {
        return true;
    }
    let Some(tid) = this_thread_id() else {
        return false;
    };
    let ran = std::process::Command::new("renice")
        .args(["-n", &SOLVER_NICE.to_string(), "-p", &tid])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let lowered = this_thread_nice().is_some_and(|n| n >= SOLVER_NICE);
    if !lowered {
        tracing::warn!("could not lower the solver's priority (renice: {ran:?})");
    }
    lowered
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The solver's searches are threads the solve's thread starts: they must inherit its
    /// priority, and the rest of the process must keep its own.
    #[test]
    fn a_lowered_thread_and_the_threads_it_starts_run_at_the_solver_nice() {
        let before = this_thread_nice().unwrap();
        let (own, child) = std::thread::spawn(|| {
            assert!(lower_this_thread());
            let own = this_thread_nice().unwrap();
            let child = std::thread::scope(|s| s.spawn(|| this_thread_nice().unwrap()).join());
            (own, child.unwrap())
        })
        .join()
        .unwrap();
        assert_eq!(own, SOLVER_NICE.max(before));
        assert_eq!(child, own);
        assert_eq!(
            this_thread_nice().unwrap(),
            before,
            "the caller's thread is untouched"
        );
    }
}
