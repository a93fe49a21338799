import "server-only";
import { afterCursor, newestFirst, page } from "../api/pagination";
import { ApiError, notFound } from "../api/errors";
import type { Caller } from "../auth/caller";
import { hasRole } from "../auth/roles";
import { setting } from "../config";
import { db, sqlQuery, sqlTimestamp } from "../db";
import { noticePath, noticeTitle } from "./describe";
import { loadNotices, type LoadedNotice } from "./load";
import type {
  NotificationListOutput,
  NotificationOutput,
  NotificationPreferencesInput,
  NotificationPreferencesOutput,
  NotificationsQuery,
} from "./schemas";

// The in-app notifications: every notice of the account, for everyone in it (viewers too),
// read marks per user. Shown whether or not SMTP_URL is set: mail is a push that may be opted
// out of, go to owners and admins only, or fail; the list is the record all of them share.

const UNREAD_COUNT_CAP = 100;

const userOf = (caller: Caller) => (caller.actor.type === "user" ? caller.actor.id : null);

function requireUser(caller: Caller): string {
  const userId = userOf(caller);
  if (!userId) throw new ApiError(403, "user_required", "Read marks and mail preferences belong to dashboard users; API keys have none");
  return userId;
}

function output(notice: LoadedNotice, read: boolean): NotificationOutput {
  return {
    id: notice.id,
    kind: notice.kind,
    title: noticeTitle(notice),
    reason: notice.reason,
    endpoint_id: notice.endpointId,
    delivery_id: notice.deliveryId,
    event_id: notice.eventId,
    disables_at: notice.disablesAt?.toISOString() ?? null,
    link: noticePath(notice),
    created_at: notice.createdAt.toISOString(),
    read,
  };
}

export async function unreadCount(caller: Caller): Promise<number> {
  const userId = userOf(caller);
  const { rows } = await sqlQuery<{ count: number }>(
    "notifications_unread_count",
    `SELECT count(*)::int AS count FROM (
       SELECT 1 FROM notices n
        WHERE n.account_id = $1
          AND NOT EXISTS (SELECT 1 FROM notice_reads r WHERE r.notice_id = n.id AND r.user_id = $2)
        LIMIT $3
     ) unread`,
    [caller.accountId, userId, UNREAD_COUNT_CAP],
  );
  return rows[0]!.count;
}

export async function listNotifications(caller: Caller, query: NotificationsQuery): Promise<NotificationListOutput> {
  const userId = userOf(caller);
  const rows = await db.notice.findMany({
    where: {
      accountId: caller.accountId,
      ...(query.unread === "true" ? { reads: { none: { userId: userId ?? "" } } } : {}),
      ...afterCursor(query.cursor),
    },
    orderBy: newestFirst,
    take: query.limit + 1,
    select: { id: true, createdAt: true, reads: { where: { userId: userId ?? "" }, select: { userId: true } } },
  });
  const { rows: pageRows, nextCursor } = page(rows, query.limit);
  const loaded = new Map((await loadNotices(caller.accountId, pageRows.map((r) => r.id))).map((n) => [n.id, n]));
  return {
    data: pageRows.flatMap((r) => {
      const notice = loaded.get(r.id);
      return notice ? [output(notice, r.reads.length > 0)] : [];
    }),
    next_cursor: nextCursor,
    unread_count: await unreadCount(caller),
  };
}

export async function markNotificationRead(caller: Caller, noticeId: string): Promise<NotificationOutput> {
  const userId = requireUser(caller);
  const [notice] = await loadNotices(caller.accountId, [noticeId]);
  if (!notice) throw notFound("Notification");
  await sqlQuery<{ notice_id: string }>(
    "notification_mark_read",
    `INSERT INTO notice_reads (notice_id, user_id, read_at)
     SELECT id, $3, $4::timestamp(3) FROM notices WHERE account_id = $1 AND id = $2
     ON CONFLICT (notice_id, user_id) DO NOTHING`,
    [caller.accountId, noticeId, userId, sqlTimestamp(new Date())],
  );
  return output(notice, true);
}

export async function markAllNotificationsRead(caller: Caller): Promise<{ marked: number }> {
  const userId = requireUser(caller);
  const { rowCount } = await sqlQuery<{ notice_id: string }>(
    "notifications_mark_all_read",
    `INSERT INTO notice_reads (notice_id, user_id, read_at)
     SELECT id, $2, $3::timestamp(3) FROM notices WHERE account_id = $1
     ON CONFLICT (notice_id, user_id) DO NOTHING`,
    [caller.accountId, userId, sqlTimestamp(new Date())],
  );
  return { marked: rowCount ?? 0 };
}

export async function notificationPreferences(caller: Caller): Promise<NotificationPreferencesOutput> {
  const userId = requireUser(caller);
  const membership = await db.membership.findUnique({
    where: { accountId_userId: { accountId: caller.accountId, userId } },
    select: { noticeEmails: true },
  });
  if (!membership) throw notFound("Membership");
  const smtpConfigured = setting("SMTP_URL") !== undefined;
  return {
    email: membership.noticeEmails,
    mail_applies: smtpConfigured && hasRole(caller.role, "admin"),
    smtp_configured: smtpConfigured,
  };
}

export async function updateNotificationPreferences(
  caller: Caller,
  input: NotificationPreferencesInput,
): Promise<NotificationPreferencesOutput> {
  const userId = requireUser(caller);
  const { count } = await db.membership.updateMany({
    where: { accountId: caller.accountId, userId },
    data: { noticeEmails: input.email },
  });
  if (count === 0) throw notFound("Membership");
  return notificationPreferences(caller);
}
