//! The request side of the small HTTP stand-ins the registry tests run on 127.0.0.1: what a
//! request looked like ([`Seen`]) and how its head is read from the bytes received.

/// A request as a stand-in saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Whether `received` holds a whole request head (up to the blank line).
pub fn head_complete(received: &[u8]) -> bool {
    received.windows(4).any(|w| w == b"\r\n\r\n")
}

/// The request line and headers of `received` (bodies are not read: the clients under test send
/// none to these stand-ins).
pub fn parse_head(received: &[u8]) -> Seen {
    let text = String::from_utf8_lossy(received);
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    Seen {
        method: first.next().unwrap_or("").into(),
        target: first.next().unwrap_or("").into(),
        headers: lines
            .take_while(|l| !l.is_empty())
            .filter_map(|l| {
                l.split_once(": ")
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect(),
    }
}
