// The event-type catalog: the one source of truth for the 11 documented types and the 4
// operational ones (about the webhooks themselves, published by lib/notices), their
// categories and descriptions (verbatim from the customer documentation), the zod schema of
// each type's `data`, and a realistic sample. The documentation's two example payloads
// (alert.critical, optimization.completed) fix those shapes exactly. No server-only imports:
// the dashboard renders the categories from it too.
import { z } from "zod";
import { ApiError } from "../api/errors";

export const EVENT_CATEGORIES = ["Alerts", "Optimization", "Monitoring", "Backup", "Maintenance", "Webhooks"] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

// ── shared shapes ────────────────────────────────────────────────────────────
const id = z.string().min(1).max(200);
const database = z.string().min(1).max(200).describe("Name of the monitored database");
const timestamp = z.iso.datetime({ offset: true });
const dashboardUrl = z.url({ protocol: /^https?$/ }).describe("Where to see this in the DB24x7 dashboard");
const nonNegativeInt = z.number().int().min(0);
const alertCategory = z.enum(["performance", "availability", "storage", "connections", "replication", "security"]);
const errorDetail = z.strictObject({
  code: z.string().min(1).max(100),
  message: z.string().min(1).max(2000),
});

const alertRaisedData = (severity: "critical" | "warning") =>
  z.strictObject({
    alert_id: id,
    database,
    severity: z.literal(severity),
    category: alertCategory,
    metric: z.string().min(1).max(100),
    current_value: z.number(),
    threshold: z.number(),
    duration_seconds: nonNegativeInt,
    message: z.string().min(1).max(2000),
    affected_resources: z
      .strictObject({ queries: nonNegativeInt.optional(), connections: nonNegativeInt.optional() })
      .optional(),
    suggested_actions: z
      .array(
        z.strictObject({
          action: z.string().min(1).max(100),
          query_id: z.string().max(200).optional(),
          description: z.string().min(1).max(2000),
        }),
      )
      .max(50)
      .optional(),
    dashboard_url: dashboardUrl,
  });

const optimizationType = z.enum([
  "index_suggestion",
  "query_rewrite",
  "schema_change",
  "configuration_tuning",
  "vacuum_analyze",
]);

const schemaChange = z.strictObject({
  type: z.enum(["create_index", "drop_index", "rewrite_query", "alter_table", "set_parameter", "vacuum", "analyze"]),
  table: z.string().max(200).optional(),
  columns: z.array(z.string().max(200)).max(64).optional(),
  index_name: z.string().max(200).optional(),
  parameter: z.string().max(200).optional(),
  value: z.string().max(200).optional(),
  sql: z.string().max(10_000).optional(),
});

const backupType = z.enum(["full", "incremental", "differential", "snapshot"]);
const backupTrigger = z.enum(["scheduled", "manual"]);
const maintenanceType = z.enum([
  "vacuum",
  "reindex",
  "version_upgrade",
  "configuration_change",
  "storage_expansion",
  "failover_test",
  "os_patching",
]);

const endpointId = z.string().min(1).max(200).describe("The webhook endpoint concerned (we_…)");
const ipList = z.array(z.string().min(1).max(64)).max(256);

// ── the catalog ──────────────────────────────────────────────────────────────
function define<const T extends string, S extends z.ZodType>(def: {
  type: T;
  category: EventCategory;
  description: string;
  schema: S;
  sample: z.input<S>;
}) {
  return def;
}

