// The real permission catalogue (refusals included) and glossary, as the Rust side serves them:
// written by Rust tests beside the bindings, so UI tests never restate their rules or words.
import type { CatalogueEntry } from "../bindings/CatalogueEntry";
import type { GlossaryEntry } from "../bindings/GlossaryEntry";
import type { Permission } from "../bindings/Permission";
import all from "../bindings/catalogue.json";
import words from "../bindings/glossary.json";

export const CATALOGUE = all as CatalogueEntry[];
export const GLOSSARY = words as GlossaryEntry[];

/** The rules commands of the domain, answered as Rust answers them (for `ipc`). */
export const RULES = { permission_catalogue: () => CATALOGUE, glossary: () => GLOSSARY };

/** The catalogue's entries for `ids`, in the catalogue's order. */
export function entries(...ids: Permission[]): CatalogueEntry[] {
  const missing = ids.filter((id) => !CATALOGUE.some((e) => e.id === id));
  if (missing.length) throw new Error(`not in the catalogue: ${missing.join(", ")}`);
  return CATALOGUE.filter((e) => ids.includes(e.id));
}
