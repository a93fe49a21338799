import { describe, expect, it } from "vitest";
import { db24x7Signature, standardWebhooksSignature } from "./signing";

// Vectors computed outside this code (openssl dgst -sha256 -hmac …), and the Standard
// Webhooks specification's own example, so a change to the algorithm, the key handling or
// the encoding fails here.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("db24x7Signature", () => {
  it("is sha256=<hex HMAC of the body, keyed with the secret's full text>", () => {
    const body =
      '{"id":"evt_1a2b3c4d5e6f7g8h","type":"alert.critical","created_at":"2026-02-07T10:30:00Z","data":{},"account_id":"acc_xyz123","environment":"production"}';
    expect(db24x7Signature(SECRET, body)).toBe(
      "sha256=3e702147385c9b4bef8fbdf9bb8a58836438c21feaf7f9f7ef5904092e4c7780",
    );
  });

  it("signs the UTF-8 bytes of non-ASCII bodies", () => {
    // printf '{"m":"é✓😀"}' | openssl dgst -sha256 -hmac whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
    expect(db24x7Signature(SECRET, '{"m":"é✓😀"}')).toBe(
      "sha256=1b10f734b596b7c3b418470cc6a9e993e47b6500ed37fba7533197b0427d6b89",
    );
  });
});

describe("standardWebhooksSignature", () => {
  it("matches the specification's example", () => {
    expect(standardWebhooksSignature(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')).toBe(
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });
});
