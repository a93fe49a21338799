import { describe, expect, it } from "vitest";
import { DecryptionError } from "../crypto";
import { decryptSigningSecret, encryptSigningSecret, generateSigningSecret, signingSecretsFor } from "./secrets";

describe("generateSigningSecret", () => {
  it("is whsec_ + base64 of 32 random bytes", () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(secret);
  });
});

describe("encryption at rest", () => {
  it("round-trips per endpoint and refuses another endpoint's ciphertext", () => {
    const secret = generateSigningSecret();
    const sealed = encryptSigningSecret("we_one", secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(decryptSigningSecret("we_one", sealed)).toBe(secret);
    expect(() => decryptSigningSecret("we_two", sealed)).toThrow(DecryptionError);
  });
});

describe("signingSecretsFor", () => {
  const id = "we_rolling";
  const oldSecret = generateSigningSecret();
  const newSecret = generateSigningSecret();
  const now = new Date("2026-02-07T10:00:00Z");
  const rolled = (expiresAt: Date | null) => ({
    id,
    secretEncrypted: encryptSigningSecret(id, newSecret),
    previousSecretEncrypted: expiresAt ? encryptSigningSecret(id, oldSecret) : null,
    previousSecretExpiresAt: expiresAt,
  });

  it("signs with the only secret when there was no roll", () => {
    expect(signingSecretsFor(rolled(null), now)).toEqual({ current: newSecret, previous: null });
  });

  it("keeps the documented header on the previous secret during the grace period", () => {
    const expiresAt = new Date(now.getTime() + 3600_000);
    expect(signingSecretsFor(rolled(expiresAt), now)).toEqual({ current: newSecret, previous: oldSecret });
  });

  it("switches to the new secret the moment the grace period ends", () => {
    const expiresAt = new Date(now.getTime() + 3600_000);
    expect(signingSecretsFor(rolled(expiresAt), expiresAt)).toEqual({ current: newSecret, previous: null });
  });
});
