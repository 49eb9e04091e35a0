import { createTransport } from 'nodemailer';

/** One message as it goes out. */
export type OutgoingMail = { from: string; to: string; subject: string; text: string };

/** Where mail is handed over: an SMTP server, or (in tests) anything else that accepts a message. */
export type MailTransport = { send(mail: OutgoingMail): Promise<void> };

/**
 * Mail over SMTP with nodemailer, from a URL such as `smtp://user:password@mail.example.org:587`
 * (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the start). Each message opens its
 * own connection: Custos sends little mail (codes, notices, reminders), and nothing is left open at
 * shutdown. Timeouts are bounded so that a stalled server fails the delivery job instead of hanging it.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(mail) {
      await transporter.sendMail(mail);
    },
  };
}

/** The error code of a failed delivery (`ECONNECTION`, `EAUTH`, …): safe to store, unlike server replies. */
export function deliveryErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? code : 'EDELIVERY';
}
