import { z } from "zod";
import { paginationQuery } from "../api/pagination";

export const NOTICE_KINDS = ["endpoint_failing", "endpoint_disable_soon", "endpoint_disabled", "delivery_exhausted"] as const;

export const notificationsQuery = paginationQuery.extend({
  unread: z.enum(["true", "false"]).optional().describe("true: only the ones you have not read"),
});
export type NotificationsQuery = z.infer<typeof notificationsQuery>;

export const notificationOutput = z.object({
  id: z.string(),
  kind: z.enum(NOTICE_KINDS),
  title: z.string(),
  reason: z.string(),
  endpoint_id: z.string().nullable(),
  delivery_id: z.string().nullable(),
  event_id: z.string().nullable(),
  /** When an automatic disable is due, where one applies. */
  disables_at: z.string().nullable(),
  /** The dashboard page to open (a path). */
  link: z.string(),
  created_at: z.string(),
  /** Always false for API keys, which have no read marks. */
  read: z.boolean(),
});
export type NotificationOutput = z.infer<typeof notificationOutput>;

export const notificationListOutput = z.object({
  data: z.array(notificationOutput),
  next_cursor: z.string().nullable(),
  /** Unread notifications of the caller, counted up to 100. */
  unread_count: z.number().int(),
});
export type NotificationListOutput = z.infer<typeof notificationListOutput>;

export const markAllReadOutput = z.object({ marked: z.number().int() });

export const notificationPreferencesInput = z.strictObject({
  email: z.boolean().describe("false: no notice mails to you from this account"),
});
export type NotificationPreferencesInput = z.infer<typeof notificationPreferencesInput>;

export const notificationPreferencesOutput = z.object({
  email: z.boolean(),
  /** Whether mails reach you at all: SMTP is configured and you are an owner or admin. */
  mail_applies: z.boolean(),
  smtp_configured: z.boolean(),
});
export type NotificationPreferencesOutput = z.infer<typeof notificationPreferencesOutput>;
