import { describe, expect, it } from "vitest";
import { eventBody } from "./payload";

describe("eventBody", () => {
  const event = {
    id: "evt_1a2b3c4d5e6f7g8h",
    type: "alert.critical",
    createdAt: new Date("2026-02-07T10:30:00.123Z"),
    data: { current_value: 95.3, threshold: 80.0, message: "CPU ✓ ünïcode" },
    accountId: "acc_xyz123",
    environment: "production",
  };

  it("is compact JSON in the documented key order with whole-second timestamps", () => {
    expect(eventBody(event)).toBe(
      '{"id":"evt_1a2b3c4d5e6f7g8h","type":"alert.critical","created_at":"2026-02-07T10:30:00Z","data":{"current_value":95.3,"threshold":80,"message":"CPU ✓ ünïcode"},"account_id":"acc_xyz123","environment":"production"}',
    );
  });

  it("survives a parse and re-stringify unchanged (what the documented Express receiver signs)", () => {
    const body = eventBody(event);
    expect(JSON.stringify(JSON.parse(body))).toBe(body);
  });
});
