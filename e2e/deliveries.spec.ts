// Deliveries in the dashboard, end to end: a real receiver on 127.0.0.1 in this process, an
// endpoint and an API key made through the API with the admin's session, then Send Test Event,
// publishing, live history, filters, Retry now, the dashboard home and a viewer's view.
// The e2e server runs the documented schedule (a failed first attempt is retried after 30 s),
// so a delivery stays "retrying" long enough to retry it by hand. Send Test Event and Retry now
// are queued by the API and attempted a moment later; the screens follow the delivery.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync } from "node:fs";
import type { Page, Route } from "@playwright/test";
import { newId } from "../lib/ids";
import { expect, signIn, test } from "./support/test";

const WEBHOOKS = "/settings/integrations/webhooks";

// Screenshots for reviewing the screens: DELIVERIES_SCREENSHOTS=<dir>.
const SHOTS = process.env.DELIVERIES_SCREENSHOTS;
async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Answers by path: `/fail-once/…` fails its first request with a 500, `/down/…` every one, everything else is 200. */
function startReceiver() {
  const seen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const path = req.url ?? "/";
      const nth = (seen.get(path) ?? 0) + 1;
      seen.set(path, nth);
      const fail = (path.startsWith("/fail-once/") && nth === 1) || path.startsWith("/down/");
      res.writeHead(fail ? 500 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(fail ? { error: "database unavailable" } : { received: true, nth }));
    });
  });
  return new Promise<{ base: string; close: () => Promise<void> }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

/** React errors in the browser (hydration mismatches above all), collected for a final check. */
function reactErrors(page: Page) {
  const errors: string[] = [];
  const keep = (text: string) => /hydrat|Minified React error|did not match/i.test(text) && errors.push(text);
  page.on("console", (message) => message.type() === "error" && keep(message.text()));
  page.on("pageerror", (error) => keep(error.message));
  return errors;
}

const DELIVERY_READ = /\/api\/v1\/deliveries\/dlv_[^/?]+$/;

/**
 * Holds the page's reads of deliveries until the returned function is called: the attempt the
 * API queued is made meanwhile, but the screen can only show that it is waiting for it.
 */
async function holdDeliveryReads(page: Page) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(DELIVERY_READ, async (route) => {
    await released;
    // A read the page gave up meanwhile (the retry cancels the one in flight) is already handled.
    await route.continue().catch(() => undefined);
  });
  return async () => {
    release();
    await page.unroute(DELIVERY_READ);
  };
}

async function api<T = any>(page: Page, method: string, path: string, body?: unknown, key?: string) {
  return page.evaluate(
    async ({ method, path, body, key }) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (key) headers.authorization = `Bearer ${key}`;
      const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as T };
    },
    { method, path, body, key },
  );
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
const tag = Date.now().toString(36);
const state = {} as {
  okEndpoint: string;
  flakyEndpoint: string;
  failingEndpoint: string;
  failedDelivery: string;
  downEndpoint: string;
  apiKey: string;
  samples: Record<string, unknown>;
};

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  receiver = await startReceiver();
});

test.afterAll(async () => {
  await receiver?.close();
});

async function publish(page: Page, type: string) {
  const res = await api(page, "POST", "/api/v1/events", { type, data: state.samples[type], environment: "development" }, state.apiKey);
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  return res.json as { id: string; deliveries: { id: string; endpoint_id: string }[] };
}

