// The TCP peer's address as a request header route handlers can read. Next.js only sets
// X-Forwarded-For when the client did not send one (base-server: `??= socket.remoteAddress`),
// so that header is the client's to forge, and route handlers never see the socket.
// No `server-only`: instrumentation.ts installs this outside the React Server graph.
import http from "node:http";

export const PEER_ADDRESS_HEADER = "x-db24x7-peer-address";

const INSTALLED = Symbol.for("db24x7.peerAddressHeader");

/** Every request any http.Server of this process emits carries the peer address, overwriting what the client sent. */
export function installPeerAddressHeader(): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: boolean };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage;
      const address = req.socket?.remoteAddress;
      if (address) req.headers[PEER_ADDRESS_HEADER] = address;
      else delete req.headers[PEER_ADDRESS_HEADER];
    }
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
}
