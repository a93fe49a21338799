import { inngest } from "../client";
import { noticesRecorded } from "../events";
import { mailNotice } from "@/lib/notices/mail";
import { publishNoticeEvent } from "@/lib/notices/operational-events";

// Tells of recorded notices (lib/notices/record.ts): mails the account's owners and admins about
// their endpoints (when SMTP_URL is set) and publishes the operational event to subscribed
// endpoints. The in-app list needs nothing: it reads the notices themselves. Each step is
// idempotent on its own (mail claims, the event's producer id), so a retried step, a repeated
// run or the sweep's re-sent hand-over tells nobody twice.
export const sendNotices = inngest.createFunction(
  { id: "send-notices", triggers: [noticesRecorded], retries: 10 },
  async ({ event, step }) => {
    const { account_id: accountId, notice_ids: noticeIds } = event.data;
    // Events first: a mail server that is down for long holds back its own steps only.
    let published = 0;
    for (const noticeId of noticeIds) {
      if (await step.run(`publish-${noticeId}`, () => publishNoticeEvent(accountId, noticeId))) published++;
    }
    let mailed = 0;
    for (const noticeId of noticeIds) {
      mailed += (await step.run(`mail-${noticeId}`, () => mailNotice(accountId, noticeId))).mailed;
    }
    return { mailed, published };
  },
);
