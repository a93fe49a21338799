// Notices told to people and endpoints, all real: notices recorded in a real transaction (as the
// delivery core records them), handed over through the outbox to the embedded engine, mailed to
// a real SMTP server on 127.0.0.1 (the smtp-server package), published as operational events to
// real receivers that verify the signature.
import "../deliveries/engine-env";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as notificationsRoute from "@/app/api/v1/notifications/route";
import * as readRoute from "@/app/api/v1/notifications/[noticeId]/read/route";
import * as readAllRoute from "@/app/api/v1/notifications/read-all/route";
import * as preferencesRoute from "@/app/api/v1/notifications/preferences/route";
import { inngest } from "@/inngest/client";
import { noticesRecorded } from "@/inngest/events";
import { publishEvent } from "@/lib/events/publish-event";
import { db, sqlTransaction } from "@/lib/db";
import { dispatch } from "@/lib/deliveries/outbox";
import { newId } from "@/lib/ids";
import { mailNotice } from "@/lib/notices/mail";
import { publishNoticeEvent } from "@/lib/notices/operational-events";
import { recordNotices, type Notice } from "@/lib/notices/record";
import { publishSourceIpsChange } from "@/lib/notices/source-ips-changed";
import { encryptSigningSecret, generateSigningSecret } from "@/lib/webhooks/secrets";
import { getEventType } from "@/lib/webhooks/event-types";
import { createTestAccount, sessionCookie, type TestAccount } from "../support/fixtures";
import { bearer, call, ORIGIN } from "../support/http";
import { startReceiver, startStack, verifiesWith, waitFor, type Stack } from "../deliveries/stack";

const SMTP_PASSWORD = "smtp-pa55word-never-shown";

interface Mail {
  to: string[];
  raw: string;
}

// Enough MIME reading for nodemailer's plain-text mails: quoted-printable body, Q-encoded subject.
const qp = (text: string) =>
  Buffer.from(text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))), "latin1").toString("utf8");

