import { describe, expect, it } from "vitest";
import {
  checkEndpointUrl,
  checkResolvedAddress,
  classifyAddress,
  createGuardedLookup,
  privateTargetsAllowed,
  type Resolver,
} from "./url-policy";

const strict = { allowPrivateTargets: false } as const;

describe("classifyAddress / checkResolvedAddress", () => {
  it.each([
    // IPv4
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.5", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.0.1", "link_local"],
    ["169.254.169.254", "cloud_metadata"],
    ["100.100.100.200", "cloud_metadata"],
    ["168.63.129.16", "cloud_metadata"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
    // IPv6
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link_local"],
    ["fe80::1%eth0", "link_local"],
    ["febf:ffff::1", "link_local"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["fd00:ec2::254", "cloud_metadata"],
    ["ff02::1", "multicast"],
    ["[::1]", "loopback"],
    ["2001:db8::1", "reserved"],
    // IPv4 inside IPv6
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.5", "private"],
    ["::ffff:169.254.169.254", "cloud_metadata"],
    ["::127.0.0.1", "loopback"],
    ["::ffff:0:10.1.2.3", "private"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::a9fe:a9fe", "cloud_metadata"],
    ["2002:0a00:0001::1", "private"],
    ["2002:7f00:1::", "loopback"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)?.kind).toBe(kind);
    const verdict = checkResolvedAddress(address, strict);
    expect(verdict.allowed).toBe(false);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "52.203.45.67",
    "172.32.0.1",
    "172.15.255.255",
    "100.63.255.255",
    "100.128.0.1",
    "169.253.255.255",
    "11.0.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:81b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:0808:0808::1",
  ])("%s is public", (address) => {
    expect(classifyAddress(address)).toBeNull();
    expect(checkResolvedAddress(address, strict)).toEqual({ allowed: true });
  });

  it("lets private targets through when allowed, but never cloud metadata", () => {
    expect(checkResolvedAddress("127.0.0.1", { allowPrivateTargets: true })).toEqual({ allowed: true });
    expect(checkResolvedAddress("10.0.0.5", { allowPrivateTargets: true })).toEqual({ allowed: true });
    expect(checkResolvedAddress("169.254.169.254", { allowPrivateTargets: true }).allowed).toBe(false);
    expect(checkResolvedAddress("fd00:ec2::254", { allowPrivateTargets: true }).allowed).toBe(false);
  });

  it("names the kind and the embedded address in its message", () => {
    expect(checkResolvedAddress("::ffff:10.0.0.5", strict)).toMatchObject({
      kind: "private",
      message: "a private address (::ffff:10.0.0.5 → 10.0.0.5)",
    });
  });

  it("refuses to classify what is not an IP address", () => {
    expect(() => classifyAddress("example.com")).toThrow(TypeError);
  });
});

describe("privateTargetsAllowed", () => {
  it.each([
    [{ NODE_ENV: "production" }, false],
    [{ NODE_ENV: "development" }, true],
    [{ NODE_ENV: "test" }, true],
    [{ NODE_ENV: "production", WEBHOOK_ALLOW_PRIVATE_TARGETS: "1" }, true],
    [{ NODE_ENV: "production", WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" }, true],
    [{ NODE_ENV: "development", WEBHOOK_ALLOW_PRIVATE_TARGETS: "0" }, false],
    [{ NODE_ENV: "development", WEBHOOK_ALLOW_PRIVATE_TARGETS: "false" }, false],
  ] as const)("%o → %s", (env, expected) => {
    expect(privateTargetsAllowed(env as unknown as NodeJS.ProcessEnv)).toBe(expected);
  });
});

// A resolver we control: the seam for hostnames, so no test touches the network.
function fakeResolver(records: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = records[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address }));
  };
  return Object.assign(resolve, { calls });
}

const dns = fakeResolver({
  "hooks.example.com": ["93.184.215.14"],
  "dual.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  "internal.example.com": ["10.0.0.5"],
  "sneaky.example.com": ["93.184.215.14", "127.0.0.1"],
  "mapped.example.com": ["::ffff:192.168.0.10"],
  "metadata.example.com": ["169.254.169.254"],
  "ula.example.com": ["fd00::5"],
  "empty.example.com": [],
});

