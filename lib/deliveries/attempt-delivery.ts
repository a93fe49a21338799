import "server-only";
import type { DeliveryStatus } from "@prisma/client";
import { db, sqlQuery } from "../db";
import { newId } from "../ids";
import { signingSecretsFor, type SigningSecrets } from "../webhooks/secrets";
import { deliveryConfig } from "./config";
import { recordAttempts, type AttemptRecord, type SentAttempt } from "./record-attempts";
import { sendRequest, type SendResult } from "./send-request";
import { db24x7Signature, standardWebhooksSignature } from "./signing";

export type AttemptTrigger = "scheduled" | "manual" | "test";

export type AttemptOutcome =
  | { kind: "succeeded"; attemptId: string; status: number; durationMs: number }
  | { kind: "failed"; attemptId: string; final: boolean; status: number | null; errorClass: string; durationMs: number }
  // Nothing was sent: the delivery is already settled or attempted, or its endpoint is disabled or deleted.
  | { kind: "stopped"; reason: string; status?: DeliveryStatus }
  // Not attempted here: the batch's time budget ran out first, or its endpoint is kept apart.
  | { kind: "deferred" };

/** Builds the exact headers of one attempt; the signature covers the exact body sent. */
export function attemptHeaders(input: {
  attemptId: string;
  eventId: string;
  body: string;
  timestamp: number;
  /** Signs the documented X-DB24x7-Signature. */
  signWith: string;
  /** During a rolled secret's grace period: the new secret, for X-DB24x7-Signature-Next. */
  nextSecret: string | null;
  /** Secrets for the opt-in Standard Webhooks header (it carries several), or none. */
  standardWebhooksSecrets: string[];
}): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": deliveryConfig().userAgent,
    "X-DB24x7-Signature": db24x7Signature(input.signWith, input.body),
    "X-DB24x7-Event-ID": input.eventId,
    "X-DB24x7-Delivery-ID": input.attemptId,
    "X-DB24x7-Timestamp": String(input.timestamp),
  };
  if (input.nextSecret) headers["X-DB24x7-Signature-Next"] = db24x7Signature(input.nextSecret, input.body);
  if (input.standardWebhooksSecrets.length) {
    headers["webhook-id"] = input.eventId;
    headers["webhook-timestamp"] = String(input.timestamp);
    headers["webhook-signature"] = input.standardWebhooksSecrets
      .map((secret) => standardWebhooksSignature(secret, input.eventId, input.timestamp, input.body))
      .join(" ");
  }
  return headers;
}

/** How many scheduled attempts a delivery has had: where a resumed run picks up. */
export async function scheduledAttemptsMade(deliveryId: string): Promise<number> {
  return db.deliveryAttempt.count({ where: { deliveryId, trigger: "scheduled" } });
}

interface LoadedDelivery {
  id: string;
  accountId: string;
  endpointId: string;
  status: DeliveryStatus;
  isTest: boolean;
  event: { id: string; body: string };
  endpoint: {
    id: string;
    url: string;
    status: "active" | "disabled";
    deleted: boolean;
    /** Its deliveries have been failing (failing_since set). */
    failing: boolean;
    standardWebhooks: boolean;
    secretEncrypted: string;
    previousSecretEncrypted: string | null;
    previousSecretExpiresAt: Date | null;
  };
}

// The deliveries with their event and endpoint, in one statement (see sqlPool for why not Prisma).
const LOAD_SQL = `
SELECT d.id, d.account_id, d.endpoint_id, d.status::text AS status, d.is_test, e.id AS event_id, e.body,
       w.url, w.status::text AS endpoint_status, w.deleted_at IS NOT NULL AS deleted,
       w.failing_since IS NOT NULL AS failing, w.standard_webhooks,
       w.secret_encrypted, w.previous_secret_encrypted,
       (extract(epoch FROM w.previous_secret_expires_at) * 1000)::float8 AS previous_secret_expires_ms
FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id
WHERE d.id = ANY($1::text[])`;

async function loadDeliveries(ids: string[]): Promise<LoadedDelivery[]> {
  const { rows } = await sqlQuery("deliveries_load", LOAD_SQL, [ids]);
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    endpointId: r.endpoint_id,
    status: r.status,
    isTest: r.is_test,
    event: { id: r.event_id, body: r.body },
    endpoint: {
      id: r.endpoint_id,
      url: r.url,
      status: r.endpoint_status,
      deleted: r.deleted,
      failing: r.failing,
      standardWebhooks: r.standard_webhooks,
      secretEncrypted: r.secret_encrypted,
      previousSecretEncrypted: r.previous_secret_encrypted,
      previousSecretExpiresAt: r.previous_secret_expires_ms === null ? null : new Date(r.previous_secret_expires_ms),
    },
  }));
}

