import "server-only";
import { SYSTEM_CALLER } from "../audit/system";
import { dispatch, type OutboxMessage } from "../deliveries/outbox";
import { publishEventInTransaction } from "../events/publish-event";
import { sqlQuery, sqlTransaction, sqlTimestamp, type NoRows } from "../db";
import { publicUrl } from "../public-url";
import { webhookSourceIps } from "../webhooks/source-ips";

// The documentation's "webhook IP changelog": when WEBHOOK_SOURCE_IPS differs from the list
// last published (kept in instance_state), webhooks.source_ips_changed goes to every account's
// subscribed endpoints, once. The comparison, the new list and the events are written in one
// transaction that holds the row's lock, so of several processes starting at once exactly one
// publishes and the others find the list already current.

const STATE = "webhook_source_ips";

export type SourceIpsCheck = { published: false; reason: "first_start" | "unchanged" } | { published: true; events: number };

const normal = (ips: string[]) => [...new Set(ips)].sort();

export async function publishSourceIpsChange(current = webhookSourceIps(), now = new Date()): Promise<SourceIpsCheck> {
  const ips = normal(current);
  const handOver: OutboxMessage[] = [];
  const outcome = await sqlTransaction(async (client): Promise<SourceIpsCheck> => {
    // The first start records the list it runs with: there is nothing it could have changed from.
    const { rowCount } = await sqlQuery<NoRows>(
      "source_ips_baseline",
      `INSERT INTO instance_state (name, value, updated_at) VALUES ($1, $2::jsonb, $3::timestamp(3))
       ON CONFLICT (name) DO NOTHING`,
      [STATE, JSON.stringify(ips), sqlTimestamp(now)],
      client,
    );
    if (rowCount === 1) return { published: false, reason: "first_start" };
    const { rows } = await sqlQuery<{ value: string[] }>(
      "source_ips_locked",
      "SELECT value FROM instance_state WHERE name = $1 FOR UPDATE",
      [STATE],
      client,
    );
    const previous = normal(rows[0]!.value);
    if (previous.join(",") === ips.join(",")) return { published: false, reason: "unchanged" };
    await sqlQuery<NoRows>(
      "source_ips_update",
      "UPDATE instance_state SET value = $2::jsonb, updated_at = $3::timestamp(3) WHERE name = $1",
      [STATE, JSON.stringify(ips), sqlTimestamp(now)],
      client,
    );
    const { rows: audiences } = await sqlQuery<{ account_id: string; environment: "production" | "staging" | "development" }>(
      "source_ips_audiences",
      `SELECT DISTINCT account_id, environment::text AS environment FROM webhook_endpoints
        WHERE status = 'active' AND deleted_at IS NULL AND 'webhooks.source_ips_changed' = ANY (event_types)`,
      [],
      client,
    );
    const data = {
      previous_ips: previous,
      current_ips: ips,
      added: ips.filter((ip) => !previous.includes(ip)),
      removed: previous.filter((ip) => !ips.includes(ip)),
      changed_at: now.toISOString(),
      dashboard_url: new URL("/settings/integrations/webhooks", publicUrl()).toString(),
    };
    for (const { account_id: accountId, environment } of audiences) {
      const { handOver: messages } = await publishEventInTransaction(client, SYSTEM_CALLER(accountId), {
        type: "webhooks.source_ips_changed",
        environment,
        data,
        id: `source_ips_changed:${now.getTime()}:${environment}`,
      });
      handOver.push(...messages);
    }
    return { published: true, events: audiences.length };
  });
  await dispatch(handOver);
  return outcome;
}
