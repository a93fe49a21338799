"use client";

import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import type { ApiKeyOutput } from "@/lib/api-keys/schemas";
import { apiFetch, ApiClientError } from "@/lib/client/api-fetch";
import { Button } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";

export const apiKeyKeys = {
  all: ["api-keys"] as const,
};

const apiKeysQuery = queryOptions({
  queryKey: apiKeyKeys.all,
  queryFn: () => apiFetch<{ data: ApiKeyOutput[]; next_cursor: string | null }>("/api/v1/api-keys?limit=100"),
});

export function ApiKeysManager({ canManage }: { canManage: boolean }) {
  if (!canManage) {
    return (
      <Card>
        <EmptyState title="Only admins can manage API keys">
          Ask an owner or admin of your account to create a key for you.
        </EmptyState>
      </Card>
    );
  }
  return <ApiKeysTable />;
}

function ApiKeysTable() {
  const { data, isPending, error } = useQuery(apiKeysQuery);
  const [creating, setCreating] = useState(false);
  const keys = data?.data ?? [];
  return (
    <Card>
      <div className="flex items-center justify-between border-b border-slate-200 px-5 py-3">
        <h2 className="text-sm font-semibold">Keys</h2>
        <Button onClick={() => setCreating(true)}>Create API key</Button>
      </div>
      {isPending ? (
        <p className="px-5 py-8 text-sm text-slate-500" role="status">
          Loading keys…
        </p>
      ) : error ? (
        <p className="px-5 py-8 text-sm text-red-600" role="alert">
          {error.message}
        </p>
      ) : keys.length === 0 ? (
        <EmptyState title="No API keys yet" action={<Button onClick={() => setCreating(true)}>Create your first key</Button>}>
          Create a key to publish events or manage webhooks from your own services.
        </EmptyState>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="px-5 py-2 font-medium">Name</th>
              <th className="px-5 py-2 font-medium">Key</th>
              <th className="px-5 py-2 font-medium">Role</th>
              <th className="px-5 py-2 font-medium">Created</th>
              <th className="px-5 py-2 font-medium">Last used</th>
              <th className="px-5 py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {keys.map((key) => (
              <ApiKeyRow key={key.id} apiKey={key} />
            ))}
          </tbody>
        </table>
      )}
      <CreateApiKeyDialog open={creating} onOpenChange={setCreating} />
    </Card>
  );
}

function formatDate(iso: string | null) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

function ApiKeyRow({ apiKey }: { apiKey: ApiKeyOutput }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({
    mutationFn: () => apiFetch<ApiKeyOutput>(`/api/v1/api-keys/${apiKey.id}`, { method: "DELETE" }),
    onSuccess: () => {
      toast.success(`Revoked “${apiKey.name}”`);
      setConfirming(false);
      return queryClient.invalidateQueries({ queryKey: apiKeyKeys.all });
    },
    onError: (error) => toast.error(error.message),
  });
  const expired = apiKey.expires_at !== null && new Date(apiKey.expires_at) <= new Date();
  return (
    <tr data-testid="api-key-row">
      <td className="px-5 py-3 font-medium">{apiKey.name}</td>
      <td className="px-5 py-3 font-mono text-xs text-slate-600">{apiKey.prefix}…</td>
      <td className="px-5 py-3 capitalize">{apiKey.role}</td>
      <td className="px-5 py-3 text-slate-600">{formatDate(apiKey.created_at)}</td>
      <td className="px-5 py-3 text-slate-600">{formatDate(apiKey.last_used_at)}</td>
      <td className="px-5 py-3 text-right">
        {apiKey.revoked_at ? (
          <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">Revoked</span>
        ) : expired ? (
          <span className="rounded bg-amber-50 px-2 py-0.5 text-xs text-amber-700">Expired</span>
        ) : (
          <Button variant="secondary" onClick={() => setConfirming(true)}>
            Revoke
          </Button>
        )}
        <Dialog
          open={confirming}
          onOpenChange={setConfirming}
          title={`Revoke “${apiKey.name}”?`}
          description="Requests using this key will be refused immediately. This cannot be undone."
        >
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button variant="danger" pending={revoke.isPending} onClick={() => revoke.mutate()}>
              Revoke key
            </Button>
          </div>
        </Dialog>
      </td>
    </tr>
  );
}

function CreateApiKeyDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const queryClient = useQueryClient();
  const [nameError, setNameError] = useState<string>();
  const create = useMutation({
    mutationFn: (input: { name: string; role: "admin" | "viewer" }) =>
      apiFetch<ApiKeyOutput & { key: string }>("/api/v1/api-keys", { method: "POST", body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
    onError: (error) => {
      if (error instanceof ApiClientError && error.status === 400) setNameError(error.message);
      else toast.error(error.message);
    },
  });

  function close(next: boolean) {
    if (!next) {
      create.reset();
      setNameError(undefined);
    }
    onOpenChange(next);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    if (!name) {
      setNameError("Give the key a name so you can recognise it later.");
      return;
    }
    setNameError(undefined);
    create.mutate({ name, role: form.get("role") === "viewer" ? "viewer" : "admin" });
  }

  const created = create.data;
  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title={created ? "Copy your API key" : "Create API key"}
      description={created ? "This is the only time the key is shown. Store it somewhere safe." : undefined}
    >
      {created ? (
        <div className="space-y-4">
          <div className="flex items-center gap-2">
            <code data-testid="new-api-key" className="block flex-1 overflow-x-auto rounded bg-slate-100 px-3 py-2 font-mono text-xs">
              {created.key}
            </code>
            <CopyButton value={created.key} />
          </div>
          <div className="flex justify-end">
            <Button onClick={() => close(false)}>Done</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={onSubmit} className="space-y-4">
          <Field label="Name" name="name" placeholder="e.g. Production alerting service" maxLength={100} error={nameError} autoFocus />
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Access</legend>
            <label className="mt-1 flex items-center gap-2 text-sm">
              <input type="radio" name="role" value="admin" defaultChecked /> Admin — publish events and manage webhooks
            </label>
            <label className="mt-1 flex items-center gap-2 text-sm">
              <input type="radio" name="role" value="viewer" /> Viewer — read only
            </label>
          </fieldset>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => close(false)}>
              Cancel
            </Button>
            <Button type="submit" pending={create.isPending}>
              Create key
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
