import "server-only";
import type { NextAuthOptions, Session } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { config } from "../config";
import { publicUrl } from "../public-url";
import { safeCallbackPath } from "./callback-url";
import { db } from "../db";
import { UNUSED_PASSWORD_HASH, verifyPassword } from "./password";
import { endSession, sessionIdOf, sessionIsActive, startSession, SESSION_MAX_AGE_SECONDS } from "./sessions";
import { mayCheckPassword, reportCredentialCheck } from "./sign-in-throttle";

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  // scrypt keys HMAC-SHA256 with the password, and HMAC zero-pads short keys: "secret\0" would
  // verify as "secret". No password contains NUL, so refuse it.
  password: z.string().min(1).max(1024).refine((p) => !p.includes("\u0000")),
});

export const authOptions: NextAuthOptions = {
  // Read on use, not at import: `next build` loads this module without any configuration.
  get secret() {
    return config().NEXTAUTH_SECRET;
  },
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/login", error: "/login" },
  // Secure cookies (`__Secure-` names, the Secure flag) whenever the public URL is https. This is
  // next-auth v4's own default (core/init.js) and getToken()'s rule for reading them back
  // (jwt/index.js), written out so it cannot change unnoticed.
  get useSecureCookies() {
    return publicUrl().protocol === "https:";
  },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(raw) {
        // Passwords are checked only under the sign-in throttle, for the email it counted
        // (app/api/auth/[...nextauth]/route.ts, lib/auth/sign-in-throttle.ts).
        if (!mayCheckPassword(typeof raw?.email === "string" ? raw.email : "")) return null;
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) {
          reportCredentialCheck(false);
          return null;
        }
        const user = await db.user.findUnique({ where: { email: parsed.data.email } });
        // Hash even for unknown emails so timing does not tell which emails exist.
        const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? UNUSED_PASSWORD_HASH);
        reportCredentialCheck(Boolean(user && ok));
        if (!user || !ok) return null;
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ],
  callbacks: {
    // Only ever to this site. baseUrl is the public origin; next-auth's default follows any URL
    // that starts with "/" and throws on one it cannot parse.
    redirect({ url, baseUrl }) {
      return baseUrl + safeCallbackPath(url, baseUrl);
    },
    async jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sid = await startSession(user.id);
        return token;
      }
      // Every later use: a session ended server-side (sign-out; a password, role or membership
      // change) is signed out, and so is a cookie from before sessions had ids.
      const sessionId = sessionIdOf(token);
      return sessionId && (await sessionIsActive(sessionId)) ? token : {};
    },
    session({ session, token }) {
      if (!sessionIdOf(token)) return {} as Session; // signed out: next-auth answers `{}`
      if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      const sessionId = sessionIdOf(token);
      if (sessionId) await endSession(sessionId);
    },
  },
};
