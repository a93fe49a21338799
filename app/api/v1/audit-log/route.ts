// GET /api/v1/audit-log — the account's audit log, newest first (?target_id= for one object); admins
import { apiRoute } from "@/lib/api/handler";
import { listAuditEntries } from "@/lib/audit/list-entries";
import { auditLogQuery } from "@/lib/audit/schemas";

export const GET = apiRoute({ role: "admin", query: auditLogQuery }, ({ caller, query }) => listAuditEntries(caller, query));
