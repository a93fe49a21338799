"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { apiFetch } from "@/lib/client/api-fetch";
import { endpointsQuery, webhookKeys } from "./queries";

const IP_CHANGELOG = "webhooks.source_ips_changed";

/** On the IP allowlist card: subscribe an endpoint to the changelog event, so a firewall can follow changes. */
export function IpChangelogSubscription({ canManage }: { canManage: boolean }) {
  const queryClient = useQueryClient();
  const { data } = useQuery(endpointsQuery());
  const endpoints = data?.data ?? [];
  const subscribed = endpoints.filter((e) => e.event_types.includes(IP_CHANGELOG));
  const others = endpoints.filter((e) => !e.event_types.includes(IP_CHANGELOG));
  const [chosen, setChosen] = useState("");
  const target = others.find((e) => e.id === chosen) ?? others[0];
  const subscribe = useMutation({
    mutationFn: (endpoint: { id: string; event_types: string[] }) =>
      apiFetch(`/api/v1/webhooks/${endpoint.id}`, { method: "PATCH", body: { event_types: [...endpoint.event_types, IP_CHANGELOG] } }),
    onSuccess: () => toast.success("Subscribed: that endpoint receives webhooks.source_ips_changed"),
    onError: (e) => toast.error(e.message),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }),
  });
  const label = (e: { description: string; url: string }) => e.description || e.url;
  return (
    <div className="mt-4 border-t border-slate-100 pt-4 text-sm">
      <p className="text-slate-600">
        When these addresses change, <code className="font-mono text-xs">{IP_CHANGELOG}</code> is sent, with the old and
        new lists, to the endpoints subscribed to it.
        {subscribed.length > 0 && (
          <span data-testid="ip-changelog-subscribers"> Subscribed: {subscribed.map(label).join(", ")}.</span>
        )}
      </p>
      {canManage && others.length > 0 && (
        <form
          className="mt-2 flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (target) subscribe.mutate(target);
          }}
        >
          <label htmlFor="ip-changelog-endpoint" className="sr-only">
            Endpoint to subscribe
          </label>
          <select
            id="ip-changelog-endpoint"
            className="max-w-xs rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            value={target?.id ?? ""}
            onChange={(e) => setChosen(e.target.value)}
          >
            {others.map((e) => (
              <option key={e.id} value={e.id}>
                {label(e)}
              </option>
            ))}
          </select>
          <Button type="submit" variant="secondary" pending={subscribe.isPending}>
            Subscribe to IP changes
          </Button>
        </form>
      )}
    </div>
  );
}
