// The contract: a receiver written exactly as the customer documentation shows must verify and
// accept what we send. The documentation's own Express and Flask examples are read from
// ../shared/reference/webhooks-integration-doc.txt at test time (never copied into the
// project) and run as they are, with only their port made configurable and the handler
// functions they call (which the documentation leaves to the customer) defined.
import { freePort } from "./engine-env";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as events from "@/app/api/v1/events/route";
import * as endpointTest from "@/app/api/v1/webhooks/[endpointId]/test/route";
import * as deliveryItem from "@/app/api/v1/deliveries/[deliveryId]/route";
import * as rotateSecret from "@/app/api/v1/webhooks/[endpointId]/rotate-secret/route";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { EVENT_TYPE_NAMES, getEventType } from "@/lib/webhooks/event-types";
import { encryptSigningSecret, generateSigningSecret } from "@/lib/webhooks/secrets";
import { createTestAccount, type TestAccount } from "../support/fixtures";
import { bearer, call } from "../support/http";
import { startStack, waitFor, type Stack } from "./stack";

const ROOT = join(import.meta.dirname, "../..");
const DOC = join(ROOT, "../shared/reference/webhooks-integration-doc.txt");
const PYTHON = "/usr/bin/python3"; // Debian's, where `apt-get install python3-flask` puts Flask

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from === -1 || to === -1) throw new Error(`The documentation no longer contains "${start}" … "${end}"`);
  return text.slice(from, to + end.length);
}

interface DocumentedReceiver {
  name: string;
  url: string;
  secret: string;
  child: ChildProcess;
  output: string[];
}