/**
 * One HTTP attempt of a delivery, recorded with the exact request and the response.
 * `scheduledIndex` is the 0-based position in the retry schedule for scheduled attempts.
 */
export async function attemptDelivery(deliveryId: string, trigger: AttemptTrigger, scheduledIndex = 0): Promise<AttemptOutcome> {
  const outcomes = await attemptDeliveries([deliveryId], trigger, scheduledIndex);
  return outcomes.get(deliveryId)!;
}

/**
 * One attempt of each delivery, in parallel (at most `endpointConcurrency` per endpoint), each
 * recorded as it completes (in small groups: one statement per group). With `budgetMs`, no
 * attempt starts after that long; those not started come back `deferred`, as do an endpoint's
 * deliveries that cannot be signed when `isolateFaults` is set, and with `deferFailing` those
 * to endpoints already failing. Throws when recording fails
 * (or signing, without `isolateFaults`), so the caller's step is retried; what was recorded
 * is not sent again.
 */
export async function attemptDeliveries(
  deliveryIds: string[],
  trigger: AttemptTrigger,
  scheduledIndex = 0,
  options: { budgetMs?: number; endpointConcurrency?: number; isolateFaults?: boolean; deferFailing?: boolean } = {},
): Promise<Map<string, AttemptOutcome>> {
  const outcomes = new Map<string, AttemptOutcome>();
  const loaded = await loadDeliveries(deliveryIds);
  const byId = new Map(loaded.map((d) => [d.id, d]));
  const cancelled: Array<{ id: string; reason: string }> = [];
  const byEndpoint = new Map<string, LoadedDelivery[]>();
  for (const id of new Set(deliveryIds)) {
    const delivery = byId.get(id);
    if (!delivery) {
      outcomes.set(id, { kind: "stopped", reason: "delivery not found" });
      continue;
    }
    const stop = stopReason(delivery, trigger, scheduledIndex);
    if (stop) {
      outcomes.set(id, { kind: "stopped", reason: stop, status: delivery.status });
      continue;
    }
    const { endpoint } = delivery;
    if (endpoint.deleted || (endpoint.status === "disabled" && trigger !== "test")) {
      const reason = endpoint.deleted ? "endpoint deleted" : "endpoint disabled";
      outcomes.set(id, { kind: "stopped", reason });
      if (trigger === "scheduled") cancelled.push({ id, reason });
      continue;
    }
    if (options.deferFailing && endpoint.failing) {
      outcomes.set(id, { kind: "deferred" });
      continue;
    }
    byEndpoint.set(endpoint.id, [...(byEndpoint.get(endpoint.id) ?? []), delivery]);
  }
  for (const reason of new Set(cancelled.map((c) => c.reason))) {
    await db.delivery.updateMany({
      where: { id: { in: cancelled.filter((c) => c.reason === reason).map((c) => c.id) }, status: { in: ["pending", "retrying"] } },
      data: { status: "cancelled", lastError: `Stopped: ${reason}`, nextAttemptAt: null, completedAt: new Date() },
    });
  }

  const config = deliveryConfig();
  const limit = options.endpointConcurrency ?? config.endpointConcurrency;
  const deadline = options.budgetMs === undefined ? Infinity : Date.now() + options.budgetMs;
  const recorder = new Recorder();
  const lastScheduled = scheduledIndex >= config.schedule.length - 1;
  const final = trigger === "test" || (trigger === "scheduled" && lastScheduled);

  const faults: unknown[] = [];
  const work = async (deliveries: LoadedDelivery[]) => {
    let secrets: SigningSecrets;
    try {
      secrets = signingSecretsFor(deliveries[0]!.endpoint);
    } catch (error) {
      // A fault of ours with this endpoint (its secret does not decrypt): in a batch, its
      // deliveries go on in runs of their own, which retry and resume on their own.
      if (!options.isolateFaults) throw error;
      console.error(`[deliveries] endpoint ${deliveries[0]!.endpointId}: ${error instanceof Error ? error.message : error}`);
      for (const delivery of deliveries) outcomes.set(delivery.id, { kind: "deferred" });
      return;
    }
    let next = 0;
    const worker = async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++]!;
        if (recorder.failed || Date.now() >= deadline) {
          outcomes.set(delivery.id, { kind: "deferred" });
          continue;
        }
        const sent = await sendWithSecretSwitch(delivery, secrets);
        const { result, attemptId } = sent[sent.length - 1]!;
        const succeeded = result.errorClass === null;
        const at = new Date();
        await recorder.add({
          deliveryId: delivery.id,
          accountId: delivery.accountId,
          endpointId: delivery.endpointId,
          isTest: delivery.isTest,
          requestUrl: delivery.endpoint.url,
          trigger,
          sent,
          final,
          retryAt:
            !succeeded && !final && trigger === "scheduled" ? new Date(at.getTime() + config.schedule[scheduledIndex + 1]!) : null,
          switchedSecret: sent.length === 2 && succeeded,
          at,
        });
        outcomes.set(
          delivery.id,
          succeeded
            ? { kind: "succeeded", attemptId, status: result.status!, durationMs: result.durationMs }
            : { kind: "failed", attemptId, final, status: result.status, errorClass: result.errorClass!, durationMs: result.durationMs },
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, deliveries.length) }, worker));
  };
  // Every group finishes (and is recorded) before a fault is thrown, so nothing sent goes unrecorded.
  await Promise.all([...byEndpoint.values()].map((group) => work(group).catch((error: unknown) => faults.push(error))));
  await recorder.close();
  if (faults.length) throw faults[0];
  return outcomes;
}

