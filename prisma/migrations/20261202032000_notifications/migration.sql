-- Per-user, per-account opt-out of notice mails (lib/notices/send-mail.ts).
ALTER TABLE "memberships" ADD COLUMN "notice_emails" BOOLEAN NOT NULL DEFAULT true;

-- Which notices each user has read in the in-app list (lib/notices/notifications.ts).
CREATE TABLE "notice_reads" (
    "notice_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "read_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notice_reads_pkey" PRIMARY KEY ("notice_id", "user_id")
);
CREATE INDEX "notice_reads_user_id_idx" ON "notice_reads"("user_id");
ALTER TABLE "notice_reads" ADD CONSTRAINT "notice_reads_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "notices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "notice_reads" ADD CONSTRAINT "notice_reads_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One mail per notice and recipient: claimed before sending, sent_at set once the SMTP server
-- took it, so a repeated run mails nobody twice (a claim left unsent by a crash is taken again
-- after a lease).
CREATE TABLE "notice_mails" (
    "notice_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "claimed_at" TIMESTAMP(3) NOT NULL,
    "sent_at" TIMESTAMP(3),

    CONSTRAINT "notice_mails_pkey" PRIMARY KEY ("notice_id", "user_id")
);
ALTER TABLE "notice_mails" ADD CONSTRAINT "notice_mails_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "notices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "notice_mails" ADD CONSTRAINT "notice_mails_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Installation-wide facts remembered between starts: the last published WEBHOOK_SOURCE_IPS
-- (lib/notices/source-ips-changed.ts).
CREATE TABLE "instance_state" (
    "name" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "instance_state_pkey" PRIMARY KEY ("name")
);
