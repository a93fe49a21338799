import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { config } from "../config";
import { db } from "../db";
import { UNUSED_PASSWORD_HASH, verifyPassword } from "./password";

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
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login", error: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(raw) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const user = await db.user.findUnique({ where: { email: parsed.data.email } });
        // Hash even for unknown emails so timing does not tell which emails exist.
        const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? UNUSED_PASSWORD_HASH);
        if (!user || !ok) return null;
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
      return session;
    },
  },
};