export const EVENT_TYPES = [
  define({
    type: "alert.critical",
    category: "Alerts",
    description: "Triggered when a critical database alert is raised (CPU, memory, disk, connections)",
    schema: alertRaisedData("critical"),
    // The documentation's "Critical Alert Event" example, verbatim.
    sample: {
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
  }),
  define({
    type: "alert.warning",
    category: "Alerts",
    description: "Triggered when a warning-level alert is raised",
    schema: alertRaisedData("warning"),
    sample: {
      alert_id: "alert_def456",
      database: "production-postgres-01",
      severity: "warning",
      category: "connections",
      metric: "connection_usage",
      current_value: 172,
      threshold: 160,
      duration_seconds: 120,
      message: "Active connections are above 80% of max_connections (172 of 200)",
      affected_resources: { connections: 172 },
      suggested_actions: [
        { action: "enable_connection_pooling", description: "Route application traffic through PgBouncer in transaction mode" },
      ],
      dashboard_url: "https://app.db24x7.com/alerts/alert_def456",
    },
  }),
  define({
    type: "alert.resolved",
    category: "Alerts",
    description: "Triggered when an alert is automatically or manually resolved",
    schema: z.strictObject({
      alert_id: id,
      database,
      severity: z.enum(["critical", "warning"]).describe("Severity of the alert that was resolved"),
      category: alertCategory,
      metric: z.string().min(1).max(100),
      current_value: z.number().describe("The metric's value when the alert resolved"),
      threshold: z.number(),
      raised_at: timestamp,
      resolved_at: timestamp,
      duration_seconds: nonNegativeInt.describe("How long the alert was open"),
      resolution: z.enum(["automatic", "manual"]),
      resolved_by: z.string().max(200).nullable().describe("Who resolved it; null when automatic"),
      message: z.string().min(1).max(2000),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      alert_id: "alert_abc123",
      database: "production-postgres-01",
      severity: "critical",
      category: "performance",
      metric: "cpu_usage",
      current_value: 41.7,
      threshold: 80.0,
      raised_at: "2026-02-07T10:30:00Z",
      resolved_at: "2026-02-07T10:42:10Z",
      duration_seconds: 730,
      resolution: "automatic",
      resolved_by: null,
      message: "Database CPU usage is back below threshold",
      dashboard_url: "https://app.db24x7.com/alerts/alert_abc123",
    },
  }),
  define({
    type: "optimization.completed",
    category: "Optimization",
    description: "Triggered when the AI DBA completes a query or schema optimization",
    schema: z.strictObject({
      optimization_id: id,
      database,
      query_id: id.nullable().optional(),
      optimization_type: optimizationType,
      improvements: z.strictObject({
        execution_time_before_ms: z.number().min(0),
        execution_time_after_ms: z.number().min(0),
        improvement_percentage: z.number(),
        scanned_rows_before: nonNegativeInt.optional(),
        scanned_rows_after: nonNegativeInt.optional(),
      }),
      changes_applied: z.array(schemaChange).max(100),
      dashboard_url: dashboardUrl,
    }),
    // The documentation's "Optimization Completed Event" example, verbatim.
    sample: {
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
  }),
  define({
    type: "optimization.suggested",
    category: "Optimization",
    description: "Triggered when the AI DBA suggests an optimization pending approval",
    schema: z.strictObject({
      optimization_id: id,
      database,
      query_id: id.nullable().optional(),
      optimization_type: optimizationType,
      status: z.literal("pending_approval"),
      rationale: z.string().min(1).max(5000),
      risk: z.enum(["low", "medium", "high"]),
      estimated_improvements: z.strictObject({
        execution_time_before_ms: z.number().min(0),
        estimated_execution_time_after_ms: z.number().min(0),
        estimated_improvement_percentage: z.number(),
      }),
      proposed_changes: z.array(schemaChange).min(1).max(100),
      expires_at: timestamp.nullable().describe("When the suggestion lapses if not approved"),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      optimization_id: "opt_ghi789",
      database: "production-postgres-01",
      query_id: "query_1024",
      optimization_type: "index_suggestion",
      status: "pending_approval",
      rationale: "Sequential scan on orders filtered by customer_id and status runs 1,800 times an hour",
      risk: "low",
      estimated_improvements: {
        execution_time_before_ms: 1240,
        estimated_execution_time_after_ms: 18,
        estimated_improvement_percentage: 98.5,
      },
      proposed_changes: [
        {
          type: "create_index",
          table: "orders",
          columns: ["customer_id", "status"],
          index_name: "idx_orders_customer_id_status",
          sql: "CREATE INDEX CONCURRENTLY idx_orders_customer_id_status ON orders (customer_id, status)",
        },
      ],
      expires_at: "2026-02-14T11:15:00Z",
      dashboard_url: "https://app.db24x7.com/optimizations/opt_ghi789",
    },
  }),
  define({
    type: "database.health_check",
    category: "Monitoring",
    description: "Triggered on scheduled health check completion with current metrics",
    schema: z.strictObject({
      check_id: id,
      database,
      status: z.enum(["healthy", "degraded", "unhealthy"]),
      checked_at: timestamp,
      duration_ms: z.number().min(0),
      metrics: z.strictObject({
        cpu_usage_percent: z.number().min(0).max(100),
        memory_usage_percent: z.number().min(0).max(100),
        disk_usage_percent: z.number().min(0).max(100),
        active_connections: nonNegativeInt,
        max_connections: nonNegativeInt,
        cache_hit_ratio: z.number().min(0).max(1),
        transactions_per_second: z.number().min(0),
        slow_queries: nonNegativeInt.describe("Queries over the slow-query threshold since the last check"),
        replication_lag_seconds: z.number().min(0).nullable().describe("null when the database has no replicas"),
      }),
      issues: z
        .array(
          z.strictObject({
            metric: z.string().min(1).max(100),
            severity: z.enum(["warning", "critical"]),
            message: z.string().min(1).max(2000),
          }),
        )
        .max(100),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      check_id: "hc_7f3k9q",
      database: "production-postgres-01",
      status: "healthy",
      checked_at: "2026-02-07T12:00:00Z",
      duration_ms: 842,
      metrics: {
        cpu_usage_percent: 37.2,
        memory_usage_percent: 61.8,
        disk_usage_percent: 54.1,
        active_connections: 48,
        max_connections: 200,
        cache_hit_ratio: 0.994,
        transactions_per_second: 312.5,
        slow_queries: 2,
        replication_lag_seconds: 0.4,
      },
      issues: [],
      dashboard_url: "https://app.db24x7.com/databases/production-postgres-01/health",
    },
  }),
  define({
    type: "database.connection_failed",
    category: "Monitoring",
    description: "Triggered when DB24x7 loses connection to a monitored database",
    schema: z.strictObject({
      incident_id: id,
      database,
      host: z.string().min(1).max(255),
      port: z.number().int().min(1).max(65535),
      failed_at: timestamp,
      error: errorDetail,
      consecutive_failures: z.number().int().min(1),
      last_successful_connection_at: timestamp.nullable(),
      next_retry_at: timestamp.nullable(),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      incident_id: "inc_m2p8x4",
      database: "production-postgres-01",
      host: "prod-pg-01.internal.example.com",
      port: 5432,
      failed_at: "2026-02-07T13:05:12Z",
      error: { code: "ECONNREFUSED", message: "connect ECONNREFUSED 10.0.4.17:5432" },
      consecutive_failures: 3,
      last_successful_connection_at: "2026-02-07T13:04:00Z",
      next_retry_at: "2026-02-07T13:05:42Z",
      dashboard_url: "https://app.db24x7.com/incidents/inc_m2p8x4",
    },
  }),
  define({
    type: "backup.completed",
    category: "Backup",
    description: "Triggered when a scheduled or manual backup completes successfully",
    schema: z.strictObject({
      backup_id: id,
      database,
      backup_type: backupType,
      trigger: backupTrigger,
      started_at: timestamp,
      completed_at: timestamp,
      duration_seconds: nonNegativeInt,
      size_bytes: nonNegativeInt,
      storage_location: z.string().min(1).max(1000),
      checksum: z.string().min(1).max(200),
      retention_days: z.number().int().min(1),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      backup_id: "bkp_20260207_0200",
      database: "production-postgres-01",
      backup_type: "full",
      trigger: "scheduled",
      started_at: "2026-02-07T02:00:00Z",
      completed_at: "2026-02-07T02:14:37Z",
      duration_seconds: 877,
      size_bytes: 48318382080,
      storage_location: "s3://db24x7-backups/acc_xyz123/production-postgres-01/2026-02-07T0200Z.tar.zst",
      checksum: "sha256:9f2c4b1e0d7a6c5b3e8f1a2d4c6b8e0f1a3c5e7d9b2f4a6c8e0d2f4b6a8c0e2d",
      retention_days: 30,
      dashboard_url: "https://app.db24x7.com/backups/bkp_20260207_0200",
    },
  }),
  define({
    type: "backup.failed",
    category: "Backup",
    description: "Triggered when a backup operation fails with error details",
    schema: z.strictObject({
      backup_id: id,
      database,
      backup_type: backupType,
      trigger: backupTrigger,
      started_at: timestamp,
      failed_at: timestamp,
      duration_seconds: nonNegativeInt,
      error: errorDetail,
      attempt: z.number().int().min(1),
      will_retry: z.boolean(),
      next_retry_at: timestamp.nullable(),
      last_successful_backup_at: timestamp.nullable(),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      backup_id: "bkp_20260208_0200",
      database: "production-postgres-01",
      backup_type: "full",
      trigger: "scheduled",
      started_at: "2026-02-08T02:00:00Z",
      failed_at: "2026-02-08T02:06:51Z",
      duration_seconds: 411,
      error: { code: "storage_quota_exceeded", message: "Backup storage quota of 500 GiB reached" },
      attempt: 1,
      will_retry: true,
      next_retry_at: "2026-02-08T02:36:51Z",
      last_successful_backup_at: "2026-02-07T02:14:37Z",
      dashboard_url: "https://app.db24x7.com/backups/bkp_20260208_0200",
    },
  }),
  define({
    type: "maintenance.started",
    category: "Maintenance",
    description: "Triggered when a maintenance window begins",
    schema: z.strictObject({
      maintenance_id: id,
      database,
      maintenance_type: maintenanceType,
      description: z.string().min(1).max(2000),
      scheduled_start: timestamp,
      scheduled_end: timestamp,
      started_at: timestamp,
      expected_downtime_seconds: nonNegativeInt,
      dashboard_url: dashboardUrl,
    }),
    sample: {
      maintenance_id: "mnt_q1_upgrade",
      database: "production-postgres-01",
      maintenance_type: "version_upgrade",
      description: "PostgreSQL minor version upgrade 16.3 → 16.4",
      scheduled_start: "2026-02-09T03:00:00Z",
      scheduled_end: "2026-02-09T03:30:00Z",
      started_at: "2026-02-09T03:00:04Z",
      expected_downtime_seconds: 60,
      dashboard_url: "https://app.db24x7.com/maintenance/mnt_q1_upgrade",
    },
  }),
  define({
    type: "maintenance.completed",
    category: "Maintenance",
    description: "Triggered when a maintenance window ends",
    schema: z.strictObject({
      maintenance_id: id,
      database,
      maintenance_type: maintenanceType,
      outcome: z.enum(["succeeded", "failed", "cancelled"]),
      started_at: timestamp,
      completed_at: timestamp,
      duration_seconds: nonNegativeInt,
      actual_downtime_seconds: nonNegativeInt,
      summary: z.string().min(1).max(5000),
      error: errorDetail.nullable().describe("Set when the outcome is failed"),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      maintenance_id: "mnt_q1_upgrade",
      database: "production-postgres-01",
      maintenance_type: "version_upgrade",
      outcome: "succeeded",
      started_at: "2026-02-09T03:00:04Z",
      completed_at: "2026-02-09T03:11:47Z",
      duration_seconds: 703,
      actual_downtime_seconds: 38,
      summary: "Upgraded to PostgreSQL 16.4; all replicas caught up within 20 seconds",
      error: null,
      dashboard_url: "https://app.db24x7.com/maintenance/mnt_q1_upgrade",
    },
  }),
  // Operational events: about the webhooks themselves. Never delivered to the endpoint they
  // are about (lib/notices/operational-events.ts).
  define({
    type: "webhook_endpoint.failing",
    category: "Webhooks",
    description: "Triggered when a webhook endpoint starts failing (its recent attempts all failed), once per failing spell",
    schema: z.strictObject({
      endpoint_id: endpointId,
      failing_since: timestamp.describe("When the run of failed attempts began"),
      reason: z.string().min(1).max(2000).describe("Why its attempts fail, in plain words"),
      disables_at: timestamp.nullable().describe("When it will be disabled automatically unless an attempt succeeds"),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      endpoint_id: "we_2Vd8kQm3TzN0aLpX7bYcRf",
      failing_since: "2026-02-07T14:02:11Z",
      reason: "Your endpoint answered HTTP 500 to the last 5 attempts",
      disables_at: "2026-02-12T14:02:11Z",
      dashboard_url: "https://app.db24x7.com/settings/integrations/webhooks/we_2Vd8kQm3TzN0aLpX7bYcRf",
    },
  }),
  define({
    type: "webhook_endpoint.disabled",
    category: "Webhooks",
    description: "Triggered when a webhook endpoint is disabled, by hand or automatically after failing too long",
    schema: z.strictObject({
      endpoint_id: endpointId,
      disabled_at: timestamp,
      automatic: z.boolean().describe("True when disabled automatically for failing"),
      reason: z.string().min(1).max(2000),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      endpoint_id: "we_2Vd8kQm3TzN0aLpX7bYcRf",
      disabled_at: "2026-02-12T14:02:11Z",
      automatic: true,
      reason: "Every attempt failed for 5 days; the last answered HTTP 500",
      dashboard_url: "https://app.db24x7.com/settings/integrations/webhooks/we_2Vd8kQm3TzN0aLpX7bYcRf",
    },
  }),
  define({
    type: "webhook_delivery.exhausted",
    category: "Webhooks",
    description: "Triggered when a delivery has failed every attempt of its retry schedule and will not be retried automatically",
    schema: z.strictObject({
      endpoint_id: endpointId,
      delivery_id: z.string().min(1).max(200),
      event_id: z.string().min(1).max(200),
      reason: z.string().min(1).max(2000).describe("Why the last attempt failed"),
      dashboard_url: dashboardUrl,
    }),
    sample: {
      endpoint_id: "we_2Vd8kQm3TzN0aLpX7bYcRf",
      delivery_id: "dlv_7hQ2mZ9xK4pL1sN8vB3cDf",
      event_id: "evt_5tR1yU8iO3pA6sD9fG2hJk",
      reason: "Connection refused by 203.0.113.10:443",
      dashboard_url:
        "https://app.db24x7.com/settings/integrations/webhooks/we_2Vd8kQm3TzN0aLpX7bYcRf/deliveries/dlv_7hQ2mZ9xK4pL1sN8vB3cDf",
    },
  }),
  define({
    type: "webhooks.source_ips_changed",
    category: "Webhooks",
    description: "Triggered when the IP addresses webhooks are sent from change (the webhook IP changelog)",
    schema: z.strictObject({
      previous_ips: ipList.describe("Addresses or CIDR ranges deliveries came from until now"),
      current_ips: ipList.describe("Addresses or CIDR ranges deliveries come from from now on"),
      added: ipList,
      removed: ipList,
      changed_at: timestamp,
      dashboard_url: dashboardUrl,
    }),
    sample: {
      previous_ips: ["52.203.45.67", "52.203.45.68", "52.203.45.69", "52.203.45.70"],
      current_ips: ["52.203.45.67", "52.203.45.68", "52.203.45.71", "52.203.45.72"],
      added: ["52.203.45.71", "52.203.45.72"],
      removed: ["52.203.45.69", "52.203.45.70"],
      changed_at: "2026-03-01T09:00:00Z",
      dashboard_url: "https://app.db24x7.com/settings/integrations/webhooks",
    },
  }),
] as const;

export type EventTypeDefinition = (typeof EVENT_TYPES)[number];
export type EventTypeName = EventTypeDefinition["type"];

export const EVENT_TYPE_NAMES: readonly EventTypeName[] = EVENT_TYPES.map((t) => t.type);

const byName = new Map<string, EventTypeDefinition>(EVENT_TYPES.map((t) => [t.type, t]));

export function isEventType(name: string): name is EventTypeName {
  return byName.has(name);
}

export function getEventType(name: string): EventTypeDefinition | undefined {
  return byName.get(name);
}

/**
 * The product's own events about webhooks (the "Webhooks" category): a delivery of one that
 * exhausts its schedule is not announced again, or two failing endpoints subscribed to each
 * other's troubles would tell each other forever.
 */
export function isOperationalEventType(name: string): boolean {
  return getEventType(name)?.category === "Webhooks";
}

/**
 * Validates an event's `data` against its type's schema. Throws the API's 400 errors:
 * `unknown_event_type` ("unknown event type: alert.foo") or `invalid_event_data` with the zod
 * issues (paths prefixed with `data`). Returns the data as parsed.
 */
export function parseEventData(type: string, data: unknown): Record<string, unknown> {
  const definition = getEventType(type);
  if (!definition) {
    throw new ApiError(400, "unknown_event_type", `unknown event type: ${type}`, [{ path: ["type"], message: `unknown event type: ${type}` }]);
  }
  const result = (definition.schema as z.ZodType<Record<string, unknown>>).safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ ...issue, path: ["data", ...issue.path] }));
  throw new ApiError(
    400,
    "invalid_event_data",
    `Invalid data for ${type}: ${issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    issues,
  );
}

/** What the dashboard needs to offer the types: no schemas, so it stays small on the client. */
export interface EventTypeSummary {
  type: EventTypeName;
  category: EventCategory;
  description: string;
}

export function eventTypeSummaries(): EventTypeSummary[] {
  return EVENT_TYPES.map(({ type, category, description }) => ({ type, category, description }));
}

/** The catalog as the API serves it: each type with the JSON Schema of its `data` and a sample. */
export function eventTypeCatalog() {
  return EVENT_TYPES.map(({ type, category, description, schema, sample }) => ({
    type,
    category,
    description,
    schema: z.toJSONSchema(schema, { target: "draft-2020-12" }),
    sample,
  }));
}
