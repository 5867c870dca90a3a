//! The sandbox's own listener: every accepted TCP stream is wrapped in [`FaultIo`], which can
//! kill the connection at the moment the answer would be written. That is what the
//! connection-level faults (`reset`, `close`, `truncate`) need and a middleware cannot do:
//! the middleware marks the connection through the [`ConnHandle`] it finds in the request's
//! `ConnectInfo`, returns the answer, and the first write of that answer strikes.
//!
//! - reset: `SO_LINGER` 0 and the write fails; hyper drops the stream, the kernel sends RST.
//! - close: `shutdown(SHUT_WR)` (FIN) and the write fails; not one byte of the answer leaves.
//! - truncate: the head of the answer and `keep` bytes of its body pass, then FIN.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// What to do to a connection when its next answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kill {
    /// Abortive close: RST, no answer byte.
    Reset,
    /// Clean close: FIN, no answer byte.
    Close,
    /// The answer's head and the first `keep` bytes of its body, then FIN.
    Truncate { keep: usize },
}

const NONE: u8 = 0;
const RESET: u8 = 1;
const CLOSE: u8 = 2;
const TRUNCATE: u8 = 3;

#[derive(Debug, Default)]
struct ConnState {
    kill: AtomicU8,
    keep: AtomicUsize,
}

/// Shared with the request handlers (as `ConnectInfo<ConnHandle>`) to mark the connection.
#[derive(Debug, Clone, Default)]
pub struct ConnHandle(Arc<ConnState>);

