//! Sockets for the examples: a tokio accept loop and connection type for the servers
//! ([`server`]), and a blocking `std::net` connection for the clients ([`client`]) — two
//! runtimes on purpose, to show the sans-IO crates fit either.
//!
//! Both sides can switch a plaintext connection to TLS in the middle (SMTP `STARTTLS`,
//! RFC 3207; IMAP `STARTTLS`, RFC 3501 §6.2.1; POP3 `STLS`, RFC 2595 §4). Before switching,
//! the caller must make sure it holds no unread plaintext received after the command (or
//! after the server's go-ahead, on the client): bytes pipelined before the handshake could
//! have been injected by an attacker and must be discarded (the server side,
//! `mail_common::buffer::InputBuffer::clear`) or treated as an error (the client side; RFC
//! 3207 §4.2, CVE-2011-0411).

pub mod client;
pub mod server;
