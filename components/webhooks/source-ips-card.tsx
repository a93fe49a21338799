import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { IpChangelogSubscription } from "./ip-changelog-subscription";

/** The documented IP allowlist: the addresses deliveries come from, as the operator configured. */
export function SourceIpsCard({ ips, canManage }: { ips: string[]; canManage: boolean }) {
  return (
    <Card className="p-5">
      <section aria-labelledby="source-ips-heading">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h2 id="source-ips-heading" className="text-sm font-semibold">
              IP allowlist (optional)
            </h2>
            <p className="mt-1 max-w-2xl text-sm text-slate-600">
              For additional security, your firewall can accept webhook requests only from these addresses. Always verify
              the signature as well: addresses may change.
            </p>
          </div>
          <CopyButton value={ips.join("\n")} label="Copy addresses" />
        </div>
        <ul className="mt-3 flex flex-wrap gap-2" aria-label="Webhook source IP addresses">
          {ips.map((ip) => (
            <li key={ip} className="rounded bg-slate-100 px-2 py-1 font-mono text-xs text-slate-800">
              {ip}
            </li>
          ))}
        </ul>
        <IpChangelogSubscription canManage={canManage} />
      </section>
    </Card>
  );
}
