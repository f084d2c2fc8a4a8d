//! Process plumbing for the supervisor: resident memory from `/proc`, signals by pid, and the
//! pieces of a worker's start (inherited descriptors, parent-death signal).

use std::io;
use std::os::fd::RawFd;

/// Resident memory of a process (`None`: this one) in bytes, from `/proc/<pid>/statm`.
pub fn resident_bytes(pid: Option<u32>) -> Option<u64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/statm"),
        None => "/proc/self/statm".to_owned(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages.saturating_mul(page_size()))
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).ok().filter(|&s| s > 0).unwrap_or(4096)
}

/// Sends `signal` to process `pid` (never to a group: pid 0 is refused).
pub fn send_signal(pid: u32, signal: i32) -> io::Result<()> {
    let pid = libc::pid_t::try_from(pid)
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| io::Error::other("no such process"))?;
    // SAFETY: kill has no memory-safety preconditions.
    if unsafe { libc::kill(pid, signal) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Runs in a forked child before `exec`: keeps `inherit` open across `exec`, asks for SIGTERM
/// when the supervisor dies, and gives up if it already has. Only async-signal-safe calls.
pub fn prepare_child(inherit: &[RawFd], supervisor: libc::pid_t) -> io::Result<()> {
    for &fd in inherit {
        // SAFETY: fcntl on a descriptor the parent keeps open for this purpose.
        if unsafe { libc::fcntl(fd, libc::F_SETFD, 0) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes a signal number and no pointers.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: getppid has no preconditions.
    if unsafe { libc::getppid() } != supervisor {
        return Err(io::Error::other("the supervisor exited"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_go_to_one_process_only() {
        assert!(send_signal(0, 0).is_err());
        assert!(send_signal(u32::MAX, 0).is_err());
        assert!(send_signal(std::process::id(), 0).is_ok());
    }

    #[test]
    fn reads_own_resident_memory() {
        let rss = resident_bytes(None).unwrap();
        assert!(rss > 0);
        assert_eq!(resident_bytes(Some(u32::MAX)), None);
    }
}
