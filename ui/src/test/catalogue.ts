// The real permission catalogue (refusals included), as the Rust side serves it: written by a
// Rust test beside the bindings, so UI tests never restate its rules.
import type { CatalogueEntry } from "../bindings/CatalogueEntry";
import type { Permission } from "../bindings/Permission";
import all from "../bindings/catalogue.json";

export const CATALOGUE = all as CatalogueEntry[];

/** The catalogue's entries for `ids`, in the catalogue's order. */
export function entries(...ids: Permission[]): CatalogueEntry[] {
  const missing = ids.filter((id) => !CATALOGUE.some((e) => e.id === id));
  if (missing.length) throw new Error(`not in the catalogue: ${missing.join(", ")}`);
  return CATALOGUE.filter((e) => ids.includes(e.id));
}
