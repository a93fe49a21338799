// Endpoint URLs aimed at private, loopback, link-local, metadata and IPv4-in-IPv6 addresses, in
// every spelling the URL parser accepts: refused with 400 url_not_allowed on create and on edit,
// writing nothing. Cloud metadata stays refused even where private targets are allowed.
import "./no-private-targets-env";
import { beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/webhooks/route";
import * as item from "@/app/api/v1/webhooks/[endpointId]/route";
import { bearer, call } from "../support/http";
import { createWorld, expectApiError, snapshot, type World } from "./world";

let w: World;
beforeAll(async () => {
  w = await createWorld("URL targets");
});

const TARGETS: [string, string][] = [
  ["loopback", "https://127.0.0.1/hook"],
  ["loopback with a port", "https://127.0.0.1:8443/hook"],
  ["loopback, short form", "https://127.1/hook"],
  ["loopback, decimal", "https://2130706433/hook"],
  ["loopback, hex", "https://0x7f.0.0.1/hook"],
  ["loopback, octal", "https://0177.0.0.1/hook"],
  ["loopback, elsewhere in 127/8", "https://127.255.255.254/hook"],
  ["localhost", "https://localhost/hook"],
  ["localhost with a trailing dot", "https://localhost./hook"],
  ["LOCALHOST", "https://LOCALHOST/hook"],
  ["a .localhost name", "https://api.localhost/hook"],
  ["IPv6 loopback", "https://[::1]/hook"],
  ["IPv6 loopback, long form", "https://[0:0:0:0:0:0:0:1]/hook"],
  ["IPv4-mapped loopback, dotted", "https://[::ffff:127.0.0.1]/hook"],
  ["IPv4-mapped loopback, hex", "https://[::ffff:7f00:1]/hook"],
  ["IPv4-compatible loopback", "https://[::127.0.0.1]/hook"],
  ["NAT64 loopback", "https://[64:ff9b::7f00:1]/hook"],
  ["6to4 loopback", "https://[2002:7f00:1::]/hook"],
  ["AWS metadata", "https://169.254.169.254/latest/meta-data/"],
  ["AWS metadata, decimal", "https://2852039166/latest/meta-data/"],
  ["AWS metadata over IPv6", "https://[fd00:ec2::254]/latest/meta-data/"],
  ["AWS metadata, IPv4-mapped", "https://[::ffff:169.254.169.254]/"],
  ["Alibaba metadata", "https://100.100.100.200/"],
  ["Azure wire server", "https://168.63.129.16/"],
  ["link-local", "https://169.254.1.1/"],
  ["IPv6 link-local", "https://[fe80::1]/"],
  ["private 10/8", "https://10.0.0.1/"],
  ["private 172.16/12", "https://172.31.255.255/"],
  ["private 192.168/16", "https://192.168.1.1/"],
  ["private, IPv4-mapped", "https://[::ffff:10.0.0.1]/"],
  ["IPv6 unique local", "https://[fc00::1]/"],
  ["IPv6 unique local fd", "https://[fd12:3456::1]/"],
  ["carrier-grade NAT", "https://100.64.0.1/"],
  ["unspecified", "https://0.0.0.0/"],
  ["unspecified, zero", "https://0/"],
  ["IPv6 unspecified", "https://[::]/"],
  ["multicast", "https://224.0.0.1/"],
  ["IPv6 multicast", "https://[ff02::1]/"],
  ["broadcast", "https://255.255.255.255/"],
  ["documentation range", "https://192.0.2.1/"],
  ["benchmarking range", "https://198.18.0.1/"],
  ["reserved 240/4", "https://240.0.0.1/"],
  ["a name that cannot resolve here", "https://no-such-host.invalid/hook"],
];

const METADATA = TARGETS.filter(([label]) => /metadata|wire server/i.test(label));

async function unchanged(fn: () => Promise<void>) {
  const before = await snapshot(w.account.accountId);
  await fn();
  expect(await snapshot(w.account.accountId), "nothing written").toEqual(before);
}

const create = (url: string) =>
  call(collection.POST, { method: "POST", headers: bearer(w.account.keys.admin), body: { url, event_types: ["alert.critical"] } });
const edit = (url: string) =>
  call(item.PATCH, { method: "PATCH", headers: bearer(w.account.keys.admin), params: { endpointId: w.endpointId }, body: { url } });

describe("with private targets refused (production)", () => {
  it.each(TARGETS)("create: %s (%s) → 400 url_not_allowed", async (label, url) => {
    await unchanged(async () => expectApiError(await create(url), 400, "url_not_allowed", label));
  });

  it.each(TARGETS)("edit: %s (%s) → 400 url_not_allowed", async (label, url) => {
    await unchanged(async () => expectApiError(await edit(url), 400, "url_not_allowed", label));
  });
});

describe("with private targets allowed (development)", () => {
  it.each(METADATA)("metadata is still refused: %s (%s)", async (label, url) => {
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "1";
    try {
      await unchanged(async () => {
        expectApiError(await create(url), 400, "url_not_allowed", label);
        expectApiError(await edit(url), 400, "url_not_allowed", label);
      });
    } finally {
      process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "0";
    }
  });
});
