//! mpv's JSON IPC: one JSON command per line on a Unix socket (`--input-ipc-server`), answered
//! by a line carrying the same `request_id`; event lines in between are skipped.
//!
//! Only what the terminal interface needs: read a property, run a command. Every read and
//! write has a short timeout, so a stuck player cannot freeze the interface. On systems without
//! Unix sockets connecting fails with a clear error and playback goes on uncontrolled.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::media::MediaError;

/// How long one request may take before thema gives up on it.
const TIMEOUT: Duration = Duration::from_millis(400);

/// A connection to mpv's control socket.
#[derive(Debug)]
pub struct Ipc {
    path: PathBuf,
    #[cfg(unix)]
    stream: std::os::unix::net::UnixStream,
    /// Bytes read past the last complete line.
    pending: Vec<u8>,
    next_id: u64,
}

impl Ipc {
    /// Connects to the socket at `path`.
    #[cfg(unix)]
    pub fn connect(path: &Path) -> Result<Ipc, MediaError> {
        let failed = |e: std::io::Error| MediaError::Ipc {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let stream = std::os::unix::net::UnixStream::connect(path).map_err(failed)?;
        stream.set_read_timeout(Some(TIMEOUT)).map_err(failed)?;
        stream.set_write_timeout(Some(TIMEOUT)).map_err(failed)?;
        Ok(Ipc {
            path: path.to_path_buf(),
            stream,
            pending: Vec::new(),
            next_id: 1,
        })
    }

    /// Connecting needs Unix sockets.
    #[cfg(not(unix))]
    pub fn connect(path: &Path) -> Result<Ipc, MediaError> {
        Err(MediaError::Ipc {
            path: path.to_path_buf(),
            message: "controlling mpv needs Unix sockets, which this system lacks".to_string(),
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, message: impl Into<String>) -> MediaError {
        MediaError::Ipc {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    /// Runs one command (`["seek", 5, "relative"]`) and returns its `data` (`null` when it has
    /// none). mpv's own errors ("property unavailable") come back as [`MediaError::Ipc`].
    pub fn command(&mut self, command: Value) -> Result<Value, MediaError> {
        let id = self.next_id;
        self.next_id += 1;
        let mut line = json!({ "command": command, "request_id": id }).to_string();
        line.push('\n');
        self.write(line.as_bytes())?;
        loop {
            let reply = self.read_line()?;
            let Ok(value) = serde_json::from_slice::<Value>(&reply) else {
                continue;
            };
            if value.get("request_id").and_then(Value::as_u64) != Some(id) {
                continue; // an event, or the answer to a request that timed out
            }
            return match value.get("error").and_then(Value::as_str) {
                Some("success") | None => Ok(value.get("data").cloned().unwrap_or(Value::Null)),
                Some(other) => Err(self.error(format!("{command}: {other}"))),
            };
        }
    }

    /// The value of a property (`time-pos`, `pause`, `speed`).
    pub fn get(&mut self, property: &str) -> Result<Value, MediaError> {
        self.command(json!(["get_property", property]))
    }

    #[cfg(unix)]
    fn write(&mut self, bytes: &[u8]) -> Result<(), MediaError> {
        use std::io::Write;
        self.stream
            .write_all(bytes)
            .map_err(|e| self.error(e.to_string()))
    }

    #[cfg(not(unix))]
    fn write(&mut self, _bytes: &[u8]) -> Result<(), MediaError> {
        Err(self.error("not connected"))
    }

    /// The next complete line from the socket.
    #[cfg(unix)]
    fn read_line(&mut self) -> Result<Vec<u8>, MediaError> {
        use std::io::Read;
        loop {
            if let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return Ok(line);
            }
            let mut buf = [0u8; 4096];
            let n = self
                .stream
                .read(&mut buf)
                .map_err(|e| self.error(e.to_string()))?;
            if n == 0 {
                return Err(self.error("mpv closed the connection"));
            }
            self.pending.extend_from_slice(&buf[..n]);
        }
    }

    #[cfg(not(unix))]
    fn read_line(&mut self) -> Result<Vec<u8>, MediaError> {
        Err(self.error("not connected"))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixListener;

    #[test]
    fn answers_are_matched_by_request_id_and_events_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mpv.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut writer = stream.try_clone().unwrap();
            let mut seen = Vec::new();
            for line in BufReader::new(stream).lines() {
                let line = line.unwrap();
                let request: Value = serde_json::from_str(&line).unwrap();
                let id = request["request_id"].as_u64().unwrap();
                seen.push(request["command"].clone());
                let reply = match request["command"][1].as_str() {
                    Some("time-pos") => json!({"data": 12.5, "request_id": id, "error": "success"}),
                    _ => json!({"request_id": id, "error": "property unavailable"}),
                };
                writeln!(writer, "{}", json!({"event": "playback-restart"})).unwrap();
                writeln!(writer, "{reply}").unwrap();
            }
            seen
        });
        let mut ipc = Ipc::connect(&path).unwrap();
        assert_eq!(ipc.get("time-pos").unwrap(), json!(12.5));
        let err = ipc.get("nothing").unwrap_err().to_string();
        assert!(err.contains("property unavailable"), "{err}");
        drop(ipc);
        let seen = server.join().unwrap();
        assert_eq!(seen[0], json!(["get_property", "time-pos"]));
    }
}
