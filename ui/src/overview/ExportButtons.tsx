// Export members or roles of the selected communities (all when none is selected) as CSV or
// JSON for access reviews. The Rust side writes the file from the local cache into Downloads,
// so this works offline too; the result says where the file went.
import { useMutation } from "@tanstack/react-query";
import type { ClientError } from "../bindings/ClientError";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportResult } from "../bindings/ExportResult";
import type { ExportWhat } from "../bindings/ExportWhat";
import { usePane } from "../context";
import { call } from "../ipc";
import { ErrorNote } from "../kit/kit";
import "./overview.css";

const CHOICES: { what: ExportWhat; format: ExportFormat; label: string }[] = [
  { what: "members", format: "csv", label: "Export members CSV" },
  { what: "members", format: "json", label: "Export members JSON" },
  { what: "roles", format: "csv", label: "Export roles CSV" },
  { what: "roles", format: "json", label: "Export roles JSON" },
];

export function exportedSentence(r: ExportResult, what: ExportWhat): string {
  const nouns: Record<ExportWhat, [string, string]> = { members: ["member", "members"], roles: ["role", "roles"], audit: ["audit entry", "audit entries"] };
  const noun = nouns[what][r.count === 1 ? 0 : 1];
  return `Saved ${r.count} ${noun} to ${r.path}`;
}

export function ExportButtons() {
  const { account, ws, communities } = usePane();
  // A plain mutation: an export changes nothing, so no read needs refreshing.
  const run = useMutation<ExportResult, ClientError, { what: ExportWhat; format: ExportFormat }>({
    mutationFn: ({ what, format }) => call("export", { account: account.key, workspaceId: ws.id, what, format, communities }),
  });
  const scope = communities.length ? `${communities.length} selected ${communities.length === 1 ? "community" : "communities"}` : "all communities";
  return (
    <section className="ov-export" role="group" aria-label="Export for access review">
      <span className="ov-export-label">Export</span>
      <span className="muted small">({scope}; roles are workspace-wide)</span>
      {CHOICES.map((c) => {
        const busy = run.isPending && run.variables?.what === c.what && run.variables?.format === c.format;
        return (
          <button key={c.label} type="button" disabled={run.isPending} aria-busy={busy} onClick={() => run.mutate({ what: c.what, format: c.format })}>
            {busy ? "Exporting…" : c.label}
          </button>
        );
      })}
      {run.isSuccess && run.variables && (
        <p className="ov-export-result" role="status">
          {exportedSentence(run.data, run.variables.what)}
        </p>
      )}
      {run.isError && (
        <div className="ov-export-result">
          <ErrorNote error={run.error} />
        </div>
      )}
    </section>
  );
}