impl ConnHandle {
    /// The next write on this connection (the answer being returned) strikes as `kill` says.
    pub fn kill(&self, kill: Kill) {
        let code = match kill {
            Kill::Reset => RESET,
            Kill::Close => CLOSE,
            Kill::Truncate { keep } => {
                self.0.keep.store(keep, Ordering::SeqCst);
                TRUNCATE
            }
        };
        self.0.kill.store(code, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, FaultListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Self {
        stream.io().handle.clone()
    }
}

/// A `TcpListener` whose streams can be killed on demand.
pub struct FaultListener(pub TcpListener);

impl Listener for FaultListener {
    type Io = FaultIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (FaultIo, SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let io = FaultIo {
                        stream,
                        handle: ConnHandle::default(),
                        mode: Mode::Normal,
                    };
                    return (io, addr);
                }
                // A peer that gave up before accept: nothing to do.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionRefused
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                // Out of file descriptors and the like: wait a little, as axum's own listener does.
                Err(e) => {
                    tracing::error!(error = %e, "paynet-sandbox accept error");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Normal,
    /// Passing the answer's head (`matched` bytes of CRLFCRLF seen so far), then `left`
    /// body bytes once the head is complete.
    Truncating {
        matched: u8,
        left: Option<usize>,
    },
    /// Killed: writes fail, reads see end of stream.
    Dead,
}

pub struct FaultIo {
    stream: TcpStream,
    handle: ConnHandle,
    mode: Mode,
}

impl FaultIo {
    /// Takes a pending kill order into the local mode; returns the error to fail the write
    /// with when the connection has just died (or had died before).
    fn arm(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        if let Mode::Normal = self.mode {
            match self.handle.0.kill.swap(NONE, Ordering::SeqCst) {
                RESET => {
                    // Linger 0 makes the close abortive (RST); the deprecation is about
                    // non-zero lingers blocking on drop, which 0 never does.
                    #[allow(deprecated)]
                    let _ = self.stream.set_linger(Some(Duration::ZERO));
                    self.mode = Mode::Dead;
                    return Some(killed(io::ErrorKind::ConnectionReset));
                }
                CLOSE => {
                    self.fin(cx);
                    self.mode = Mode::Dead;
                    return Some(killed(io::ErrorKind::BrokenPipe));
                }
                TRUNCATE => {
                    self.mode = Mode::Truncating {
                        matched: 0,
                        left: None,
                    };
                }
                _ => {}
            }
        }
        match self.mode {
            Mode::Dead => Some(killed(io::ErrorKind::BrokenPipe)),
            _ => None,
        }
    }

    /// `shutdown(SHUT_WR)`: the FIN leaves now. tokio's `poll_shutdown` on a `TcpStream` is
    /// that one system call and always ready.
    fn fin(&mut self, cx: &mut Context<'_>) {
        let _ = Pin::new(&mut self.stream).poll_shutdown(cx);
    }

    /// How many bytes of `buf` may still leave while truncating.
    fn allowed(&self, buf: &[u8]) -> usize {
        let Mode::Truncating { mut matched, left } = self.mode else {
            return buf.len();
        };
        if let Some(left) = left {
            return buf.len().min(left);
        }
        for (i, &b) in buf.iter().enumerate() {
            matched = head_step(matched, b);
            if matched == 4 {
                let keep = self.handle.0.keep.load(Ordering::SeqCst);
                return i + 1 + (buf.len() - i - 1).min(keep);
            }
        }
        buf.len()
    }

    /// Accounts for `written` bytes that left; sends the FIN once the allowance is used up.
    fn advance(&mut self, cx: &mut Context<'_>, written: &[u8]) {
        let Mode::Truncating {
            mut matched,
            mut left,
        } = self.mode
        else {
            return;
        };
        let mut rest = written;
        if left.is_none() {
            for (i, &b) in written.iter().enumerate() {
                matched = head_step(matched, b);
                if matched == 4 {
                    left = Some(self.handle.0.keep.load(Ordering::SeqCst));
                    rest = &written[i + 1..];
                    break;
                }
            }
            if left.is_none() {
                rest = &[];
            }
        }
        if let Some(l) = left {
            let l = l.saturating_sub(rest.len());
            if l == 0 {
                self.fin(cx);
                self.mode = Mode::Dead;
                return;
            }
            left = Some(l);
        }
        self.mode = Mode::Truncating { matched, left };
    }
}

/// One step of matching the end of an HTTP head (`\r\n\r\n`).
fn head_step(matched: u8, b: u8) -> u8 {
    const END: &[u8; 4] = b"\r\n\r\n";
    if b == END[matched as usize] {
        matched + 1
    } else if b == b'\r' {
        1
    } else {
        0
    }
}

fn killed(kind: io::ErrorKind) -> io::Error {
    io::Error::new(
        kind,
        "paynet-sandbox: connection killed by an injected fault",
    )
}

impl AsyncRead for FaultIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Mode::Dead = this.mode {
            // End of stream: hyper finishes the connection instead of waiting for a request.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(e) = this.arm(cx) {
            return Poll::Ready(Err(e));
        }
        if let Mode::Normal = this.mode {
            return Pin::new(&mut this.stream).poll_write(cx, buf);
        }
        let allowed = this.allowed(buf);
        if allowed == 0 && !buf.is_empty() {
            this.fin(cx);
            this.mode = Mode::Dead;
            return Poll::Ready(Err(killed(io::ErrorKind::BrokenPipe)));
        }
        let n = ready!(Pin::new(&mut this.stream).poll_write(cx, &buf[..allowed]))?;
        this.advance(cx, &buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let armed =
            !matches!(this.mode, Mode::Normal) || this.handle.0.kill.load(Ordering::SeqCst) != NONE;
        if !armed {
            return Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        }
        // A short write is always allowed: handle the first non-empty slice alone.
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map(|b| &**b)
            .unwrap_or(&[]);
        Pin::new(this).poll_write(cx, first)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Mode::Dead = this.mode {
            return Poll::Ready(Err(killed(io::ErrorKind::BrokenPipe)));
        }
        Pin::new(&mut this.stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Mode::Dead = this.mode {
            // Already shut down (FIN) or about to be reset: a FIN now would spoil the RST.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::head_step;

    #[test]
    fn finds_the_end_of_the_head_across_chunks() {
        let mut m = 0;
        for &b in b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r" {
            m = head_step(m, b);
        }
        assert_eq!(m, 3);
        assert_eq!(head_step(m, b'\n'), 4);
        assert_eq!(head_step(2, b'\r'), 3);
        assert_eq!(head_step(1, b'\r'), 1);
        assert_eq!(head_step(3, b'x'), 0);
    }
}
