import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type SmtpSink = {
  /** `smtp://127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  /** Every message received so far, parsed. */
  messages: ParsedMail[];
  /** Messages whose recipients include `address`. */
  to(address: string): ParsedMail[];
  close(): Promise<void>;
};

function recipientsOf(mail: ParsedMail): string[] {
  const fields = [mail.to].flat().filter((field) => field !== undefined);
  return fields.flatMap((field) => field.value.map((entry) => (entry.address ?? '').toLowerCase()));
}

/**
 * A real SMTP server on the loopback interface that keeps what it receives, so tests read the mail Custos
 * sends exactly as a mail server would get it. No TLS and no authentication: it accepts anything, or
 * with `rejectRecipients` refuses every recipient as a full mailbox would.
 */
export async function startSmtpSink(options: { rejectRecipients?: boolean } = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (!options.rejectRecipients) return callback();
      callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (address) => messages.filter((mail) => recipientsOf(mail).includes(address.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
