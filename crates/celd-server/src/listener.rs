//! The listening socket: bound by `celd serve`, taken from systemd (`LISTEN_FDS`), or inherited
//! from the supervisor (`CELD_LISTEN_FD`). One socket outlives every worker, so connections
//! wait in the kernel's accept queue while workers change.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use socket2::{Domain, Socket, Type};

/// The first file descriptor systemd passes (`SD_LISTEN_FDS_START`).
const SD_LISTEN_FDS_START: RawFd = 3;

/// How many connections the kernel queues for accept.
const BACKLOG: i32 = 1024;

/// Why no listening socket could be had.
#[derive(Debug)]
pub struct ListenError(pub String);

impl std::fmt::Display for ListenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ListenError {}

/// Binds `addr` (`SO_REUSEADDR`, close-on-exec, a backlog of 1024).
pub fn bind(addr: SocketAddr) -> Result<TcpListener, ListenError> {
    let error = |e: io::Error| ListenError(format!("cannot listen on {addr}: {e}"));
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None).map_err(error)?;
    socket.set_reuse_address(true).map_err(error)?;
    socket.bind(&addr.into()).map_err(error)?;
    socket.listen(BACKLOG).map_err(error)?;
    Ok(socket.into())
}

/// The socket systemd passed, if `LISTEN_PID` is this process and `LISTEN_FDS` is at least 1
/// (socket activation). Only the first socket is used.
pub fn from_systemd() -> Result<Option<TcpListener>, ListenError> {
    let pid = std::env::var("LISTEN_PID").ok();
    let fds = std::env::var("LISTEN_FDS").ok();
    let (Some(pid), Some(fds)) = (pid, fds) else {
        return Ok(None);
    };
    if pid.trim().parse::<u32>().ok() != Some(std::process::id()) {
        return Ok(None);
    }
    match fds.trim().parse::<u32>() {
        Ok(n) if n >= 1 => from_fd(SD_LISTEN_FDS_START).map(Some),
        _ => Err(ListenError(format!("LISTEN_FDS={fds}: no socket passed"))),
    }
}

/// Takes ownership of an inherited file descriptor that must be a listening TCP socket; it is
/// made close-on-exec again so that only the children we choose inherit it.
pub fn from_fd(fd: RawFd) -> Result<TcpListener, ListenError> {
    // SAFETY: F_GETFD only reads the descriptor's flags; an invalid fd yields -1.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(ListenError(format!("file descriptor {fd} is not open")));
    }
    // SAFETY: the descriptor is open and was handed to this process to own (by systemd or by
    // the supervisor); nothing else in this process uses it.
    let socket = Socket::from(unsafe { OwnedFd::from_raw_fd(fd) });
    let error = |what: &str| ListenError(format!("file descriptor {fd} is not {what}"));
    if !socket.is_listener().map_err(|_| error("a socket"))? {
        return Err(error("a listening socket"));
    }
    match socket.domain().map_err(|_| error("a socket"))? {
        Domain::IPV4 | Domain::IPV6 => {}
        _ => return Err(error("a TCP socket")),
    }
    socket
        .set_cloexec(true)
        .map_err(|e| ListenError(format!("file descriptor {fd}: {e}")))?;
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::IntoRawFd;

    #[test]
    fn binds_an_ephemeral_port() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        assert_ne!(listener.local_addr().unwrap().port(), 0);
    }

    #[test]
    fn an_inherited_descriptor_must_be_a_listening_socket() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let again = from_fd(listener.into_raw_fd()).unwrap();
        assert_eq!(again.local_addr().unwrap(), addr);
        let file = std::fs::File::open("/proc/self/statm").unwrap();
        assert!(from_fd(file.into_raw_fd()).is_err());
        assert!(from_fd(-1).is_err());
        assert!(from_fd(999_999).is_err());
    }
}
