import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { RetentionOutput } from "@/lib/retention/schemas";

export const retentionKeys = {
  all: ["retention"] as const,
};

export const retentionQuery = queryOptions({
  queryKey: retentionKeys.all,
  queryFn: () => apiFetch<RetentionOutput>("/api/v1/account/retention"),
});
