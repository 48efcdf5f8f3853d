// The words of the domain the console shows (assignment types, kinds of role), explained where
// they are shown, in Rust's one sentence (`glossary`): a word is a focusable button with its
// meaning as a hint, and a "?" beside a label explains every choice it offers.
import { useMemo, type ReactNode } from "react";
import type { GlossaryEntry } from "../bindings/GlossaryEntry";
import type { GlossaryTopic } from "../bindings/GlossaryTopic";
import { useCmd } from "../query";
import { Hint } from "./Hint";

export type Glossary = {
  entries: GlossaryEntry[];
  /** The entry for a word as the API sends it (`pool`, `intake_restricted`), if known. */
  find: (topic: GlossaryTopic, term: string) => GlossaryEntry | undefined;
  /** The word as the console shows it ("Intake-restricted"), else the word itself, hyphenated. */
  label: (topic: GlossaryTopic, term: string) => string;
};

export function makeGlossary(entries: GlossaryEntry[]): Glossary {
  const at = new Map(entries.map((e) => [`${e.topic}:${e.term}`, e]));
  const find = (topic: GlossaryTopic, term: string) => at.get(`${topic}:${term}`);
  return { entries, find, label: (topic, term) => find(topic, term)?.label ?? term.replace(/_/g, "-") };
}

/** Asked of Rust once: the glossary does not change while the console runs. */
export function useGlossary(): Glossary {
  const q = useCmd("glossary", {}, { staleTime: Infinity });
  return useMemo(() => makeGlossary(q.data ?? []), [q.data]);
}

const TOPIC_NAME: Record<GlossaryTopic, string> = { assignment_type: "assignment types", role_kind: "kinds of role" };

/**
 * One word with its meaning on hover and focus. Until the glossary is known (or for a word it
 * does not have) the word is plain text, not an empty stop for Tab.
 */
export function Term({ topic, term, children }: { topic: GlossaryTopic; term: string; children?: ReactNode }) {
  const g = useGlossary();
  const e = g.find(topic, term);
  if (!e) return <span>{children ?? term}</span>;
  return (
    <Hint toggle text={<><strong>{e.label}</strong>: {e.explain}</>}>
      <button type="button" className="term" data-term={`${topic}:${term}`}>
        {children ?? term}
      </button>
    </Hint>
  );
}

/** A "?" explaining every word of a topic (beside an "Assignment" or "Role" picker). */
export function GlossaryHint({ topic }: { topic: GlossaryTopic }) {
  const g = useGlossary();
  const list = g.entries.filter((e) => e.topic === topic);
  if (list.length === 0) return null;
  return (
    <Hint
      toggle
      text={
        <dl>
          {list.map((e) => (
            <div key={e.term}>
              <dt>{e.label}</dt>
              <dd>{e.explain}</dd>
            </div>
          ))}
        </dl>
      }
    >
      <button type="button" className="hint-q" aria-label={`What the ${TOPIC_NAME[topic]} mean`}>
        ?
      </button>
    </Hint>
  );
}
