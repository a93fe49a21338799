// Proof under faults: 2,000 deliveries through receivers that fail, hang, reset, crawl, flood
// and redirect. Published through the real API, fanned out, run by the real SDK on the embedded
// engine. Every delivery must settle with exactly the attempts the schedule allows, each
// recorded with the right error class, the receivers' counts must agree with the history, and
// the process hosting the functions and the engine must stay within a sane memory bound.
import "./chaos-env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as events from "@/app/api/v1/events/route";
import * as webhooks from "@/app/api/v1/webhooks/route";
import * as deliveryItem from "@/app/api/v1/deliveries/[deliveryId]/route";
import { db } from "@/lib/db";
import { deliveryConfig } from "@/lib/deliveries/config";
import { RESPONSE_BODY_LIMIT } from "@/lib/deliveries/send-request";
import { getEventType } from "@/lib/webhooks/event-types";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { bearer, call } from "../support/http";
import { startStack, waitFor, type Stack } from "../deliveries/stack";
import { expectationFor, startChaosReceiver, type Kind, type Receiver } from "./receivers";

// Endpoints per receiver kind (20 in all); every event fans out to each of them. The mix keeps
// ~3,700 attempts: on PGlite each costs a few serialized round trips, which bounds the run time.
const KINDS: [Kind, number][] = [
  ["healthy", 7],
  ["slow", 2],
  ["flaky_once", 1],
  ["flaky_twice", 1],
  ["down_500", 1],
  ["timeout_never", 1],
  ["timeout_late", 1],
  ["reset_mid_request", 1],
  ["reset_mid_response", 1],
  ["reset_mid_body", 1],
  ["big_200", 1],
  ["big_500", 1],
  ["redirect", 1],
];
const EVENTS = Number(process.env.CHAOS_EVENTS || 100);
const PUBLISH_CONCURRENCY = 4;
const SETTLE_WITHIN_MS = 300_000;
const RSS_LIMIT = 1.5 * 1024 ** 3;
const EVENT_TYPE = "alert.critical";

let stack: Stack;
let account: TestAccount;
let healthyTarget: Receiver;
const endpoints: { id: string; kind: Kind; receiver: Receiver }[] = [];

