// Import first in a test file that runs the delivery stack: the app's Inngest client reads
// INNGEST_DEV when it is constructed, so the engine's port must be known before any import.
import http from "node:http";
import type { AddressInfo } from "node:net";

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export const enginePort = await freePort();
process.env.INNGEST_DEV = `http://127.0.0.1:${enginePort}`;
