// The console's commands and events, typed from Rust: `CommandArgs`, `CommandResults` and
// `Events` are generated (ts-rs) from the one command list in src-tauri/src/commands/list.rs, so
// a command the UI misspells, an argument it misnames or mistypes, or a command Rust added
// without the UI knowing its types, is a type error here.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { ClientError } from "./bindings/ClientError";
import type { CommandArgs } from "./bindings/CommandArgs";
import type { CommandResults } from "./bindings/CommandResults";
import type { Events } from "./bindings/Events";

export type CommandName = keyof CommandArgs & keyof CommandResults;
/** Each command's `[arguments, answer]`. */
export type Commands = { [C in CommandName]: [CommandArgs[C], CommandResults[C]] };

export async function call<C extends CommandName>(cmd: C, args: CommandArgs[C]): Promise<CommandResults[C]> {
  try {
    return await invoke<CommandResults[C]>(cmd, args as Record<string, unknown>);
  } catch (e) {
    throw asClientError(e);
  }
}

/** Every failure the UI shows is a `{code, message}`; anything else becomes an internal one. */
export function asClientError(e: unknown): ClientError {
  if (e && typeof e === "object" && "code" in e && "message" in e) return e as ClientError;
  return { code: "internal", message: String(e), problem: null };
}

/** Listens to one of the console's events. */
export function on<E extends keyof Events>(event: E, f: (payload: Events[E]) => void): Promise<UnlistenFn> {
  return listen<Events[E]>(event, (ev) => f(ev.payload));
}