beforeAll(async () => {
  expect(deliveryConfig()).toMatchObject({ schedule: [0, 1000, 1000], timeoutMs: 1000 });
  stack = await startStack("engine_chaos");
  account = await createTestAccount("Chaos");
  // Redirects point here; a sender that followed one would be seen as a stray request.
  healthyTarget = await startChaosReceiver("healthy");
  for (const [kind, n] of KINDS) {
    for (let i = 0; i < n; i++) {
      const receiver = await startChaosReceiver(kind, healthyTarget.url.replace("/hook", "/followed-a-redirect"));
      const res = await call(webhooks.POST, {
        method: "POST",
        headers: bearer(account.keys.admin),
        body: { url: receiver.url, description: `chaos ${kind} ${i}`, environment: "development", event_types: [EVENT_TYPE] },
      });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      endpoints.push({ id: res.json.id, kind, receiver });
    }
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([healthyTarget, ...endpoints.map((e) => e.receiver)].map((r) => r?.stop()));
});

describe("chaos receivers", () => {
  it(
    `settles ${EVENTS * KINDS.reduce((n, [, k]) => n + k, 0)} deliveries with exactly the scheduled attempts and bounded memory`,
    async () => {
      const started = Date.now();
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

      // ── publish through the API ───────────────────────────────────────────────
      const data = getEventType(EVENT_TYPE)!.sample;
      const deliveryKind = new Map<string, Kind>();
      const kindOf = new Map(endpoints.map((e) => [e.id, e.kind]));
      let next = 0;
      await Promise.all(
        Array.from({ length: PUBLISH_CONCURRENCY }, async () => {
          while (next < EVENTS) {
            next++;
            const res = await call(events.POST, {
              method: "POST",
              headers: bearer(account.keys.admin),
              body: { type: EVENT_TYPE, environment: "development", data },
            });
            expect(res.status, JSON.stringify(res.json)).toBe(202);
            expect(res.json.deliveries).toHaveLength(endpoints.length);
            for (const d of res.json.deliveries as { id: string; endpoint_id: string }[]) deliveryKind.set(d.id, kindOf.get(d.endpoint_id)!);
          }
        }),
      );
      const published = Date.now();
      const total = deliveryKind.size;
      expect(total).toBe(EVENTS * endpoints.length);

      // ── bounded wait: nothing may stay pending or retrying ─────────────────────
      const open = () => db.delivery.count({ where: { accountId: account.accountId, status: { in: ["pending", "retrying"] } } });
      let stillOpen = total;
      const progress = setInterval(() => console.log(`chaos: ${stillOpen} of ${total} deliveries open after ${((Date.now() - started) / 1000).toFixed(0)} s`), 15_000);
      try {
        await waitFor(async () => (stillOpen = await open()) === 0, SETTLE_WITHIN_MS, "every delivery to settle");
      } catch (error) {
        const stuck = await db.delivery.findMany({
          where: { accountId: account.accountId, status: { in: ["pending", "retrying"] } },
          select: { id: true, status: true, attemptCount: true, endpointId: true },
          take: 10,
        });
        clearInterval(progress);
        throw new Error(`${stillOpen} deliveries still open: ${JSON.stringify(stuck.map((s) => ({ ...s, kind: kindOf.get(s.endpointId) })))}`, { cause: error });
      }
      clearInterval(progress);
      const settled = Date.now();
      // Anything still in flight after settling would be an attempt beyond the schedule.
      await new Promise((r) => setTimeout(r, 1500));
      clearInterval(sampler);

      // ── the record ─────────────────────────────────────────────────────────────
      const deliveries = await db.delivery.findMany({ where: { accountId: account.accountId } });
      const attempts = await db.deliveryAttempt.findMany({
        where: { accountId: account.accountId },
        select: { deliveryId: true, number: true, trigger: true, errorClass: true, responseStatus: true, responseBody: true, succeeded: true, createdAt: true },
        orderBy: [{ deliveryId: "asc" }, { number: "asc" }],
      });
      const byDelivery = new Map<string, typeof attempts>();
      for (const a of attempts) byDelivery.set(a.deliveryId, [...(byDelivery.get(a.deliveryId) ?? []), a]);

      const problems: string[] = [];
      const problem = (text: string) => problems.length < 40 && problems.push(text);
      const scheduled = deliveryConfig().schedule.length;
      expect(deliveries).toHaveLength(total);
      // Every event was handed over (none left for the sweep).
      expect(await db.outboxMessage.count({ where: { accountId: account.accountId } })).toBe(0);
      for (const d of deliveries) {
        const kind = deliveryKind.get(d.id)!;
        const want = expectationFor(kind);
        const rows = byDelivery.get(d.id) ?? [];
        const tag = `${kind} ${d.id}`;
        if (d.status !== want.outcome) problem(`${tag}: ${d.status}, expected ${want.outcome} (last error ${d.lastError})`);
        if (d.attemptCount !== want.attempts) problem(`${tag}: attempt_count ${d.attemptCount}, expected ${want.attempts}`);
        if (d.status === "failed" && d.attemptCount !== scheduled) problem(`${tag}: failed after ${d.attemptCount} attempts, schedule has ${scheduled}`);
        if (d.status === "succeeded" && d.attemptCount > scheduled) problem(`${tag}: ${d.attemptCount} attempts > ${scheduled}`);
        if (rows.length !== d.attemptCount) problem(`${tag}: ${rows.length} attempt rows, attempt_count ${d.attemptCount}`);
        if (rows.map((r) => r.number).join() !== rows.map((_, i) => i + 1).join()) problem(`${tag}: attempt numbers ${rows.map((r) => r.number)}`);
        if (d.nextAttemptAt !== null || d.completedAt === null) problem(`${tag}: next ${d.nextAttemptAt} completed ${d.completedAt}`);
        const classes = rows.map((r) => r.errorClass);
        if (classes.join() !== want.classes.join()) problem(`${tag}: error classes [${classes}], expected [${want.classes}]`);
        const statuses = rows.map((r) => r.responseStatus);
        if (statuses.join() !== want.statuses.join()) problem(`${tag}: statuses [${statuses}], expected [${want.statuses}]`);
        rows.forEach((r, i) => {
          if (r.trigger !== "scheduled") problem(`${tag}: attempt ${r.number} trigger ${r.trigger}`);
          if (r.succeeded !== (r.errorClass === null)) problem(`${tag}: attempt ${r.number} succeeded=${r.succeeded} class=${r.errorClass}`);
          if (Buffer.byteLength(r.responseBody ?? "") > RESPONSE_BODY_LIMIT) problem(`${tag}: kept ${Buffer.byteLength(r.responseBody ?? "")} bytes of response`);
          // The schedule's 1 s wait separates attempts (createdAt is when each one finished).
          if (i > 0 && r.createdAt.getTime() - rows[i - 1].createdAt.getTime() < 900) problem(`${tag}: attempt ${r.number} only ${r.createdAt.getTime() - rows[i - 1].createdAt.getTime()} ms after the previous`);
        });
        if (kind === "big_200" || kind === "big_500") {
          if (rows.some((r) => Buffer.byteLength(r.responseBody ?? "") !== RESPONSE_BODY_LIMIT)) problem(`${tag}: a 10 MB body should be kept as exactly 16 KB`);
        }
      }

      // The receivers' own counts agree with the history, per endpoint and per event. No crash
      // happens here, so at-least-once delivery has no excuse for a duplicate.
      const attemptsPerEndpoint = new Map<string, number>();
      for (const d of deliveries) attemptsPerEndpoint.set(d.endpointId, (attemptsPerEndpoint.get(d.endpointId) ?? 0) + (byDelivery.get(d.id)?.length ?? 0));
      for (const ep of endpoints) {
        const recorded = attemptsPerEndpoint.get(ep.id) ?? 0;
        if (ep.receiver.count() !== recorded) problem(`${ep.kind} ${ep.id}: receiver saw ${ep.receiver.count()} requests, history has ${recorded}`);
        const want = expectationFor(ep.kind).attempts;
        const off = [...ep.receiver.perEvent].filter(([, n]) => n !== want);
        if (off.length > 0 || ep.receiver.perEvent.size !== EVENTS) problem(`${ep.kind} ${ep.id}: ${ep.receiver.perEvent.size} events seen, ${off.length} with ≠ ${want} requests (e.g. ${JSON.stringify(off.slice(0, 3))})`);
        if (ep.receiver.strays.length) problem(`${ep.kind}: stray requests ${ep.receiver.strays.slice(0, 3)}`);
      }
      if (healthyTarget.count() + healthyTarget.strays.length > 0) problem(`a redirect was followed: ${healthyTarget.strays.slice(0, 3)}`);

      // One of each kind through the API as well: what a user sees in the history.
      for (const [kind] of KINDS) {
        const id = [...deliveryKind].find(([, k]) => k === kind)![0];
        const shown = await call(deliveryItem.GET, { headers: bearer(account.keys.viewer), params: { deliveryId: id } });
        expect(shown.status).toBe(200);
        expect(shown.json).toMatchObject({ status: expectationFor(kind).outcome, max_attempts: scheduled });
        for (const a of shown.json.attempts) expect(Buffer.byteLength(a.response?.body ?? "")).toBeLessThanOrEqual(RESPONSE_BODY_LIMIT);
      }

      // ── summary ────────────────────────────────────────────────────────────────
      const rowsByKind = KINDS.map(([kind, n]) => {
        const mine = deliveries.filter((d) => deliveryKind.get(d.id) === kind);
        const count = (s: string) => mine.filter((d) => d.status === s).length;
        const recorded = mine.reduce((sum, d) => sum + (byDelivery.get(d.id)?.length ?? 0), 0);
        const requests = endpoints.filter((e) => e.kind === kind).reduce((sum, e) => sum + e.receiver.count(), 0);
        return { kind, endpoints: n, deliveries: mine.length, succeeded: count("succeeded"), failed: count("failed"), attempts: recorded, receiver_requests: requests };
      });
      console.log(
        [
          `chaos: ${total} deliveries, ${attempts.length} attempts; published in ${((published - started) / 1000).toFixed(1)} s, ` +
            `all settled after ${((settled - started) / 1000).toFixed(1)} s; peak RSS ${(peakRss / 1024 ** 2).toFixed(0)} MB ` +
            `(${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"})`,
          ...table(rowsByKind),
        ].join("\n"),
      );

      expect(problems).toEqual([]);
      expect(peakRss).toBeLessThan(RSS_LIMIT);
    },
    SETTLE_WITHIN_MS + 120_000,
  );
});

function table(rows: Record<string, string | number>[]): string[] {
  const keys = Object.keys(rows[0]);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join("  ");
  return [line(keys), ...rows.map((r) => line(keys.map((k) => String(r[k]))))];
}
