// Child process of tracing.test.ts: starts tracing as the app's processes do, publishes through
// the instrumented path once, and prints every @opentelemetry module that was resolved.
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";

const { port1, port2 } = new MessageChannel();
const resolved: string[] = [];
port1.on("message", (url: string) => resolved.push(url));
port1.unref();
register(new URL("./resolve-log.mjs", import.meta.url), { data: { port: port2 }, transferList: [port2] });

const { startTracing } = await import("../../../lib/observability/tracing");
const { observedPublish } = await import("../../../lib/observability/deliveries");
await startTracing("test");
await observedPublish("acc_test", "alert.critical", async () => ({ id: "evt_test", deliveries: [], duplicate: false }));
await new Promise((r) => setTimeout(r, 200));
console.log(JSON.stringify(resolved.filter((url) => url.includes("/@opentelemetry/")).map((url) => /@opentelemetry\/[^/]+/.exec(url)![0])));
process.exit(0);