async function startDocumented(name: "express" | "flask", secret: string): Promise<DocumentedReceiver> {
  const doc = readFileSync(DOC, "utf8");
  const dir = mkdtempSync(join(tmpdir(), `documented-${name}-`));
  const port = await freePort();
  let command: string;
  let args: string[];
  if (name === "express") {
    const code = between(doc, "const express = require('express');", "app.listen(3000);")
      .replace("app.listen(3000);", "app.listen(Number(process.env.PORT));");
    const handlers = ["handleCriticalAlert", "handleOptimizationCompleted", "handleHealthCheck"]
      .map((fn) => `function ${fn}(data) { console.log("${fn}", JSON.stringify(data).length); }`)
      .join("\n");
    writeFileSync(join(dir, "receiver.cjs"), `${code}\n${handlers}\n`);
    command = process.execPath;
    args = [join(dir, "receiver.cjs")];
  } else {
    const code = between(doc, "from flask import Flask", "app.run(port=3000)")
      .replace("app.run(port=3000)", "app.run(host='127.0.0.1', port=int(os.environ['PORT']))");
    const handlers = ["handle_critical_alert", "handle_optimization_completed", "handle_health_check"]
      .map((fn) => `def ${fn}(data):\n    print("${fn}", len(str(data)), flush=True)\n`)
      .join("\n");
    writeFileSync(join(dir, "receiver.py"), code.replace("if __name__ == '__main__':", `${handlers}\nif __name__ == '__main__':`));
    command = PYTHON;
    args = [join(dir, "receiver.py")];
  }
  const output: string[] = [];
  const child = spawn(command, args, {
    env: { ...process.env, PORT: String(port), DB24X7_WEBHOOK_SECRET: secret, NODE_PATH: join(ROOT, "node_modules") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => output.push(String(d)));
  child.stderr!.on("data", (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}/webhooks/db24x7`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`${name} receiver exited: ${output.join("")}`);
    const res = await fetch(url, { method: "GET" });
    return res.status > 0;
  }, 15_000, `the documented ${name} receiver`).catch((error) => {
    throw new Error(`${(error as Error).message}\n${output.join("")}`);
  });
  return { name, url, secret, child, output };
}

let stack: Stack;
let account: TestAccount;
const receivers: DocumentedReceiver[] = [];

beforeAll(async () => {
  if (!existsSync(DOC)) throw new Error(`The customer documentation is missing at ${DOC}`);
  const flask = spawn(PYTHON, ["-c", "import flask"]);
  const flaskOk = await new Promise((r) => flask.on("exit", (code) => r(code === 0)));
  if (!flaskOk) throw new Error("Flask is missing: apt-get install -y python3-flask");
  stack = await startStack("engine_documented_receivers");
  account = await createTestAccount("Documented receivers");
  for (const name of ["express", "flask"] as const) receivers.push(await startDocumented(name, generateSigningSecret()));
}, 90_000);

afterAll(async () => {
  for (const r of receivers) r.child.kill();
  await stack?.stop();
});

async function endpointFor(receiver: DocumentedReceiver) {
  const id = newId("we");
  await db.webhookEndpoint.create({
    data: {
      id,
      accountId: account.accountId,
      url: receiver.url,
      environment: "production",
      eventTypes: [...EVENT_TYPE_NAMES],
      secretEncrypted: encryptSigningSecret(id, receiver.secret),
    },
  });
  return id;
}

/** Sends a test event (answered at once, queued) and answers the delivery once it is attempted. */
async function sendTest(endpointId: string, eventType: string) {
  const queued = await call(endpointTest.POST, { method: "POST", headers: bearer(account.keys.admin), params: { endpointId }, body: { event_type: eventType } });
  expect(queued.status).toBe(202);
  const read = () => call(deliveryItem.GET, { headers: bearer(account.keys.admin), params: { deliveryId: queued.json.id } });
  await waitFor(async () => (await read()).json.status !== "pending", 20_000, "the test event's attempt");
  return (await read()).json;
}

describe("the documentation's own receivers", () => {
  it("verify and accept every event type, unicode included, and test events", async () => {
    const endpoints = await Promise.all(receivers.map(endpointFor));
    const published: { deliveries: { id: string; endpoint_id: string }[] }[] = [];
    for (const type of EVENT_TYPE_NAMES) {
      const res = await call(events.POST, { method: "POST", headers: bearer(account.keys.admin), body: { type, data: getEventType(type)!.sample } });
      expect(res.status).toBe(202);
      published.push(res.json);
    }
    const unicode = { ...(getEventType("alert.critical")!.sample as Record<string, unknown>), message: "CPU über 95 % — ✓ 数据库 😀 \u2028 \"quoted\" \\ back" };
    const res = await call(events.POST, { method: "POST", headers: bearer(account.keys.admin), body: { type: "alert.critical", data: unicode } });
    published.push(res.json);

    const ids = published.flatMap((p) => p.deliveries.map((d) => d.id));
    expect(ids).toHaveLength((EVENT_TYPE_NAMES.length + 1) * receivers.length);
    await waitFor(async () => {
      const settled = await db.delivery.count({ where: { id: { in: ids }, status: { in: ["succeeded", "failed", "cancelled"] } } });
      return settled === ids.length;
    }, 60_000, "every delivery to settle");
    const outcomes = await db.delivery.findMany({ where: { id: { in: ids } }, select: { status: true, lastStatusCode: true, endpointId: true, attemptCount: true } });
    for (const o of outcomes) {
      const receiver = receivers[endpoints.indexOf(o.endpointId)];
      expect({ receiver: receiver.name, status: o.status, code: o.lastStatusCode, attempts: o.attemptCount }).toEqual({
        receiver: receiver.name,
        status: "succeeded",
        code: 200,
        attempts: 1,
      });
    }

    for (const [i, endpointId] of endpoints.entries()) {
      const test = await sendTest(endpointId, "database.health_check");
      expect({ receiver: receivers[i].name, status: test.status, code: test.attempts[0].response?.status }).toEqual({
        receiver: receivers[i].name,
        status: "succeeded",
        code: 200,
      });
    }
  });

  it("refuse a request signed with another secret (the check is real)", async () => {
    const wrong = receivers.map(async (receiver) => {
      const id = newId("we");
      await db.webhookEndpoint.create({
        data: { id, accountId: account.accountId, url: receiver.url, environment: "staging", eventTypes: ["alert.warning"], secretEncrypted: encryptSigningSecret(id, generateSigningSecret()) },
      });
      const test = await sendTest(id, "alert.warning");
      return { receiver: receiver.name, status: test.status, code: test.attempts[0].response?.status };
    });
    expect(await Promise.all(wrong)).toEqual(receivers.map((r) => ({ receiver: r.name, status: "failed", code: 401 })));
  });

  it("switch to a rolled secret during its grace period without a failed delivery", async () => {
    const express = receivers[0];
    const endpointId = await endpointFor(express);
    const publishOne = async () => {
      const res = await call(events.POST, { method: "POST", headers: bearer(account.keys.admin), body: { type: "backup.completed", data: getEventType("backup.completed")!.sample } });
      const id = res.json.deliveries.find((d: { endpoint_id: string }) => d.endpoint_id === endpointId).id;
      await waitFor(async () => (await db.delivery.findUniqueOrThrow({ where: { id } })).status !== "pending", 20_000, "the delivery");
      return db.delivery.findUniqueOrThrow({ where: { id }, include: { attempts: { orderBy: { number: "asc" } } } });
    };
    const rolled = await call(rotateSecret.POST, { method: "POST", headers: bearer(account.keys.admin), params: { endpointId }, body: { grace_period_seconds: 3600 } });
    expect(rolled.status).toBe(200);
    const newSecret: string = rolled.json.secret;

    // Not switched yet: the receiver still has the old secret, and keeps accepting.
    const before = await publishOne();
    expect(before).toMatchObject({ status: "succeeded", attemptCount: 1 });

    // The receiver switches (restarted with the new secret, as its operator would).
    express.child.kill();
    const switched = await startDocumented("express", newSecret);
    receivers[0] = switched;
    await db.webhookEndpoint.update({ where: { id: endpointId }, data: { url: switched.url } });
    const during = await publishOne();
    expect(during.status).toBe("succeeded");
    expect(during.attempts.map((a) => a.responseStatus)).toEqual([401, 200]);
    const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    expect(endpoint.previousSecretEncrypted).toBeNull();
    expect(await db.auditLogEntry.count({ where: { targetId: endpointId, action: "webhook_endpoint.secret_switch_detected" } })).toBe(1);

    // From now on, the new secret alone: one attempt again.
    const after = await publishOne();
    expect(after).toMatchObject({ status: "succeeded", attemptCount: 1 });
  });
});