test("an admin sends a test event, sees published events arrive live, and narrows the history", async ({ page, accountA }) => {
  test.setTimeout(90_000);
  const errors = reactErrors(page);
  await signIn(page, accountA.emails.admin);
  const created = await api(page, "POST", "/api/v1/webhooks", {
    url: `${receiver.base}/ok/${tag}`,
    event_types: ["alert.critical", "backup.completed"],
    environment: "development",
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  state.okEndpoint = created.json.id;
  const key = await api(page, "POST", "/api/v1/api-keys", { name: `deliveries e2e ${tag}`, role: "admin" });
  expect(key.status).toBe(201);
  state.apiKey = key.json.key;
  const catalog = await api<{ data: { type: string; sample: unknown }[] }>(page, "GET", "/api/v1/event-types");
  state.samples = Object.fromEntries(catalog.json.data.map((t) => [t.type, t.sample]));

  await page.goto(`${WEBHOOKS}/${state.okEndpoint}/deliveries`);
  await expect(page.getByRole("heading", { name: "Delivery History" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No deliveries yet" })).toBeVisible();
  await expect(page.getByRole("link", { name: "← Back to endpoint" })).toHaveAttribute("href", `${WEBHOOKS}/${state.okEndpoint}`);
  await shot(page, "history-empty");

  // Send Test Event: pick a type, see its sample, send, read the endpoint's answer.
  await page.getByRole("button", { name: "Send Test Event" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Send Test Event" });
  const typeSelect = dialog.getByLabel("Event type");
  await expect(typeSelect.locator("optgroup")).toHaveCount(6);
  await expect(typeSelect.locator("option")).toHaveCount(15);
  await typeSelect.selectOption("database.health_check");
  await expect(dialog.getByTestId("sample-payload")).toContainText('"cache_hit_ratio"');
  await shot(page, "test-dialog");
  // The API answers at once with the test delivery queued; the dialog waits for its attempt.
  const release = await holdDeliveryReads(page);
  const sending = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/test"));
  await dialog.getByRole("button", { name: "Send test event" }).click();
  const sent = await sending;
  expect(sent.status()).toBe(202);
  expect(await sent.json()).toMatchObject({ status: "pending", is_test: true, attempt_count: 0, attempts: [] });
  await expect(dialog.getByRole("status")).toContainText("Waiting for your endpoint");
  await expect(dialog.getByTestId("test-awaiting")).toContainText("Pending");
  await shot(page, "test-dialog-waiting");
  await release();
  const result = dialog.getByTestId("test-result");
  await expect(result.getByText("Succeeded")).toBeVisible();
  await expect(dialog.getByTestId("test-response-status")).toHaveText("200");
  await expect(dialog.getByTestId("test-response-body")).toContainText('"received": true');
  await expect(dialog.getByRole("link", { name: "View delivery details →" })).toHaveAttribute(
    "href",
    new RegExp(`/deliveries/dlv_`),
  );
  await shot(page, "test-dialog-result");
  await dialog.getByRole("button", { name: "Done" }).click();
  const rows = page.getByTestId("delivery-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("database.health_check");
  await expect(rows.first()).toContainText("Test");

  // Published events appear without a reload.
  const critical = await publish(page, "alert.critical");
  const backup = await publish(page, "backup.completed");
  await expect(rows).toHaveCount(3, { timeout: 20_000 });
  await expect(rows.first()).toContainText("backup.completed");
  await expect(rows.filter({ hasText: critical.id })).toContainText("Succeeded", { timeout: 10_000 });
  await expect(rows.filter({ hasText: backup.id })).toContainText("200");
  await shot(page, "history");

  // Filters and event-id search narrow the list.
  await page.getByLabel("Event type").selectOption("alert.critical");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(critical.id);
  await page.getByLabel("Event type").selectOption("");
  await page.getByLabel("Status").selectOption("failed");
  await expect(page.getByRole("heading", { name: "No deliveries match these filters" })).toBeVisible();
  await page.getByLabel("Status").selectOption("succeeded");
  await expect(rows).toHaveCount(3);
  await page.getByRole("searchbox", { name: "Event ID" }).fill(backup.id);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("backup.completed");
  await page.getByRole("button", { name: "Clear filters" }).first().click();
  await expect(rows).toHaveCount(3);

  // The delivery page shows the attempt: request, headers with truncated signature, response.
  await rows.filter({ hasText: critical.id }).getByRole("link").click();
  await expect(page.getByTestId("delivery-event-type")).toHaveText("alert.critical");
  await expect(page.getByTestId("attempts-summary")).toHaveText("1 of 6");
  const attempt = page.getByTestId("attempt");
  await expect(attempt).toHaveCount(1);
  await expect(attempt).toContainText("scheduled");
  await expect(attempt.getByLabel("Request headers")).toContainText(/X-DB24x7-Signature\s*sha256=[0-9a-f]{8}…/);
  await expect(attempt.getByLabel("Request body")).toContainText(`"id": "${critical.id}"`);
  await expect(attempt.getByLabel("Response body")).toContainText('"received": true');
  await expect(page.getByRole("button", { name: "Retry now" })).toHaveCount(0); // succeeded
  await shot(page, "delivery-succeeded");
  expect(errors).toEqual([]);
});

test("a delivery that failed first shows retrying; Retry now succeeds with a manual attempt", async ({ page, accountA }) => {
  test.setTimeout(60_000);
  const errors = reactErrors(page);
  await signIn(page, accountA.emails.admin);
  const created = await api(page, "POST", "/api/v1/webhooks", {
    url: `${receiver.base}/fail-once/${tag}`,
    event_types: ["alert.warning"],
    environment: "development",
  });
  expect(created.status).toBe(201);
  state.flakyEndpoint = created.json.id;

  await page.goto(`${WEBHOOKS}/${state.flakyEndpoint}/deliveries`);
  await expect(page.getByRole("heading", { name: "No deliveries yet" })).toBeVisible();
  const published = await publish(page, "alert.warning");
  const row = page.getByTestId("delivery-row").filter({ hasText: published.id });
  await expect(row).toContainText("Retrying", { timeout: 20_000 });
  await expect(row).toContainText(/next attempt in \d+ seconds/);
  await expect(row).toContainText("500");
  await shot(page, "history-retrying");

  await row.getByRole("link").click();
  await expect(page.getByTestId("delivery-event-type")).toHaveText("alert.warning");
  await expect(page.getByText("Retrying").first()).toBeVisible();
  await expect(page.getByTestId("attempts-summary")).toHaveText("1 of 6");
  await expect(page.getByTestId("attempt").first()).toContainText("500 · failed");
  await expect(page.getByTestId("attempt").first().getByLabel("Response body")).toContainText("database unavailable");
  await shot(page, "delivery-retrying");

  // The API answers at once with the delivery queued; the page follows it until the attempt.
  const release = await holdDeliveryReads(page);
  const retrying = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/retry"));
  await page.getByRole("button", { name: "Retry now" }).click();
  const queued = await retrying;
  expect(queued.status()).toBe(200);
  expect(await queued.json()).toMatchObject({ status: "retrying", attempt_count: 1 });
  await expect(page.getByRole("status").filter({ hasText: "Retry queued — waiting for the attempt…" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Retrying…" })).toBeDisabled();
  await shot(page, "delivery-retry-queued");
  await release();
  await expect(page.getByText("Attempt 2 succeeded")).toBeVisible();
  await expect(page.getByText("Retry queued")).toHaveCount(0);
  await expect(page.getByTestId("attempts-summary")).toHaveText("2 of 6");
  await expect(page.getByRole("button", { name: "Retry now" })).toHaveCount(0);
  const attempts = page.getByTestId("attempt");
  await expect(attempts).toHaveCount(2);
  await expect(attempts.first()).toHaveAttribute("data-trigger", "manual");
  await expect(attempts.first()).toContainText("200 · succeeded");
  await expect(attempts.nth(1)).toHaveAttribute("data-trigger", "scheduled");
  await shot(page, "delivery-after-retry");

  await page.getByRole("link", { name: "Delivery History" }).click();
  await expect(page.getByTestId("delivery-row").filter({ hasText: published.id })).toContainText("Succeeded");
  expect(errors).toEqual([]);
});

test("the dashboard home shows a failing endpoint as failing, first, and its page says why", async ({ page, accountA, prisma }) => {
  test.setTimeout(60_000);
  const errors = reactErrors(page);
  await signIn(page, accountA.emails.admin);
  const created = await api(page, "POST", "/api/v1/webhooks", {
    url: `${receiver.base}/always-failing/${tag}`,
    event_types: ["backup.failed"],
    environment: "development",
  });
  state.failingEndpoint = created.json.id;
  // A delivery that exhausted its schedule (hours on the documented one), written directly, for
  // the history tests below; written so, it made no attempt the statistics count.
  const eventId = newId("evt");
  state.failedDelivery = newId("dlv");
  await prisma.event.create({
    data: { id: eventId, accountId: accountA.accountId, type: "backup.failed", environment: "development", body: JSON.stringify({ id: eventId, type: "backup.failed", created_at: new Date().toISOString(), data: {} }) },
  });
  await prisma.delivery.create({
    data: {
      id: state.failedDelivery,
      accountId: accountA.accountId,
      eventId,
      endpointId: state.failingEndpoint,
      eventType: "backup.failed",
      status: "failed",
      attemptCount: 6,
      lastStatusCode: 503,
      lastError: "HTTP 503",
      completedAt: new Date(),
    },
  });

  // An endpoint whose receiver answers 500: WEBHOOK_FAILING_AFTER (5) first attempts make it failing.
  const down = await api(page, "POST", "/api/v1/webhooks", {
    url: `${receiver.base}/down/${tag}`,
    event_types: ["maintenance.completed"],
    environment: "development",
  });
  state.downEndpoint = down.json.id;
  for (let i = 0; i < 5; i++) await publish(page, "maintenance.completed");
  await expect
    .poll(async () => (await api(page, "GET", `/api/v1/webhooks/${state.downEndpoint}`)).json.health.state, { timeout: 20_000 })
    .toBe("failing");

  // One load of the dashboard shows it.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const rows = page.getByTestId("endpoint-stats");
  await expect(rows.first()).toContainText(`/down/${tag}`);
  await expect(rows.first().getByTestId("health-badge")).toHaveText("Failing");
  await expect(rows.first().getByTestId("disables-in")).toContainText("Will be disabled in 5 days");
  await expect(rows.first().getByTestId("endpoint-success-rate")).toHaveText("0%");
  await expect(rows.first()).toContainText("5 failed of 5 attempts");
  const ok = rows.filter({ hasText: `/ok/${tag}` });
  await expect(ok.getByTestId("endpoint-success-rate")).toHaveText("100%");
  await expect(ok.getByTestId("health-badge")).toHaveText("Healthy");
  await expect(ok).toContainText("0 failed of 2 attempts"); // the test event is not counted
  // Its first attempt failed, the manual retry succeeded: both attempts count.
  const flaky = rows.filter({ hasText: `/fail-once/${tag}` });
  await expect(flaky.getByTestId("endpoint-success-rate")).toHaveText("50.0%");
  await expect(flaky.getByTestId("health-badge")).toHaveText("Degraded");
  await expect(rows.filter({ hasText: `/always-failing/${tag}` })).toContainText("no attempts");
  await expect(page.getByTestId("failing-endpoints")).toContainText(/^[1-9]\d*\s*of \d+/);
  await expect(ok.getByRole("img", { name: /2 succeeded, 0 failed/ })).toBeVisible();
  await shot(page, "dashboard");

  await rows.first().getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`${WEBHOOKS}/${state.downEndpoint}$`));
  await expect(page.getByTestId("health-badge")).toHaveText("Failing");
  const diagnosis = page.getByTestId("diagnosis");
  await expect(diagnosis).toContainText("The endpoint answered 500");
  await expect(diagnosis).toContainText('{"error":"database unavailable"}');
  await expect(diagnosis).toContainText("5 of the last 20 attempts failed, the last 5 in a row");
  await expect(page.getByTestId("disables-in")).toContainText("Will be disabled in 5 days");
  await shot(page, "endpoint-failing");
  expect(errors).toEqual([]);
});

test("a viewer sees the history but cannot send, retry or bulk retry", async ({ page, accountA }) => {
  await signIn(page, accountA.emails.viewer);
  await page.goto(`${WEBHOOKS}/${state.failingEndpoint}/deliveries`);
  const row = page.getByTestId("delivery-row").filter({ hasText: "backup.failed" });
  await expect(row).toContainText("Failed");
  await expect(row).toContainText("503");
  for (const name of ["Send Test Event", "Retry all failed"]) {
    await expect(page.getByRole("button", { name })).toHaveCount(0);
  }
  await row.getByRole("link").click();
  await expect(page.getByTestId("delivery-event-type")).toHaveText("backup.failed");
  await expect(page.getByRole("button", { name: "Retry now" })).toHaveCount(0);

  const attempts = await page.evaluate(async ({ endpointId, deliveryId }) => {
    const post = (path: string, body?: unknown) =>
      fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) }).then((r) => r.status);
    return [
      await post(`/api/v1/deliveries/${deliveryId}/retry`),
      await post(`/api/v1/webhooks/${endpointId}/test`, { event_type: "alert.critical" }),
      await post(`/api/v1/webhooks/${endpointId}/retry-failed`, { since: new Date(0).toISOString() }),
    ];
  }, { endpointId: state.failingEndpoint, deliveryId: state.failedDelivery });
  expect(attempts).toEqual([403, 403, 403]);
});

test("an admin retries all failed deliveries since a time", async ({ page, accountA }) => {
  await signIn(page, accountA.emails.admin);
  await page.goto(`${WEBHOOKS}/${state.failingEndpoint}/deliveries`);
  await page.getByRole("button", { name: "Retry all failed" }).click();
  const dialog = page.getByRole("dialog", { name: "Retry failed deliveries" });
  await dialog.getByRole("radio", { name: "Since a date and time" }).check();
  await dialog.getByRole("button", { name: "Retry failed deliveries" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Pick the date and time to retry from.");
  await dialog.getByRole("radio", { name: "Last hour" }).check();
  await shot(page, "retry-failed-dialog");
  await dialog.getByRole("button", { name: "Retry failed deliveries" }).click();
  await expect(page.getByText("Retrying 1 failed delivery")).toBeVisible();
  // The receiver answers 200 on this path: the manual attempt succeeds.
  await expect(page.getByTestId("delivery-row").filter({ hasText: "backup.failed" })).toContainText("Succeeded", { timeout: 20_000 });
});

test("another account's delivery pages are not found", async ({ page, accountB }) => {
  await signIn(page, accountB.emails.admin);
  expect((await page.goto(`${WEBHOOKS}/${state.okEndpoint}/deliveries`))?.status()).toBe(404);
  expect((await page.goto(`${WEBHOOKS}/${state.failingEndpoint}/deliveries/${state.failedDelivery}`))?.status()).toBe(404);
});

test("an attempt still queued after 30 s leaves a note where its result will appear", async ({ page, accountA, prisma }) => {
  test.setTimeout(60_000);
  const errors = reactErrors(page);
  // Reads of deliveries answer them as still queued, as while the engine is slow; the attempts
  // themselves are made. The page's clock is moved past the time the screens wait (AWAIT_TIMEOUT_MS).
  const stillQueued = async (route: Route) => {
    const response = await route.fetch().catch(() => null);
    if (!response) return; // a read the page gave up meanwhile
    const delivery = await response.json();
    const queued = delivery.is_test
      ? { ...delivery, status: "pending", attempt_count: 0, attempts: [], completed_at: null }
      : { ...delivery, status: "retrying", attempts: delivery.attempts.filter((a: { trigger: string }) => a.trigger !== "manual") };
    await route.fulfill({ response, json: queued }).catch(() => undefined);
  };
  await page.clock.install();
  await signIn(page, accountA.emails.admin);

  await page.goto(`${WEBHOOKS}/${state.okEndpoint}/deliveries`);
  await page.route(DELIVERY_READ, stillQueued);
  await page.getByRole("button", { name: "Send Test Event" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Send Test Event" });
  await dialog.getByRole("button", { name: "Send test event" }).click();
  await expect(dialog.getByRole("status")).toContainText("Waiting for your endpoint");
  await page.clock.fastForward(31_000);
  await expect(dialog.getByRole("status")).toContainText("Still queued; the result will appear in the delivery history.");
  await expect(dialog.getByRole("link", { name: "Follow this delivery" })).toHaveAttribute("href", /\/deliveries\/dlv_/);
  await shot(page, "test-dialog-still-queued");
  await page.unroute(DELIVERY_READ);
  await expect(dialog.getByTestId("test-result")).toContainText("Succeeded");
  await dialog.getByRole("button", { name: "Done" }).click();

  // A failed delivery on the same endpoint (whose receiver answers 200), retried by hand.
  const eventId = newId("evt");
  const deliveryId = newId("dlv");
  await prisma.event.create({
    data: { id: eventId, accountId: accountA.accountId, type: "alert.critical", environment: "development", body: JSON.stringify({ id: eventId, type: "alert.critical", created_at: new Date().toISOString(), data: {} }) },
  });
  await prisma.delivery.create({
    data: { id: deliveryId, accountId: accountA.accountId, eventId, endpointId: state.okEndpoint, eventType: "alert.critical", status: "failed", attemptCount: 6, lastStatusCode: 503, lastError: "HTTP 503", completedAt: new Date() },
  });
  await page.goto(`${WEBHOOKS}/${state.okEndpoint}/deliveries/${deliveryId}`);
  await page.route(DELIVERY_READ, stillQueued);
  await page.getByRole("button", { name: "Retry now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Retry queued — waiting for the attempt…" })).toBeVisible();
  await page.clock.fastForward(31_000);
  const note = page.getByRole("status").filter({ hasText: "Still queued; the result will appear here and in the delivery history." });
  await expect(note).toBeVisible();
  await expect(note.getByRole("link", { name: "Open the delivery history" })).toHaveAttribute("href", `${WEBHOOKS}/${state.okEndpoint}/deliveries`);
  await expect(page.getByRole("button", { name: "Retry now" })).toBeEnabled();
  await shot(page, "delivery-retry-still-queued");
  await page.unroute(DELIVERY_READ);
  await expect(page.getByText("Attempt 7 succeeded")).toBeVisible();
  await expect(note).toHaveCount(0);
  await expect(page.getByTestId("attempt").first()).toHaveAttribute("data-trigger", "manual");
  expect(errors).toEqual([]);
});
