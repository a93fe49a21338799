"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Card } from "@/components/ui/card";
import { apiFetch } from "@/lib/client/api-fetch";
import type { NotificationPreferencesOutput } from "@/lib/notices/schemas";
import { notificationKeys, notificationPreferencesQuery } from "./queries";

/** The signed-in user's notice mails for this account: an opt-out. */
export function NotificationPreferences() {
  const queryClient = useQueryClient();
  const { data, isPending, error } = useQuery(notificationPreferencesQuery());
  const update = useMutation({
    mutationFn: (email: boolean) =>
      apiFetch<NotificationPreferencesOutput>("/api/v1/notifications/preferences", { method: "PATCH", body: { email } }),
    // The box shows the choice at once; a refusal puts it back.
    onMutate: async (email) => {
      await queryClient.cancelQueries({ queryKey: notificationKeys.preferences() });
      const previous = queryClient.getQueryData<NotificationPreferencesOutput>(notificationKeys.preferences());
      if (previous) queryClient.setQueryData(notificationKeys.preferences(), { ...previous, email });
      return { previous };
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(notificationKeys.preferences(), saved);
      toast.success(saved.email ? "You will get notice mails" : "You will get no notice mails");
    },
    onError: (e, _email, context) => {
      if (context?.previous) queryClient.setQueryData(notificationKeys.preferences(), context.previous);
      toast.error(e.message);
    },
  });
  return (
    <Card className="p-5">
      <section aria-labelledby="mail-heading">
        <h2 id="mail-heading" className="text-sm font-semibold">
          Email
        </h2>
        {isPending ? (
          <p className="mt-2 text-sm text-slate-500" role="status">
            Loading…
          </p>
        ) : error ? (
          <p className="mt-2 text-sm text-red-600" role="alert">
            {error.message}
          </p>
        ) : (
          <>
            <label className="mt-3 flex items-start gap-3 text-sm">
              <input
                type="checkbox"
                className="mt-0.5 size-4"
                checked={data.email}
                disabled={update.isPending}
                onChange={(e) => update.mutate(e.target.checked)}
              />
              <span>
                <span className="font-medium">Mail me about this account&apos;s webhook endpoints</span>
                <span className="block text-slate-600">
                  When an endpoint starts failing, 24 hours before it would be disabled automatically, and when it is
                  disabled. One mail per change; each says why and links to the endpoint.
                </span>
              </span>
            </label>
            {!data.mail_applies && (
              <p className="mt-3 text-sm text-slate-500" data-testid="mail-not-applicable">
                {data.smtp_configured
                  ? "Mails go to owners and admins only; your role sees these in the notifications list."
                  : "This installation has no mail server configured (SMTP_URL): notices appear in the notifications list only."}
              </p>
            )}
          </>
        )}
      </section>
    </Card>
  );
}
