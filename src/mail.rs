//! Outgoing email over SMTP (lettre), configured with one URL:
//! `smtp://host:25` (plain, e.g. a local relay), `smtp://user:pass@host:587?tls=required`
//! (STARTTLS) or `smtps://user:pass@host` (TLS).

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("bad SMTP URL `{url}`: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("bad sender address `{from}`: {e} (use e.g. 'certbook <noreply@example.com>')"))?;
        Ok(Mailer { transport, from })
    }

    /// Sends one plain-text message; the error says why it did not go.
    pub async fn send(&self, to_name: &str, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = format!("{to_name} <{to}>")
            .parse()
            .or_else(|_| to.parse())
            .map_err(|e| format!("bad address {to}: {e}"))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            // Chinese text: base64 is the encoding every mail reader handles.
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(body),
            )
            .map_err(|e| e.to_string())?;
        self.transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
    }
}
