import "server-only";
import { sqlQuery } from "../db";
import { newId } from "../ids";
import { countSettled, observedAttempt } from "../observability/deliveries";
import { decryptCustomHeaders, maskHeaderValue } from "../webhooks/custom-headers";
import { signingSecretsFor, type SigningSecrets } from "../webhooks/secrets";
import { deliveryConfig } from "./config";
import { dispatch, scheduleContinuedMessage, writeOutbox } from "./outbox";
import {
  applyDecisions,
  loadStates,
  recordAttempts,
  STATE_COLUMNS,
  stateFromRow,
  type AttemptRecord,
  type Recorded,
  type SentAttempt,
  type StateRow,
} from "./record-attempts";
import { sendRequest } from "./send-request";
import { db24x7Signature, standardWebhooksSignature } from "./signing";
import { admit, afterCancel, afterUnmadeAttempt, type AttemptTrigger, type DeliveryState, type ResultClass } from "./state";

/** Where a delivery's schedule goes on: its next scheduled attempt (0-based) and when (ISO). */
export type NextAttempt = { attempt: number; at: string };

/** What became of one delivery in a call to `attemptDeliveries` (plain JSON: a step's result). */
export type AttemptOutcome =
  | { kind: "attempted"; result: ResultClass; httpStatus: number | null; durationMs: number; next: NextAttempt | null }
  | { kind: "skipped"; reason: string; next: NextAttempt | null }
  | { kind: "cancelled"; reason: string }
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
  /** The delivery's number among its endpoint's deliveries (null for those made before numbering). */
  sequence: number | null;
  /** The endpoint's custom headers (their names never collide with ours: lib/webhooks/custom-headers.ts). */
  customHeaders?: Record<string, string>;
}): Record<string, string> {
  const headers: Record<string, string> = {
    ...input.customHeaders,
    "Content-Type": "application/json",
    "User-Agent": deliveryConfig().userAgent,
    "X-DB24x7-Signature": db24x7Signature(input.signWith, input.body),
    "X-DB24x7-Event-ID": input.eventId,
    "X-DB24x7-Delivery-ID": input.attemptId,
    "X-DB24x7-Timestamp": String(input.timestamp),
  };
  if (input.sequence !== null) headers["X-DB24x7-Endpoint-Sequence"] = String(input.sequence);
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

interface LoadedDelivery {
  id: string;
  accountId: string;
  endpointId: string;
  state: DeliveryState;
  isTest: boolean;
  createdMs: number;
  sequence: number | null;
  event: { id: string; body: string };
  endpoint: {
    id: string;
    url: string;
    rateLimitPerSecond: number | null;
    headersEncrypted: string | null;
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
SELECT d.id, d.account_id, d.endpoint_id, ${STATE_COLUMNS},
       d.is_test, (extract(epoch FROM d.created_at) * 1000)::float8 AS created_ms, d.sequence::float8 AS sequence,
       e.id AS event_id, e.body, w.url, w.rate_limit_per_second, w.headers_encrypted,
       w.failing_since IS NOT NULL AS failing, w.standard_webhooks,
       w.secret_encrypted, w.previous_secret_encrypted,
       (extract(epoch FROM w.previous_secret_expires_at) * 1000)::float8 AS previous_secret_expires_ms
FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id
WHERE d.id = ANY($1::text[])`;

interface LoadRow extends StateRow {
  id: string;
  account_id: string;
  endpoint_id: string;
  is_test: boolean;
  created_ms: number;
  sequence: number | null;
  event_id: string;
  body: string;
  url: string;
  rate_limit_per_second: number | null;
  headers_encrypted: string | null;
  failing: boolean;
  standard_webhooks: boolean;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_ms: number | null;
}

async function loadDeliveries(ids: string[]): Promise<LoadedDelivery[]> {
  const { rows } = await sqlQuery<LoadRow>("deliveries_load", LOAD_SQL, [ids]);
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    endpointId: r.endpoint_id,
    state: stateFromRow(r),
    isTest: r.is_test,
    createdMs: r.created_ms,
    sequence: r.sequence,
    event: { id: r.event_id, body: r.body },
    endpoint: {
      id: r.endpoint_id,
      url: r.url,
      rateLimitPerSecond: r.rate_limit_per_second,
      headersEncrypted: r.headers_encrypted,
      failing: r.failing,
      standardWebhooks: r.standard_webhooks,
      secretEncrypted: r.secret_encrypted,
      previousSecretEncrypted: r.previous_secret_encrypted,
      previousSecretExpiresAt: r.previous_secret_expires_ms === null ? null : new Date(r.previous_secret_expires_ms),
    },
  }));
}

/**
 * One attempt of a delivery, decided and recorded by the state machine (state.ts). `attempt` is
 * the 0-based scheduled attempt, for the schedule's own attempts.
 */
export async function attemptDelivery(deliveryId: string, trigger: AttemptTrigger, attempt = 0): Promise<AttemptOutcome> {
  const outcomes = await attemptDeliveries([deliveryId], trigger, attempt);
  return outcomes.get(deliveryId) ?? { kind: "skipped", reason: "delivery not found", next: null };
}

export interface AttemptOptions {
  /** No attempt starts after this long; those not started come back `deferred`. */
  budgetMs?: number;
  /** Attempts in flight at once per endpoint (the configured bound by default). */
  endpointConcurrency?: number;
  /** An endpoint whose deliveries cannot be signed has them `deferred` instead of failing the call. */
  isolateFaults?: boolean;
  /** Deliveries to endpoints already failing come back `deferred`. */
  deferFailing?: boolean;
  /**
   * The batch: a schedule that goes on, and each deferred delivery, is handed to a run of the
   * delivery's own through the outbox (written with the attempt, sent before this returns).
   */
  handOver?: boolean;
  /** The publish each delivery's hand-over carried, as W3C traceparent (tracing only). */
  traceparents?: Map<string, string>;
}

/**
 * One attempt of each delivery, in parallel (at most `endpointConcurrency` per endpoint), each
 * recorded as it completes (in small groups: one statement per group). Throws when recording
 * fails (or signing, without `isolateFaults`), so the caller's step is retried; what was
 * recorded is not sent again (its state says so).
 */
export async function attemptDeliveries(
  deliveryIds: string[],
  trigger: AttemptTrigger,
  attempt = 0,
  options: AttemptOptions = {},
): Promise<Map<string, AttemptOutcome>> {
  const outcomes = new Map<string, AttemptOutcome>();
  const now = new Date();
  const toCancel: Array<{ delivery: LoadedDelivery; reason: string }> = [];
  const byEndpoint = new Map<string, LoadedDelivery[]>();
  const loaded = await loadDeliveries([...new Set(deliveryIds)]);
  for (const delivery of loaded) {
    const admission = admit(delivery.state, trigger, attempt, now);
    if (admission.kind === "skip") {
      outcomes.set(delivery.id, { kind: "skipped", reason: admission.reason, next: nextAttempt(admission.resume) });
    } else if (admission.kind === "cancel") {
      toCancel.push({ delivery, reason: admission.reason });
    } else if (options.deferFailing && delivery.endpoint.failing) {
      outcomes.set(delivery.id, { kind: "deferred" });
    } else {
      byEndpoint.set(delivery.endpointId, [...(byEndpoint.get(delivery.endpointId) ?? []), delivery]);
    }
  }
  const cancelled = await cancel(toCancel);
  for (const { delivery, reason } of toCancel) {
    outcomes.set(
      delivery.id,
      cancelled.has(delivery.id) ? { kind: "cancelled", reason } : { kind: "skipped", reason: "delivery changed meanwhile", next: null },
    );
  }

  const config = deliveryConfig();
  const limit = options.endpointConcurrency ?? config.endpointConcurrency;
  const deadline = options.budgetMs === undefined ? Infinity : Date.now() + options.budgetMs;
  const recorder = new Recorder(options.handOver ?? false);

  const faults: unknown[] = [];
  const work = async (deliveries: LoadedDelivery[]) => {
    let secrets: SigningSecrets;
    let customHeaders: Record<string, string>;
    try {
      secrets = signingSecretsFor(deliveries[0]!.endpoint);
      customHeaders = decryptCustomHeaders(deliveries[0]!.endpointId, deliveries[0]!.endpoint.headersEncrypted);
    } catch (error) {
      // A fault of ours with this endpoint (its secret or headers do not decrypt): in a batch, its
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
        const parent = options.traceparents?.get(delivery.id);
        const sent = await observedAttempt(delivery, trigger, attempt, parent, () => sendWithSecretSwitch(delivery, secrets, customHeaders));
        const { result } = sent[sent.length - 1]!;
        await recorder.add({
          deliveryId: delivery.id,
          accountId: delivery.accountId,
          endpointId: delivery.endpointId,
          isTest: delivery.isTest,
          requestUrl: delivery.endpoint.url,
          trigger,
          attempt,
          state: delivery.state,
          sent,
          switchedSecret: sent.length === 2 && result.errorClass === null,
          at: new Date(),
        });
        outcomes.set(delivery.id, {
          kind: "attempted",
          result: result.errorClass ?? "success",
          httpStatus: result.status,
          durationMs: result.durationMs,
          next: null,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, deliveries.length) }, worker));
  };
  // Every group finishes (and is recorded) before a fault is thrown, so nothing sent goes unrecorded.
  await Promise.all([...byEndpoint.values()].map((group) => work(group).catch((error: unknown) => faults.push(error))));
  const recorded = await recorder.close();
  if (faults.length) throw faults[0];
  for (const [id, { decision }] of recorded) {
    const outcome = outcomes.get(id);
    if (outcome?.kind === "attempted") outcome.next = nextAttempt(decision.continueWith);
  }
  if (options.handOver) {
    // A deferred delivery makes its first attempt in a run of its own; written before it is
    // sent, so a crash here leaves it for the sweep (or this step's retry, which defers it again).
    const deferred = loaded.flatMap((d) =>
      outcomes.get(d.id)?.kind === "deferred"
        ? [scheduleContinuedMessage({ delivery_id: d.id, endpoint_id: d.endpointId, account_id: d.accountId, attempt })]
        : [],
    );
    await writeOutbox(deferred);
    const continued = [...recorded.values()].flatMap((r) => (r.handOver ? [r.handOver] : []));
    await dispatch([...continued, ...deferred]);
  }
  return outcomes;
}

function nextAttempt(continuation: { attempt: number; at: Date } | null): NextAttempt | null {
  return continuation && { attempt: continuation.attempt, at: continuation.at.toISOString() };
}

async function cancel(stopped: Array<{ delivery: LoadedDelivery; reason: string }>): Promise<Set<string>> {
  const decision = afterCancel();
  return applyDecisions(
    stopped.map(({ delivery, reason }) => ({ id: delivery.id, state: delivery.state, decision, error: `Stopped: ${reason}` })),
    new Date(),
  );
}

/** Where a resumed schedule picks up: its next scheduled attempt, now; null when it is settled. */
export async function resumePoint(deliveryId: string): Promise<NextAttempt | null> {
  const state = (await loadStates([deliveryId])).get(deliveryId);
  if (!state || (state.status !== "pending" && state.status !== "retrying")) return null;
  const attempt = Math.min(state.scheduledAttempts, deliveryConfig().schedule.length - 1);
  return { attempt, at: new Date().toISOString() };
}

/** A requested attempt given up on (see afterUnmadeAttempt); answers whether the delivery changed. */
export async function settleRequestedAttempt(deliveryId: string, trigger: "manual" | "test"): Promise<boolean> {
  const state = (await loadStates([deliveryId])).get(deliveryId);
  if (!state) return false;
  const at = new Date();
  const decision = afterUnmadeAttempt(state, trigger, at);
  // Not completed: the state machine keeps the delivery as it is.
  if (!decision.completed) return false;
  const error = "The attempt could not be made because of a fault on our side; retry it";
  return (await applyDecisions([{ id: deliveryId, state, decision, error }], at)).has(deliveryId);
}

/**
 * During a rolled secret's grace period the documented header is signed with the previous
 * secret, so receivers that have not switched keep working. A receiver that already switched
 * (as the documentation's receivers do: one secret, one header) refuses that with 401/403:
 * the request is then sent again at once signed with the new secret, and if that is accepted
 * the grace period ends early. Either way no delivery fails over the switch.
 */
async function sendWithSecretSwitch(
  delivery: LoadedDelivery,
  secrets: SigningSecrets,
  customHeaders: Record<string, string>,
): Promise<SentAttempt[]> {
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
      sequence: delivery.sequence,
      customHeaders,
    });
    const result = await sendRequest({ url: endpoint.url, headers, body: event.body, timeoutMs: config.timeoutMs });
    // History keeps the request as sent, but custom header values only masked: they may be credentials.
    const recorded = { ...headers };
    for (const name of Object.keys(customHeaders)) recorded[name] = maskHeaderValue(customHeaders[name]!);
    return { attemptId, headers: recorded, result, at: new Date() };
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
  constructor(private readonly handOver: boolean) {}
  readonly recorded = new Map<string, Recorded>();
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
        const written = await recordAttempts(group, { handOver: this.handOver });
        countSettled(written);
        for (const [id, recorded] of written) this.recorded.set(id, recorded);
      } catch (error) {
        this.failed = true;
        this.error = error;
      } finally {
        this.unwritten -= group.length;
      }
    });
  }

  /** Writes what is left; answers every decision recorded. */
  async close(): Promise<Map<string, Recorded>> {
    this.flush();
    await this.chain;
    if (this.failed) throw this.error;
    return this.recorded;
  }
}
