import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { setting } from "../config";
import { sqlQuery, sqlTimestamp, type NoRows } from "../db";
import { publicUrl } from "../public-url";
import { noticePath, noticeText, noticeTitle } from "./describe";
import { ENDPOINT_KINDS, loadNotices } from "./load";

// Mails about an account's endpoints to its owners and admins who have not opted out, over
// SMTP_URL. One mail per notice and recipient: each is claimed in the database before it is
// sent and marked sent after, so a repeated run (an Inngest retry, the outbox's sweep sending
// the hand-over again) mails nobody twice. A claim whose sender died mid-send is taken again
// after this lease, longer than a send can take (the socket timeout below).
const CLAIM_LEASE_MS = 10 * 60_000;

let cached: { url: string; transport: Transporter } | undefined;

/** The SMTP transport, or null when SMTP_URL is unset (notices then show in the dashboard only). */
export function mailTransport(): Transporter | null {
  const url = setting("SMTP_URL");
  if (!url) return null;
  if (cached?.url !== url) {
    cached = {
      url,
      transport: nodemailer.createTransport({ url, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }),
    };
  }
  return cached.transport;
}

function sender(): string {
  const host = publicUrl().hostname;
  // A bare IP or a single-label name is no mail domain a server accepts.
  return setting("SMTP_FROM") ?? `DB24x7 Webhooks <webhooks@${/^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/i.test(host) ? host : "localhost"}>`;
}

/** An SMTP error as it may be logged or thrown: its code and text, the password cut out whatever the server echoed. */
function safeMessage(error: unknown): string {
  const message = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
  const url = setting("SMTP_URL");
  const password = url && URL.canParse(url) ? decodeURIComponent(new URL(url).password) : "";
  return password ? message.split(password).join("***") : message;
}

export interface MailOutcome {
  mailed: number;
  skipped?: "no_smtp" | "not_an_endpoint_notice" | "endpoint_deleted" | "no_recipients" | "unknown_notice";
}

/**
 * Mails the notice to every owner and admin of its account who takes notice mails and has not
 * been mailed it yet. Throws (for the function to retry) when a send fails, after releasing
 * that recipient's claim; the others stay sent.
 */
export async function mailNotice(accountId: string, noticeId: string, now = new Date()): Promise<MailOutcome> {
  const transport = mailTransport();
  if (!transport) return { mailed: 0, skipped: "no_smtp" };
  const [notice] = await loadNotices(accountId, [noticeId]);
  if (!notice) return { mailed: 0, skipped: "unknown_notice" };
  if (!ENDPOINT_KINDS.includes(notice.kind)) return { mailed: 0, skipped: "not_an_endpoint_notice" };
  if (!notice.endpoint || notice.endpoint.deleted) return { mailed: 0, skipped: "endpoint_deleted" };

  const { rows: recipients } = await sqlQuery<{ user_id: string; email: string }>(
    "notice_mail_claim",
    `WITH recipients AS (
       SELECT u.id, u.email
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.account_id = $1 AND m.role IN ('owner', 'admin') AND m.notice_emails
     ), claimed AS (
       INSERT INTO notice_mails (notice_id, user_id, claimed_at)
       SELECT $2, id, $3::timestamp(3) FROM recipients
       ON CONFLICT (notice_id, user_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
        WHERE notice_mails.sent_at IS NULL AND notice_mails.claimed_at < $4::timestamp(3)
       RETURNING user_id
     )
     SELECT claimed.user_id, recipients.email FROM claimed JOIN recipients ON recipients.id = claimed.user_id`,
    [accountId, noticeId, sqlTimestamp(now), sqlTimestamp(new Date(now.getTime() - CLAIM_LEASE_MS))],
  );
  if (recipients.length === 0) return { mailed: 0, skipped: "no_recipients" };

  const base = publicUrl();
  const text = noticeText(notice, {
    page: new URL(noticePath(notice), base).toString(),
    preferences: new URL("/settings/notifications", base).toString(),
  });
  const failures: string[] = [];
  let mailed = 0;
  for (const recipient of recipients) {
    try {
      await transport.sendMail({ from: sender(), to: recipient.email, subject: noticeTitle(notice), text });
      await sqlQuery<NoRows>(
        "notice_mail_sent",
        "UPDATE notice_mails SET sent_at = $3::timestamp(3) WHERE notice_id = $1 AND user_id = $2",
        [noticeId, recipient.user_id, sqlTimestamp(new Date())],
      );
      mailed++;
    } catch (error) {
      failures.push(safeMessage(error));
      await sqlQuery<NoRows>(
        "notice_mail_release",
        "DELETE FROM notice_mails WHERE notice_id = $1 AND user_id = $2 AND sent_at IS NULL",
        [noticeId, recipient.user_id],
      );
    }
  }
  if (failures.length > 0) {
    throw new Error(`mailing notice ${noticeId} to ${failures.length} of ${recipients.length} recipients failed: ${failures[0]}`);
  }
  return { mailed };
}