describe("checkEndpointUrl", () => {
  const production = { environment: "production" as const, allowPrivateTargets: false, resolve: dns };
  const staging = { ...production, environment: "staging" as const };

  it.each([
    ["https://hooks.example.com/db24x7", production],
    ["https://hooks.example.com:8443/db24x7?token=abc#frag", production],
    ["https://dual.example.com/", production],
    ["https://93.184.215.14/hook", production],
    ["https://[2606:4700:4700::1111]/hook", production],
    ["http://hooks.example.com/db24x7", staging],
    ["HTTPS://HOOKS.EXAMPLE.COM/x", production],
    [`https://hooks.example.com/${"a".repeat(2048 - 26)}`, production],
  ])("accepts %s", async (url, options) => {
    expect(await checkEndpointUrl(url, options)).toEqual({ ok: true });
  });

  it.each([
    ["hooks.example.com/db24x7", "invalid_url", /absolute URL/],
    ["/webhooks/db24x7", "invalid_url", /absolute URL/],
    ["", "invalid_url", /absolute URL/],
    ["ftp://hooks.example.com/", "unsupported_scheme", /not ftp/],
    ["javascript:alert(1)", "unsupported_scheme", /not javascript/],
    ["file:///etc/passwd", "unsupported_scheme", /not file/],
    ["https://user:pass@hooks.example.com/", "credentials_in_url", /username or password/],
    ["https://user@hooks.example.com/", "credentials_in_url", /username or password/],
    [`https://hooks.example.com/${"a".repeat(2048)}`, "too_long", /2,048 characters/],
    ["http://hooks.example.com/db24x7", "https_required", /Production endpoints must use HTTPS/],
    ["https://127.0.0.1/hook", "loopback_address", /points to a loopback address \(127\.0\.0\.1\)/],
    ["https://0x7f.1/hook", "loopback_address", /127\.0\.0\.1/], // WHATWG URL normalises it
    ["https://2130706433/hook", "loopback_address", /127\.0\.0\.1/],
    ["https://[::1]/hook", "loopback_address", /loopback/],
    ["https://[::ffff:10.0.0.5]/hook", "private_address", /10\.0\.0\.5/],
    ["https://[fe80::1]/hook", "link_local_address", /link-local/],
    ["https://[fd00:ec2::254]/latest/meta-data", "cloud_metadata_address", /cloud metadata/],
    ["https://169.254.169.254/latest/meta-data", "cloud_metadata_address", /cloud metadata/],
    ["https://100.100.100.200/", "cloud_metadata_address", /cloud metadata/],
    ["https://100.64.1.1/", "cgnat_address", /carrier-grade NAT/],
    ["https://224.0.0.1/", "multicast_address", /multicast/],
    ["https://0.0.0.0/", "unspecified_address", /unspecified/],
    ["https://localhost/hook", "loopback_address", /localhost/],
    ["https://api.localhost./hook", "loopback_address", /loopback/],
    [
      "https://internal.example.com/hook",
      "private_address",
      /^URL resolves to a private address \(10\.0\.0\.5\); webhooks may only target public addresses$/,
    ],
    ["https://sneaky.example.com/hook", "loopback_address", /resolves to a loopback address \(127\.0\.0\.1\)/],
    ["https://mapped.example.com/hook", "private_address", /::ffff:192\.168\.0\.10 → 192\.168\.0\.10/],
    ["https://metadata.example.com/hook", "cloud_metadata_address", /cloud metadata/],
    ["https://ula.example.com/hook", "private_address", /fd00::5/],
    ["https://nowhere.example.invalid/hook", "unresolvable_host", /could not be resolved \(ENOTFOUND\)/],
    ["https://empty.example.com/hook", "unresolvable_host", /no addresses/],
  ])("refuses %s (%s)", async (url, rule, message) => {
    const result = await checkEndpointUrl(url, production);
    expect(result).toMatchObject({ ok: false, rule });
    expect((result as { message: string }).message).toMatch(message);
  });

  it("skips resolution when private targets are allowed, and still refuses cloud metadata", async () => {
    const resolve = fakeResolver({});
    const allowed = { environment: "development" as const, allowPrivateTargets: true, resolve };
    expect(await checkEndpointUrl("http://127.0.0.1:4000/hook", allowed)).toEqual({ ok: true });
    expect(await checkEndpointUrl("http://localhost:4000/hook", allowed)).toEqual({ ok: true });
    expect(await checkEndpointUrl("http://internal.example.com/hook", allowed)).toEqual({ ok: true });
    expect(resolve.calls).toEqual([]);
    expect(await checkEndpointUrl("http://169.254.169.254/", allowed)).toMatchObject({ rule: "cloud_metadata_address" });
    // HTTPS in production is a rule of its own, whatever the address policy.
    expect(await checkEndpointUrl("http://127.0.0.1/", { ...allowed, environment: "production" })).toMatchObject({
      rule: "https_required",
    });
  });
});

describe("createGuardedLookup", () => {
  // IP literals resolve locally, without the network.
  const lookup = (guarded: ReturnType<typeof createGuardedLookup>, host: string, all = false) =>
    new Promise<{ error: NodeJS.ErrnoException | null; result: unknown }>((resolve) =>
      guarded(host, { all } as never, (error: NodeJS.ErrnoException | null, result: unknown) => resolve({ error, result })),
    );

  it("refuses to connect to a forbidden address", async () => {
    const { error } = await lookup(createGuardedLookup(strict), "127.0.0.1");
    expect(error?.code).toBe("EBLOCKEDADDRESS");
    expect(error?.message).toMatch(/loopback/);
  });

  it("passes public addresses through, in both callback shapes", async () => {
    const single = await lookup(createGuardedLookup(strict), "93.184.215.14");
    expect(single).toEqual({ error: null, result: "93.184.215.14" });
    const all = await lookup(createGuardedLookup(strict), "93.184.215.14", true);
    expect(all.result).toEqual([{ address: "93.184.215.14", family: 4 }]);
  });

  it("allows private addresses when configured", async () => {
    const { error, result } = await lookup(createGuardedLookup({ allowPrivateTargets: true }), "127.0.0.1");
    expect(error).toBeNull();
    expect(result).toBe("127.0.0.1");
  });
});
