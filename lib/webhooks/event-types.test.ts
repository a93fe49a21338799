import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { EVENT_CATEGORIES, EVENT_TYPES, eventTypeCatalog, isOperationalEventType, parseEventData } from "./event-types";

// The two example payloads of the customer documentation, copied as printed there.
const DOC_CRITICAL_ALERT = {
  id: "evt_1a2b3c4d5e6f7g8h",
  type: "alert.critical",
  created_at: "2026-02-07T10:30:00Z",
  data: {
    alert_id: "alert_abc123",
    database: "production-postgres-01",
    severity: "critical",
    category: "performance",
    metric: "cpu_usage",
    current_value: 95.3,
    threshold: 80.0,
    duration_seconds: 300,
    message: "Database CPU usage has exceeded threshold for 5 minutes",
    affected_resources: { queries: 23, connections: 150 },
    suggested_actions: [
      { action: "terminate_query", query_id: "12345", description: "Terminate long-running query consuming 45% CPU" },
    ],
    dashboard_url: "https://app.db24x7.com/alerts/alert_abc123",
  },
  account_id: "acc_xyz123",
  environment: "production",
};

const DOC_OPTIMIZATION_COMPLETED = {
  id: "evt_9z8y7x6w5v4u3t2s",
  type: "optimization.completed",
  created_at: "2026-02-07T11:15:00Z",
  data: {
    optimization_id: "opt_def456",
    database: "production-postgres-01",
    query_id: "query_789",
    optimization_type: "index_suggestion",
    improvements: {
      execution_time_before_ms: 2500,
      execution_time_after_ms: 45,
      improvement_percentage: 98.2,
      scanned_rows_before: 1000000,
      scanned_rows_after: 1,
    },
    changes_applied: [
      { type: "create_index", table: "users", columns: ["email", "created_at"], index_name: "idx_users_email_created_at" },
    ],
    dashboard_url: "https://app.db24x7.com/optimizations/opt_def456",
  },
  account_id: "acc_xyz123",
  environment: "production",
};

describe("the event-type catalog", () => {
  it("has the 11 documented types in the documented categories, then the 4 operational ones", () => {
    expect(EVENT_TYPES.map((t) => `${t.type} ${t.category}`)).toEqual([
      "alert.critical Alerts",
      "alert.warning Alerts",
      "alert.resolved Alerts",
      "optimization.completed Optimization",
      "optimization.suggested Optimization",
      "database.health_check Monitoring",
      "database.connection_failed Monitoring",
      "backup.completed Backup",
      "backup.failed Backup",
      "maintenance.started Maintenance",
      "maintenance.completed Maintenance",
      "webhook_endpoint.failing Webhooks",
      "webhook_endpoint.disabled Webhooks",
      "webhook_delivery.exhausted Webhooks",
      "webhooks.source_ips_changed Webhooks",
    ]);
    expect(new Set(EVENT_TYPES.map((t) => t.category))).toEqual(new Set(EVENT_CATEGORIES));
  });

  it.each(EVENT_TYPES.map((t) => [t.type, t] as const))("%s: its sample validates and round-trips unchanged", (type, t) => {
    expect(parseEventData(type, t.sample)).toEqual(t.sample);
  });

  it("accepts the documentation's two example payloads exactly", () => {
    for (const event of [DOC_CRITICAL_ALERT, DOC_OPTIMIZATION_COMPLETED]) {
      expect(parseEventData(event.type, event.data)).toEqual(event.data);
    }
  });

  it("refuses unknown types by name", () => {
    expect(() => parseEventData("alert.foo", {})).toThrow("unknown event type: alert.foo");
    try {
      parseEventData("alert.foo", {});
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe("unknown_event_type");
    }
  });

  it("refuses invalid data with the path of each problem", () => {
    const data = { ...DOC_CRITICAL_ALERT.data, severity: "warning", current_value: "95", surprise: 1 };
    try {
      parseEventData("alert.critical", data);
      expect.unreachable();
    } catch (error) {
      const apiError = error as ApiError;
      expect(apiError.status).toBe(400);
      expect(apiError.code).toBe("invalid_event_data");
      const paths = (apiError.details as { path: string[] }[]).map((i) => i.path.join("."));
      expect(paths).toEqual(expect.arrayContaining(["data.severity", "data.current_value", "data"]));
    }
    expect(() => parseEventData("alert.critical", null)).toThrow(ApiError);
    expect(() => parseEventData("backup.completed", { ...EVENT_TYPES[7].sample, dashboard_url: "javascript:alert(1)" })).toThrow(/dashboard_url/);
  });

  it("describes every type's data as a JSON Schema", () => {
    const catalog = eventTypeCatalog();
    expect(catalog).toHaveLength(15);
    for (const entry of catalog) {
      expect(entry.schema).toMatchObject({ type: "object", additionalProperties: false });
      // The documented types are about a database; the operational ones about the webhooks.
      const about = entry.category === "Webhooks" ? [] : ["database"];
      expect(entry.schema.required).toEqual(expect.arrayContaining([...about, "dashboard_url"]));
      expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
    }
  });
});

describe("isOperationalEventType", () => {
  it("is true for the product's own events about webhooks and false for the database events", () => {
    for (const type of ["webhook_endpoint.failing", "webhook_endpoint.disabled", "webhook_delivery.exhausted", "webhooks.source_ips_changed"]) {
      expect(isOperationalEventType(type), type).toBe(true);
    }
    for (const type of ["alert.critical", "backup.failed", "maintenance.started", "webhooks.unknown"]) {
      expect(isOperationalEventType(type), type).toBe(false);
    }
  });
});