function read(mail: Mail): { subject: string; body: string } {
  const [head = "", ...rest] = mail.raw.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const subject = (/^Subject: (.*)$/m.exec(unfolded)?.[1] ?? "")
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, word: string) => qp(word.replace(/_/g, " ")));
  return { subject, body: qp(rest.join("\n\n")) };
}

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let smtp: SMTPServer;
let smtpUrl: string;
const mails: Mail[] = [];
let account: TestAccount;
/** An admin who opted out of notice mails. */
let quietAdmin: { id: string; email: string };

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === SMTP_PASSWORD) return callback(null, { user: "mailer" });
      callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => (raw += chunk));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpUrl = `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  stack = await startStack("engine_notices");
  receiver = await startReceiver();
  account = await createTestAccount("Notices");
  const email = `quiet-${newId("usr")}@test.db24x7.dev`.toLowerCase();
  const user = await db.user.create({ data: { id: newId("usr"), email, name: "Quiet admin", passwordHash: "x" } });
  await db.membership.create({ data: { accountId: account.accountId, userId: user.id, role: "admin" } });
  quietAdmin = { id: user.id, email };
  // The opt-out, as the settings page makes it.
  const cookie = await sessionCookie(user.id, email);
  const optedOut = await call(preferencesRoute.PATCH, {
    method: "PATCH",
    headers: { cookie, origin: ORIGIN },
    body: { email: false },
  });
  expect(optedOut.json).toMatchObject({ email: false });
}, 60_000);

afterAll(async () => {
  delete process.env.SMTP_URL;
  await stack?.stop();
  await receiver?.stop();
  await new Promise((resolve) => smtp?.close(() => resolve(undefined)));
});

async function endpoint(acc: TestAccount, path: string, types: string[], description = "") {
  const id = newId("we");
  const secret = generateSigningSecret();
  await db.webhookEndpoint.create({
    data: { id, accountId: acc.accountId, url: receiver.base + path, description, eventTypes: types, secretEncrypted: encryptSigningSecret(id, secret) },
  });
  return { id, secret, path };
}

/** Records notices as the delivery core does (in its transaction) and hands them over. */
async function record(notices: Notice[]) {
  const messages = await sqlTransaction((client) => recordNotices(client, notices, new Date()));
  await dispatch(messages);
  const ids = messages.flatMap((m) => (m.name === noticesRecorded.name ? m.data.notice_ids : []));
  expect(ids).toHaveLength(notices.length);
  return ids;
}


describe("notice mails", () => {
  it("mail owners and admins (not viewers, not those opted out) once per notice, with why, when and the link", async () => {
    process.env.SMTP_URL = smtpUrl;
    const failing = await endpoint(account, "/mail-failing", ["alert.critical"], "Orders pager");
    const since = new Date(Date.now() - 60_000);
    const before = mails.length;
    const [noticeId] = await record([
      { kind: "endpoint_failing", accountId: account.accountId, endpointId: failing.id, since, reason: "Your endpoint answered HTTP 500 to the last 5 attempts" },
    ]);
    await waitFor(() => mails.length >= before + 2, 20_000, "two notice mails");
    const sent = mails.slice(before);
    expect(sent.flatMap((m) => m.to).sort()).toEqual([account.users.admin.email, account.users.owner.email].sort());
    for (const mail of sent) {
      const { subject, body } = read(mail);
      expect(subject).toBe('Webhook endpoint "Orders pager" is failing');
      expect(body).toContain("Why: Your endpoint answered HTTP 500 to the last 5 attempts");
      expect(body).toMatch(/disabled automatically on \w{3}, \d\d \w{3} \d{4}/);
      expect(body).toContain(`Open the endpoint: http://127.0.0.1:3000/settings/integrations/webhooks/${failing.id}`);
      expect(mail.raw).not.toContain(SMTP_PASSWORD);
    }
    expect(await db.noticeMail.count({ where: { noticeId: noticeId!, sentAt: { not: null } } })).toBe(2);

    // The function runs again for the same notice (a repeated hand-over), beside a new one: the
    // new one's mails show the run got past the old one, which mailed nobody again.
    const disabledAt = new Date();
    const [laterId] = await sqlTransaction((client) =>
      recordNotices(client, [{ kind: "endpoint_disabled", accountId: account.accountId, endpointId: failing.id, disabledAt, automatic: false, reason: "Disabled by an admin" }], new Date()),
    ).then((messages) => messages.flatMap((m) => (m.name === noticesRecorded.name ? m.data.notice_ids : [])));
    await inngest.send({ id: `again-${noticeId}`, name: noticesRecorded.name, data: { account_id: account.accountId, notice_ids: [noticeId!, laterId!] } });
    await waitFor(() => mails.length >= before + 4, 20_000, "the later notice's mails");
    await new Promise((r) => setTimeout(r, 300));
    expect(mails.length).toBe(before + 4);
    expect(mails.slice(before + 2).map((m) => read(m).subject)).toEqual(Array(2).fill('Webhook endpoint "Orders pager" was disabled'));
    // And a direct repeat finds no one left to mail.
    expect(await mailNotice(account.accountId, noticeId!)).toEqual({ mailed: 0, skipped: "no_recipients" });
    expect(mails.some((m) => m.to.includes(account.users.viewer.email) || m.to.includes(quietAdmin.email))).toBe(false);
  });

  it("are not sent without SMTP_URL, and the in-app list shows the notice to everyone in the account", async () => {
    delete process.env.SMTP_URL;
    const failing = await endpoint(account, "/inapp-failing", ["alert.critical"]);
    const [noticeId] = await record([
      { kind: "endpoint_disable_soon", accountId: account.accountId, endpointId: failing.id, since: new Date(Date.now() - 86_400_000), disablesAt: new Date(Date.now() + 86_400_000), reason: "Connection refused" },
    ]);
    expect(await mailNotice(account.accountId, noticeId!)).toEqual({ mailed: 0, skipped: "no_smtp" });

    const viewerCookie = await sessionCookie(account.users.viewer.id, account.users.viewer.email);
    const viewer = { cookie: viewerCookie, origin: ORIGIN };
    const list = await call(notificationsRoute.GET, { headers: viewer, path: "/api/v1/notifications?limit=5" });
    expect(list.status).toBe(200);
    const item = list.json.data.find((n: { id: string }) => n.id === noticeId);
    expect(item).toMatchObject({
      kind: "endpoint_disable_soon",
      reason: "Connection refused",
      link: `/settings/integrations/webhooks/${failing.id}`,
      read: false,
    });
    expect(item.title).toContain("will be disabled in 24 hours");
    expect(item.disables_at).not.toBeNull();
    const unread = list.json.unread_count;
    expect(unread).toBeGreaterThan(0);

    const read = await call(readRoute.POST, { method: "POST", headers: viewer, params: { noticeId: noticeId! } });
    expect(read.json).toMatchObject({ id: noticeId, read: true });
    const after = await call(notificationsRoute.GET, { headers: viewer, path: "/api/v1/notifications?unread=true" });
    expect(after.json.unread_count).toBe(unread - 1);
    expect(after.json.data.some((n: { id: string }) => n.id === noticeId)).toBe(false);
    // Read marks are per user: the owner still has it unread; API keys read but cannot mark.
    const byKey = await call(notificationsRoute.GET, { headers: bearer(account.keys.viewer), path: "/api/v1/notifications" });
    expect(byKey.json.data.find((n: { id: string }) => n.id === noticeId)).toMatchObject({ read: false });
    const keyMark = await call(readAllRoute.POST, { method: "POST", headers: bearer(account.keys.admin) });
    expect(keyMark.status).toBe(403);
    expect(keyMark.json.error.code).toBe("user_required");
    // Another account's notice is not found.
    const other = await createTestAccount("Other");
    const otherCookie = await sessionCookie(other.users.owner.id, other.users.owner.email);
    const foreign = await call(readRoute.POST, { method: "POST", headers: { cookie: otherCookie, origin: ORIGIN }, params: { noticeId: noticeId! } });
    expect(foreign.status).toBe(404);
    const theirs = await call(notificationsRoute.GET, { headers: { cookie: otherCookie }, path: "/api/v1/notifications" });
    expect(theirs.json).toMatchObject({ data: [], unread_count: 0 });
  });
});

