import { describe, expect, it } from "vitest";
import { decrypt, DecryptionError, encrypt } from "./crypto";

const masterKey = "unit-test-encryption-key-0123456789abcdef";
const options = { masterKey, context: "webhook_endpoint:we_test" };

/** The same base64url part with one bit of its first byte flipped. */
function flipBit(part: string) {
  const bytes = Buffer.from(part, "base64url");
  bytes[0] ^= 1;
  return bytes.toString("base64url");
}

describe("encrypt / decrypt", () => {
  it("round-trips text, including non-ASCII, in the versioned format", () => {
    for (const plaintext of ["whsec_abc+/=", "", "ünïcødé ✓", "x".repeat(10_000)]) {
      const sealed = encrypt(plaintext, options);
      expect(sealed).toMatch(/^v1:[\w-]{16}:[\w-]{22}:[\w-]*$/);
      expect(decrypt(sealed, options)).toBe(plaintext);
    }
  });

  it("uses a fresh IV each time", () => {
    expect(encrypt("same", options)).not.toBe(encrypt("same", options));
  });

  it("detects tampering with any part", () => {
    const sealed = encrypt("whsec_secret", options);
    const [v, iv, tag, ct] = sealed.split(":");
    for (const tampered of [
      [v, flipBit(iv), tag, ct],
      [v, iv, flipBit(tag), ct],
      [v, iv, tag, flipBit(ct)],
      [v, iv, tag, ct + "AAAA"],
    ]) {
      expect(() => decrypt(tampered.join(":"), options)).toThrow(DecryptionError);
    }
  });

  it("refuses the wrong key, the wrong context, unknown versions and garbage", () => {
    const sealed = encrypt("whsec_secret", options);
    expect(() => decrypt(sealed, { ...options, masterKey: `${masterKey}-other` })).toThrow(DecryptionError);
    expect(() => decrypt(sealed, { ...options, context: "webhook_endpoint:we_other" })).toThrow(DecryptionError);
    expect(() => decrypt(sealed.replace(/^v1:/, "v2:"), options)).toThrow(/version/);
    expect(() => decrypt("not encrypted", options)).toThrow(DecryptionError);
    expect(() => decrypt("v1:a:b:c", options)).toThrow(DecryptionError);
  });

  it("defaults to APP_ENCRYPTION_KEY from the configuration", () => {
    expect(decrypt(encrypt("with config"))).toBe("with config");
  });
});
