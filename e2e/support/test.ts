// What every e2e spec imports: the account fixtures (fixtures.ts) plus a guard, on for every
// test, that fails the test when its page logged a Content-Security-Policy violation (so the
// production CSP is proven against every screen the suite visits). The page's console and
// uncaught errors are attached to the test's report.
import type { ConsoleMessage } from "@playwright/test";
import { test as withAccounts } from "./fixtures";

export { expect, PASSWORD, signIn, type E2eAccount } from "./fixtures";

const CSP_MESSAGE = /Content Security Policy|Refused to (?:execute|load|apply|connect|frame|evaluate|create)/i;

export const test = withAccounts.extend<{ cspGuard: void }>({
  cspGuard: [
    async ({ page }, use, testInfo) => {
      const messages: string[] = [];
      const violations: string[] = [];
      page.on("console", (message: ConsoleMessage) => {
        const line = `${message.type()}: ${message.text()}`;
        messages.push(line);
        if (CSP_MESSAGE.test(message.text())) violations.push(line);
      });
      page.on("pageerror", (error) => {
        const line = `pageerror: ${error.message}`;
        messages.push(line);
        if (CSP_MESSAGE.test(error.message)) violations.push(line);
      });
      // The browser's own event as well, which also names report-only and worker violations.
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (event) => {
          console.error(
            `Content Security Policy violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`,
          );
        });
      });
      await use();
      if (messages.length) await testInfo.attach("console", { body: messages.join("\n") });
      if (violations.length) {
        throw new Error(`The page reported Content-Security-Policy violations:\n  ${violations.join("\n  ")}`);
      }
    },
    { auto: true },
  ],
});