describe("operational events", () => {
  it("are delivered, signed, to subscribed endpoints, never to the endpoint they are about, once per notice", async () => {
    delete process.env.SMTP_URL;
    const opTypes = ["webhook_endpoint.failing", "webhook_endpoint.disabled", "webhook_delivery.exhausted"];
    const monitor = await endpoint(account, "/ops-monitor", opTypes);
    const troubled = await endpoint(account, "/ops-troubled", ["alert.critical", ...opTypes]);
    const published = await publishEvent(
      { accountId: account.accountId, role: "admin", actor: { type: "api_key", id: "test", label: "test" } },
      { type: "alert.critical", data: getEventType("alert.critical")!.sample, environment: "production" },
    );
    const delivery = published.deliveries.find((d) => d.endpoint_id === troubled.id)!;
    const since = new Date(Date.now() - 120_000);
    const disabledAt = new Date();
    const ids = await record([
      { kind: "endpoint_failing", accountId: account.accountId, endpointId: troubled.id, since, reason: "Timed out after 2s" },
      { kind: "delivery_exhausted", accountId: account.accountId, endpointId: troubled.id, deliveryId: delivery.id, eventId: published.id, reason: "HTTP 500" },
      { kind: "endpoint_disabled", accountId: account.accountId, endpointId: troubled.id, disabledAt, automatic: true, reason: "Failed for 5 days" },
      { kind: "endpoint_disable_soon", accountId: account.accountId, endpointId: troubled.id, since, disablesAt: new Date(Date.now() + 86_400_000), reason: "Timed out" },
    ]);
    await waitFor(() => receiver.on(monitor.path).length >= 3, 20_000, "three operational events at the monitor");
    await new Promise((r) => setTimeout(r, 300));
    const received = receiver.on(monitor.path);
    expect(received).toHaveLength(3);
    for (const request of received) expect(verifiesWith(monitor.secret, request)).toBe(true);
    const bodies = Object.fromEntries(received.map((r) => [JSON.parse(r.body).type, JSON.parse(r.body)]));
    expect(bodies["webhook_endpoint.failing"].data).toMatchObject({
      endpoint_id: troubled.id,
      failing_since: since.toISOString(),
      reason: "Timed out after 2s",
      dashboard_url: `http://127.0.0.1:3000/settings/integrations/webhooks/${troubled.id}`,
    });
    expect(bodies["webhook_delivery.exhausted"].data).toMatchObject({ endpoint_id: troubled.id, delivery_id: delivery.id, event_id: published.id });
    expect(bodies["webhook_endpoint.disabled"].data).toMatchObject({ endpoint_id: troubled.id, automatic: true, disabled_at: disabledAt.toISOString() });
    // Not to the endpoint they are about (it got only its alert).
    expect(receiver.on(troubled.path).map((r) => JSON.parse(r.body).type)).toEqual(["alert.critical"]);
    // Publishing a notice again publishes nothing new.
    expect(await publishNoticeEvent(account.accountId, ids[0]!)).toMatchObject({ duplicate: true });
    expect(await db.event.count({ where: { accountId: account.accountId, externalId: { in: ids.map((id) => `notice:${id}`) } } })).toBe(3);
  });

  it("publish webhooks.source_ips_changed exactly once when WEBHOOK_SOURCE_IPS changes, however many processes start at once", async () => {
    const subscriber = await endpoint(account, "/ips-changelog", ["webhooks.source_ips_changed"]);
    await db.instanceState.deleteMany({ where: { name: "webhook_source_ips" } });
    const before = ["203.0.113.1", "203.0.113.2"];
    const after = ["203.0.113.2", "203.0.113.3"];
    expect(await publishSourceIpsChange(before)).toEqual({ published: false, reason: "first_start" });
    // Starts with the same list (in another order): nothing changed.
    expect(await publishSourceIpsChange([...before].reverse())).toEqual({ published: false, reason: "unchanged" });
    const starts = await Promise.all([1, 2, 3, 4].map(() => publishSourceIpsChange(after)));
    expect(starts.filter((s) => s.published)).toHaveLength(1);
    await waitFor(() => receiver.on(subscriber.path).length >= 1, 20_000, "the IP changelog event");
    await new Promise((r) => setTimeout(r, 300));
    const [request, ...more] = receiver.on(subscriber.path);
    expect(more).toHaveLength(0);
    expect(verifiesWith(subscriber.secret, request!)).toBe(true);
    expect(JSON.parse(request!.body)).toMatchObject({
      type: "webhooks.source_ips_changed",
      data: { previous_ips: before, current_ips: after, added: ["203.0.113.3"], removed: ["203.0.113.1"] },
    });
    expect(await publishSourceIpsChange(after)).toEqual({ published: false, reason: "unchanged" });
  });
});
