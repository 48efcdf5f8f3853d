// How the console names a signed-in account wherever it says whose data is shown: the label
// the user gave it, or its email and server (two accounts of one email on two servers differ
// by server; a label tells them apart at a glance).
import type { AccountView } from "./bindings/AccountView";

export const host = (server: string) => server.replace(/^https?:\/\//, "");

export function accountName(a: Pick<AccountView, "key" | "email" | "server">, labels: Partial<Record<string, string>>): string {
  return labels[a.key] ?? `${a.email} · ${host(a.server)}`;
}
