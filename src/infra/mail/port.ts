/** Mail port: the identity module sends password-reset mail through it. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** What the mail is for (`password_reset`, …), kept with outbox rows. */
  kind: string;
}

export interface Mailer {
  readonly driver: 'outbox' | 'smtp';
  send(message: MailMessage): Promise<void>;
}