function stopReason(delivery: LoadedDelivery, trigger: AttemptTrigger, scheduledIndex: number): string | undefined {
  if (trigger !== "scheduled") return undefined;
  if (delivery.status === "succeeded" || delivery.status === "cancelled" || delivery.status === "failed") {
    return `delivery already ${delivery.status}`;
  }
  // A first attempt repeated (its step re-ran after a crash): the attempt was made and recorded.
  if (scheduledIndex === 0 && delivery.status !== "pending") return "first attempt already made";
  return undefined;
}

/**
 * During a rolled secret's grace period the documented header is signed with the previous
 * secret, so receivers that have not switched keep working. A receiver that already switched
 * (as the documentation's receivers do: one secret, one header) refuses that with 401/403:
 * the request is then sent again at once signed with the new secret, and if that is accepted
 * the grace period ends early. Either way no delivery fails over the switch.
 */
async function sendWithSecretSwitch(delivery: LoadedDelivery, secrets: SigningSecrets): Promise<SentAttempt[]> {
  const { endpoint, event } = delivery;
  const config = deliveryConfig();
  const send = async (signWith: string, nextSecret: string | null): Promise<SentAttempt> => {
    const attemptId = newId("att");
    const headers = attemptHeaders({
      attemptId,
      eventId: event.id,
      body: event.body,
      timestamp: Math.floor(Date.now() / 1000),
      signWith,
      nextSecret,
      standardWebhooksSecrets: endpoint.standardWebhooks ? [secrets.current, secrets.previous].filter((x) => x !== null) : [],
    });
    const result = await sendRequest({ url: endpoint.url, headers, body: event.body, timeoutMs: config.timeoutMs });
    return { attemptId, headers, result, at: new Date() };
  };
  const first = await send(secrets.previous ?? secrets.current, secrets.previous ? secrets.current : null);
  const refused = first.result.status === 401 || first.result.status === 403;
  return secrets.previous && refused ? [first, await send(secrets.current, null)] : [first];
}

/**
 * Records attempts as they complete: the first waits at most 50 ms for company, and a group is
 * written at 25. Groups are written one after another; after a failed write nothing more is
 * written, and close() throws that failure. add() waits while 50 attempts are unwritten, which
 * bounds what a crash can leave sent but unrecorded.
 */
class Recorder {
  private pending: AttemptRecord[] = [];
  private unwritten = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private error: unknown;
  failed = false;

  async add(attempt: AttemptRecord) {
    this.pending.push(attempt);
    this.unwritten++;
    if (this.pending.length >= 25) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 50);
    if (this.unwritten >= 50) await this.chain;
  }

  private flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.pending.splice(0);
    if (group.length === 0) return;
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        await recordAttempts(group);
      } catch (error) {
        this.failed = true;
        this.error = error;
      } finally {
        this.unwritten -= group.length;
      }
    });
  }

  async close() {
    this.flush();
    await this.chain;
    if (this.failed) throw this.error;
  }
}

export type { SendResult };
